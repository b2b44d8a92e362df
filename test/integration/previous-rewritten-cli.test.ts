// Issue 18, through the CLI a user runs: two real packages of one tenant, and between
// the two visits a row was rewritten at the source and the chain re-hashed from there
// (self-consistent, so the second visit's own sync sees an intact chain). The second
// export with --previous, and verify-package NEW --previous OLD, both fail and name the
// first seq range whose stored hashes differ from the earlier package's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipEntry } from '../helpers/package-zip.js';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { afterFirstVisit, type Visits } from '../helpers/two-visits.js';
import { rechainFrom } from '../../src-main/core/demo/tamper.js';
import { editAsOwner } from '../helpers/source-edit.js';

let demo: DemoDb;
let dir: string;
let tenant: string;
let rewrittenSeq: string;
let lastSeq: string;
let visits: Visits;
const cli = (args: string[]) => visits.cli(args);

before(async () => {
  demo = await startDemoDb();
  visits = await afterFirstVisit(demo, 'auditdesk-previous-rewritten-');
  ({ dir, tenant } = visits);
  // Between the visits: one event's user changed at the source and every later hash recomputed.
  await editAsOwner(demo.adminUrl, async (admin) => {
    const head = await admin.query<{ seq: string; last: string }>(`SELECT (max(seq) / 2)::text AS seq, max(seq)::text AS last FROM audit_logs WHERE tenant_id = $1`, [tenant]);
    rewrittenSeq = head.rows[0]!.seq;
    lastSeq = head.rows[0]!.last;
    await admin.query(`UPDATE audit_logs SET user_id = 'someone-else' WHERE tenant_id = $1 AND seq = $2`, [tenant, rewrittenSeq]);
    await rechainFrom(admin, tenant, rewrittenSeq);
  });
  const synced = await visits.syncSecondVisit();
  assert.equal(synced.code, 0, `the re-chained source looks intact to a fresh sync: ${synced.stdout}${synced.stderr}`);
});

after(async () => {
  await demo?.stop();
});

test('export --previous over a rewritten history writes the package, exits 1 and names the first differing range', async () => {
  const second = await cli(['export', '--engagement', 'second', '--tenant', tenant, '--identity', 'id.p12', '--out', 'second.zip', '--previous', 'first.zip']);
  assert.equal(second.code, 1, second.stdout + second.stderr);
  assert.match(second.stdout, new RegExp(`HISTORY REWRITTEN since package \\S+: .*first at seq ${rewrittenSeq}–${lastSeq}`));
});

test('verify-package NEW --previous OLD is INVALID with HISTORY_REWRITTEN naming the same range; without --previous the package is authentic', async () => {
  const checked = await cli(['verify-package', 'second.zip', '--previous', 'first.zip']);
  assert.equal(checked.code, 1, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /^INVALID /);
  assert.match(checked.stdout, /does NOT extend the previous package/);
  assert.match(checked.stdout, new RegExp(`HISTORY_REWRITTEN.*first at seq ${rewrittenSeq}–${lastSeq}`));
  // The rewrite is invisible inside the new package alone: every file is as signed.
  const alone = await cli(['verify-package', 'second.zip']);
  assert.equal(alone.code, 3, alone.stdout + alone.stderr);
});

// #18 point 3: --checkpoint takes the signed-note form too, checked with the key it names.
async function noteFolder(name: string, note: string): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'signer.vkey'), await zipEntry(join(dir, 'first.zip'), 'signer.vkey'));
  writeFileSync(join(folder, 'checkpoint.note'), note);
  return join(folder, 'checkpoint.note');
}

test("verify --checkpoint takes the first package's signed checkpoint.note: the cache of that visit extends it, the rewritten source does not", async () => {
  const note = await noteFolder('note-good', (await zipEntry(join(dir, 'first.zip'), 'checkpoint.note')).toString('utf8'));
  const same = await cli(['verify', '--engagement', 'first', '--tenant', tenant, '--checkpoint', note, '--json']);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  const sameChain = (JSON.parse(same.stdout) as { tenants: { checkpoints: { label: string; outcome: string }[] }[] }).tenants[0]!;
  assert.ok(
    sameChain.checkpoints.some((c) => /signed checkpoint checkpoint\.note/.test(c.label) && c.outcome === 'extended'),
    JSON.stringify(sameChain.checkpoints),
  );
  const live = await cli(['verify', '--source', demo.url, '--tenant', tenant, '--checkpoint', note, '--json']);
  assert.equal(live.code, 1, live.stdout + live.stderr);
  const liveChain = (JSON.parse(live.stdout) as { tenants: { breaks: { kind: string; explanation: string }[]; checkpoints: { label: string; outcome: string }[] }[] }).tenants[0]!;
  assert.ok(
    liveChain.checkpoints.some((c) => /signed checkpoint checkpoint\.note/.test(c.label) && c.outcome === 'rewritten'),
    JSON.stringify(liveChain.checkpoints),
  );
  assert.ok(
    liveChain.breaks.some((b) => b.kind === 'rewritten'),
    JSON.stringify(liveChain.breaks),
  );
});

test('verify --checkpoint refuses a forged note, an unsigned one and one whose key is not beside it, each with one line and exit 2', async () => {
  const genuine = (await zipEntry(join(dir, 'first.zip'), 'checkpoint.note')).toString('utf8');
  const lines = genuine.split('\n');
  const forged = await noteFolder('note-forged', [lines[0], String(Number(lines[1]) - 5), ...lines.slice(2)].join('\n'));
  const f = await cli(['verify', '--engagement', 'first', '--tenant', tenant, '--checkpoint', forged]);
  assert.equal(f.code, 2, f.stdout + f.stderr);
  assert.match(f.stderr, /checkpoint\.note.*does not verify/);
  assert.equal(f.stderr.trim().split('\n').length, 1, f.stderr);
  const unsigned = await noteFolder('note-unsigned', genuine.slice(0, genuine.indexOf('\n\n') + 1));
  const u = await cli(['verify', '--engagement', 'first', '--tenant', tenant, '--checkpoint', unsigned]);
  assert.equal(u.code, 2, u.stdout + u.stderr);
  assert.match(u.stderr, /checkpoint\.note is neither an anchor JSON nor a signed note/);
  const lonely = join(dir, 'lonely.note');
  writeFileSync(lonely, genuine);
  const k = await cli(['verify', '--engagement', 'first', '--tenant', tenant, '--checkpoint', lonely]);
  assert.equal(k.code, 2, k.stdout + k.stderr);
  assert.match(k.stderr, /signed by auditdesk\.local\/signer\/[0-9a-f]{16}, whose verifier key is not beside it/);
});
