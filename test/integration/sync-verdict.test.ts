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

  // The same verdict, chain by chain, as a fresh verification of the cache afterwards.
  const verified = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--full', '--json']);
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
    const checkpoints = listCheckpoints(db, {}, null);
    for (const t of tenants) {
      assert.ok(
        checkpoints.some((c) => c.origin === 'sync' && c.tenantId === t),
        `${t}: sync checkpoint`,
      );
      assert.ok(
        checkpoints.some((c) => c.origin === 'verify' && c.tenantId === t),
        `${t}: the verdict's checkpoint`,
      );
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
    const r = await auditdesk(['verify', '--cache', copy, '--data-dir', data, '--jobs', jobs, '--full', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const { checkedAt: _at, checkpointsRecorded: _cps, cache: _path, ...rest } = JSON.parse(r.stdout) as VerifyReport;
    reports.push(rest);
  }
  assert.deepEqual(reports[1], reports[0]);
  const bad = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--jobs', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--jobs must be a whole number/);
});

/** What a verification leaves in the cache: its stored reports and checkpoints. */
function recorded(cache: string): { reports: number; checkpoints: number } {
  const db = openCache(cache);
  try {
    return { reports: db.prepare('SELECT count(*) FROM verify_reports').pluck().get() as number, checkpoints: listCheckpoints(db, {}, null).length };
  } finally {
    db.close();
  }
}

test("verify --cache right after a sync gives the sync's verdict again, says so, and re-reads and records nothing; --full verifies afresh", async () => {
  const dir = scratchDir('auditdesk-verify-reuse-');
  const cache = join(dir, 'cache.sqlite');
  const data = join(dir, 'data');
  const synced = await auditdesk(['sync', '--source', demo.url, ...demo.groundTruth.tenants.flatMap((t) => ['--tenant', t]), '--cache', cache, '--data-dir', data, '--json']);
  const summary = JSON.parse(synced.stdout) as SyncSummary;
  const before = recorded(cache);

  const again = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--json']);
  assert.equal(again.code, 1, 'the tampered tenant still makes it exit 1');
  const report = JSON.parse(again.stdout) as VerifyReport;
  assert.equal(report.reusedFrom?.reportId, summary.verifyReportId, "it names the sync's stored report");
  assert.deepEqual(report.tenants.map((t) => [t.tenant, t.verdict]).sort(), summary.chains!.map((c) => [c.tenant, c.verdict]).sort());
  assert.deepEqual(recorded(cache), before, 'no new report and no new checkpoint: nothing was verified now');
  const text = await auditdesk(['verify', '--cache', cache, '--data-dir', data]);
  assert.match(text.stdout, new RegExp(`^Verdict of ${report.reusedFrom!.checkedAt.replace(/[.]/g, '\\.')} \\(stored report #${summary.verifyReportId}, .*given again without re-reading any row`));
  assert.match(text.stdout, /add --full to re-read and re-hash every row/);
  assert.match(text.stdout, /sealed tables .* are not re-checked here: --full re-checks them/);

  const full = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--full', '--json']);
  assert.equal(full.code, 1);
  assert.equal((JSON.parse(full.stdout) as VerifyReport).reusedFrom, undefined);
  assert.equal(recorded(cache).reports, before.reports + 1, '--full verifies and stores a new report');
});

test("a cache written to after its last verdict, or verified by another auditor's key, is re-read in full", async () => {
  const dir = scratchDir('auditdesk-verify-no-reuse-');
  const cache = join(dir, 'cache.sqlite');
  const data = join(dir, 'data');
  const intact = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant && demo.groundTruth.chainProfiles[t] === 'jcs-sha256-v1')!;
  const synced = await auditdesk(['sync', '--source', demo.url, '--tenant', intact, '--cache', cache, '--data-dir', data]);
  assert.equal(synced.code, 0, synced.stderr);

  // Another auditor opening this cache does not take its stored verdict on trust.
  const other = await auditdesk(['verify', '--cache', cache, '--data-dir', join(dir, 'other-auditor'), '--json']);
  assert.equal(other.code, 0, other.stderr);
  assert.equal((JSON.parse(other.stdout) as VerifyReport).reusedFrom, undefined);

  // A row of the cache changed after that verdict: the next verify re-reads the rows and finds
  // the cache no longer holds what the sync stored (damage to the cache, never blamed on the tenant).
  const db = openCache(cache);
  try {
    db.prepare(`UPDATE records SET severity = 'low' WHERE rid = (SELECT min(rid) FROM records WHERE kind = 'event' AND tenant_id = ? AND severity <> 'low')`).run(intact);
  } finally {
    db.close();
  }
  const after = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--json']);
  assert.equal(after.code, 2, after.stdout);
  assert.match(after.stderr, /is damaged: row .* no longer matches what the sync stored/);
});

test("a cache edited with the change counter's trigger dropped is not given its stored verdict: it is re-read", async () => {
  const dir = scratchDir('auditdesk-verify-no-reuse-trigger-');
  const cache = join(dir, 'cache.sqlite');
  const data = join(dir, 'data');
  const intact = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant && demo.groundTruth.chainProfiles[t] === 'jcs-sha256-v1')!;
  const synced = await auditdesk(['sync', '--source', demo.url, '--tenant', intact, '--cache', cache, '--data-dir', data]);
  assert.equal(synced.code, 0, synced.stderr);
  // Someone with the file sets the counter's trigger aside, edits a row, and leaves.
  const db = openCache(cache);
  try {
    db.exec('DROP TRIGGER records_generation_update');
    db.prepare(`UPDATE records SET severity = 'low' WHERE rid = (SELECT min(rid) FROM records WHERE kind = 'event' AND tenant_id = ? AND severity <> 'low')`).run(intact);
  } finally {
    db.close();
  }
  const after = await auditdesk(['verify', '--cache', cache, '--data-dir', data, '--json']);
  assert.doesNotMatch(after.stdout, /"reusedFrom"/, 'the stored verdict is not given for a cache whose counter cannot be trusted');
  assert.equal(after.code, 2, after.stdout);
  assert.match(after.stderr, /is damaged: row .* no longer matches what the sync stored/);
});
