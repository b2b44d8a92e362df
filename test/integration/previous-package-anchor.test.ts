// Issue 21 (an anchor states what the verdict could see) with issue 18's --previous:
// the package of an earlier visit is an anchor for the new package's chain. Two
// visits to one tenant, the second in a new engagement (nothing cached from the
// first): between them the last 10 events were deleted at the source. The second
// visit's sync sees an intact chain (its own checkpoint is its only anchor), but its
// export with --previous names the earlier package as the anchor and states the chain
// TRUNCATED there: in verification.json, on page 1 of the PDF and in verify-package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { afterFirstVisit, type Visits } from '../helpers/two-visits.js';
import { zipEntry } from '../helpers/package-zip.js';
import { verifyWithBoth } from '../helpers/python-verifier.js';
import type { IntegrityEntry } from '../../src-main/core/export/integrity.js';
import { deleteTail, editAsOwner } from '../helpers/source-edit.js';

let demo: DemoDb;
let dir: string;
let tenant: string;
let visits: Visits;
const cli = (args: string[]) => visits.cli(args);

before(async () => {
  demo = await startDemoDb();
  visits = await afterFirstVisit(demo, 'auditdesk-previous-anchor-');
  ({ dir, tenant } = visits);
  // Between the visits: the tail of the chain deleted at the source.
  await editAsOwner(demo.adminUrl, (admin) => deleteTail(admin, tenant, 10));
  // Second visit, a new engagement: its sync alone cannot see the deletion.
  const synced = await visits.syncSecondVisit();
  assert.equal(synced.code, 0, synced.stderr);
});

after(async () => {
  await demo?.stop();
});

test('an export with --previous is checked against the earlier package: TRUNCATED, named in verification.json, the PDF and verify-package', async () => {
  const second = await cli(['export', '--engagement', 'second', '--tenant', tenant, '--identity', 'id.p12', '--out', 'second.zip', '--previous', 'first.zip', '--json']);
  // Written, and exit 1: a finding, like verify's.
  assert.equal(second.code, 1, second.stderr);
  const firstId = (JSON.parse((await zipEntry(join(dir, 'first.zip'), 'manifest.json')).toString('utf8')) as { packageId: string }).packageId;

  const verification = JSON.parse((await zipEntry(join(dir, 'second.zip'), 'verification.json')).toString('utf8')) as { tenants: IntegrityEntry[] };
  const chain = verification.tenants[0]!;
  assert.equal(chain.verdict, 'broken');
  assert.deepEqual(
    chain.breaks.map((b) => b.kind),
    ['truncated'],
  );
  assert.equal(chain.anchor?.origin, 'external');
  assert.match(chain.anchor!.label, new RegExp(`package ${firstId}`));

  writeFileSync(join(dir, 'second.pdf'), await zipEntry(join(dir, 'second.zip'), 'report.pdf'));
  const page1 = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', join(dir, 'second.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(page1, /BROKEN/);
  assert.match(page1, /truncated/);
  assert.doesNotMatch(page1, /Hash chain intact/);

  // The package itself is authentic (exit 3: every file as signed, signer not pinned); its data shows the truncation.
  const checked = await cli(['verify-package', 'second.zip', '--json']);
  assert.equal(checked.code, 3, checked.stdout + checked.stderr);
  const verdict = JSON.parse(checked.stdout) as { failures: unknown[]; chain: { intact: boolean; breaks?: { kind: string }[] } };
  assert.deepEqual(verdict.failures, []);
  assert.equal(verdict.chain.intact, false);
  assert.match(checked.stdout, /"kind": "truncated"/);
  // The Python reference verifier recomputes the same chain and reaches the same verdict (it said CHAIN_MISMATCH before it knew the rule).
  const both = await verifyWithBoth(join(dir, 'second.zip'));
  assert.equal(both.chain?.intact, false);
});

test("without --previous the same export names its only anchor, the second visit's own sync checkpoint", async () => {
  const alone = await cli(['export', '--engagement', 'second', '--tenant', tenant, '--identity', 'id.p12', '--out', 'alone.zip']);
  assert.equal(alone.code, 0, alone.stderr);
  const chain = (JSON.parse((await zipEntry(join(dir, 'alone.zip'), 'verification.json')).toString('utf8')) as { tenants: IntegrityEntry[] }).tenants[0]!;
  assert.equal(chain.verdict, 'intact');
  assert.equal(chain.anchor?.origin, 'sync');
  // That checkpoint was taken after the deletion: the report says what it cannot show.
  writeFileSync(join(dir, 'alone.pdf'), await zipEntry(join(dir, 'alone.zip'), 'report.pdf'));
  const text = execFileSync('pdftotext', ['-layout', join(dir, 'alone.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const cannot = text.slice(text.indexOf('What this verification cannot show'));
  assert.match(
    cannot,
    /before_anchor: the chain was compared with heads recorded earlier, the first of them checkpoint #1 \(sync, [^)]+\)\. A tail removed, or a history rewritten consistently from its start, before that was recorded would not be seen\./,
  );
});
