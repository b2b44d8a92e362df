// Issue 17: the verdict comes with the sync. `auditdesk sync` ends by checking the hash
// chains it cached with verify's engine: it prints each chain's verdict, exits 1 on a
// break like verify, and records the verdict's signed checkpoint and report; the
// verdict is the one `verify --cache` gives for the same cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoDb } from '../helpers/demo-db.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { listCheckpoints } from '../../src-main/core/verify/checkpoints.js';
import type { SyncSummary } from '../../src-main/core/sync/index.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';

let demo: Awaited<ReturnType<typeof startDemoDb>>;

before(async () => {
  demo = await startDemoDb();
});
after(async () => {
  await demo?.stop();
});

const auditdesk = (args: string[]) => runAuditdesk(args);

test('auditdesk sync prints each chain verdict, exits 1 on the tampered tenant, and agrees with verify --cache', async () => {
  const dir = scratchDir('auditdesk-sync-verdict-');
  const cache = join(dir, 'cache.sqlite');
  const data = join(dir, 'data');
  const tenants = demo.groundTruth.tenants;
  const tampered = demo.groundTruth.tamperedTenant;
  const synced = await auditdesk(['sync', '--source', demo.url, ...tenants.flatMap((t) => ['--tenant', t]), '--cache', cache, '--data-dir', data, '--json']);
  assert.equal(synced.code, 1, `a broken chain makes the sync exit 1 like verify (stderr: ${synced.stderr})`);
  const summary = JSON.parse(synced.stdout) as SyncSummary;
  assert.deepEqual(summary.chains?.map((c) => c.tenant).sort(), [...tenants].sort());
  const tamperedChain = summary.chains!.find((c) => c.tenant === tampered)!;
  assert.equal(tamperedChain.verdict, 'broken');
  assert.ok(tamperedChain.breaks > 0);

  // The same verdict, chain by chain, as a verification of the cache afterwards.
  const verified = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--json']);
  const report = JSON.parse(verified.stdout) as VerifyReport;
  for (const c of summary.chains!) {
    const v = report.tenants.find((t) => t.tenant === c.tenant && t.table === c.table)!;
    assert.deepEqual(
      { verdict: c.verdict, rows: c.rows, breaks: c.breaks, lastSeq: c.lastSeq, headHash: c.headHash },
      { verdict: v.verdict, rows: v.rows, breaks: v.breaks.length + v.breaksOmitted, lastSeq: v.lastSeq, headHash: v.headHash },
      `${c.tenant}: the sync's verdict is verify's`,
    );
  }

  // The verdict's report is stored and its checkpoints recorded, beside the sync's own.
  const db = openCache(cache);
  try {
    const stored = db.prepare('SELECT target, report_json FROM verify_reports WHERE report_id = ?').get(summary.verifyReportId) as { target: string; report_json: string } | undefined;
    assert.ok(stored, 'the sync names the stored report');
    assert.deepEqual((JSON.parse(stored.report_json) as VerifyReport).tenants.map((t) => [t.tenant, t.verdict]).sort(), summary.chains!.map((c) => [c.tenant, c.verdict]).sort());
    const checkpoints = listCheckpoints(db, {});
    for (const t of tenants) {
      assert.ok(checkpoints.some((c) => c.origin === 'sync' && c.tenantId === t), `${t}: sync checkpoint`);
      assert.ok(checkpoints.some((c) => c.origin === 'verify' && c.tenantId === t), `${t}: the verdict's checkpoint`);
    }
  } finally {
    db.close();
  }
});

test('auditdesk sync of an intact tenant prints "intact" and exits 0', async () => {
  const dir = scratchDir('auditdesk-sync-verdict-ok-');
  const cache = join(dir, 'cache.sqlite');
  const intact = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant && demo.groundTruth.chainProfiles[t] === 'jcs-sha256-v1')!;
  const synced = await auditdesk(['sync', '--source', demo.url, '--tenant', intact, '--cache', cache, '--data-dir', join(dir, 'data')]);
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stdout, new RegExp(`${intact}.*intact`));
  assert.doesNotMatch(synced.stdout, /broken/i);
});

test('verify --jobs 1 and --jobs 2 print the same report; --jobs 0 is one line naming the flag', async () => {
  const dir = scratchDir('auditdesk-verify-jobs-');
  const cache = join(dir, 'cache.sqlite');
  const data = join(dir, 'data');
  await auditdesk(['sync', '--source', demo.url, ...demo.groundTruth.tenants.flatMap((t) => ['--tenant', t]), '--cache', cache, '--data-dir', data]);
  const reports = [];
  for (const jobs of ['1', '2']) {
    // Each on its own copy: a verification records checkpoints the next one would compare with.
    const copy = join(dir, `cache-${jobs}.sqlite`);
    copyFileSync(cache, copy);
    const r = await auditdesk(['verify', '--cache', copy, '--data-dir', data, '--jobs', jobs, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const { checkedAt: _at, checkpointsRecorded: _cps, cache: _path, ...rest } = JSON.parse(r.stdout) as VerifyReport;
    reports.push(rest);
  }
  assert.deepEqual(reports[1], reports[0]);
  const bad = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--jobs', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--jobs must be a whole number/);
});
