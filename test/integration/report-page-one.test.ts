// Issue 14: page 1 of the PDF leads with what an inspector must read first: the data
// verdict, the period as explicit UTC times (never "beginning to end"), the exceptions
// queue's counts (total, decided, open) and whether the review was signed off, by whom
// and when. Checked with pdftotext on page 1 alone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { zipEntry } from '../helpers/package-zip.js';

const dir = scratchDir('auditdesk-page-one-');
const cache = join(dir, 'cache.sqlite');
const env = { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'page-one-password' };
const cli = (args: string[]) => runAuditdesk(args, { env, cwd: dir });

async function pageOne(zip: string): Promise<string> {
  const pdf = join(dir, `${zip}.pdf`);
  writeFileSync(pdf, await zipEntry(join(dir, zip), 'report.pdf'));
  return execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

let open = 0;

before(async () => {
  const f = new CacheFixture(cache);
  fillDemoLike(f, 'acme', 60, { conversations: 20 });
  f.close();
  assert.equal((await cli(['identity', 'create', '--name', 'Page One', '--org', 'Audit LLP', '--email', 'one@audit.example', '--out', 'id.p12'])).code, 0);
  const queue = JSON.parse((await cli(['review', 'list', '--cache', cache, '--tenant', 'acme', '--json'])).stdout) as { coverage: { total: number; open: number } };
  open = queue.coverage.open;
  assert.ok(open > 0, 'the fixture has exceptions (model/config findings)');
});

test('page 1: the verdict, the period in UTC times, the exceptions counts and "review not completed"', async () => {
  assert.equal((await cli(['export', '--cache', cache, '--tenant', 'acme', '--identity', 'id.p12', '--out', 'before.zip'])).code, 0);
  const text = await pageOne('before.zip');
  assert.match(text, /Hash chain intact/);
  assert.match(text, /Period \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \(first exported row\) to \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \(last exported row\); no period bound/);
  assert.doesNotMatch(text, /beginning to end/);
  assert.match(text, new RegExp(`Exceptions: ${open} in the queue, 0 decided, ${open} open\\.`));
  assert.match(text, /Review not completed: no signed completion record\./);

  const bounded = await cli(['export', '--cache', cache, '--tenant', 'acme', '--from', '2026-01-01', '--to', '2027-01-01', '--identity', 'id.p12', '--out', 'bounded.zip']);
  assert.equal(bounded.code, 0, bounded.stderr);
  assert.match(await pageOne('bounded.zip'), /Period 2026-01-01T00:00:00(\.0+)?Z \(from, inclusive\) to 2027-01-01T00:00:00(\.0+)?Z \(to, exclusive\)/);
});

test('after a signed completion with open items, page 1 names who completed it, when, and how many were left open', async () => {
  const completed = await cli(['review', 'complete', '--cache', cache, '--note', 'page one test', '--accept-open-items', '--identity', 'id.p12']);
  assert.equal(completed.code, 0, completed.stderr);
  assert.equal((await cli(['export', '--cache', cache, '--tenant', 'acme', '--identity', 'id.p12', '--out', 'after.zip'])).code, 0);
  const text = await pageOne('after.zip');
  assert.match(text, new RegExp(`Review completed by Page One at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(UTC\\), signed as "Review completed", with ${open} item\\(s\\) signed off as open\\.`));
});
