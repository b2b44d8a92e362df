// Issue 17, "at scale": `verify --source` given more than once reads each chain in seq
// ranges from every URL at once and reports exactly what one URL reports, damaged chains
// and breaks at the range boundary included, with any number of parse workers; and one
// URL with --jobs 2 reads two spans over two connections sharing one snapshot, alike. Two URLs to
// the same embedded server stand in for a primary and its replica; a URL of another
// database is refused by name before anything is read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { runAuditdesk } from '../helpers/cli.js';
import { editAsOwner, lastSeqOf } from '../helpers/source-edit.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { holdSnapshot, readParts, splitChain } from '../../src-main/core/source/replicas.js';

let demo: DemoDb;
let dir: string;
/** The same database under another host name: a second URL, a second connection, the same cluster. */
let secondUrl: string;
let firstUrl: string;
/** The password goes in PGPASSWORD, as the CLI asks, so each URL's label is all stderr shows of it. */
let env: NodeJS.ProcessEnv;

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-replicas-'));
  const url = new URL(demo.url);
  env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  url.password = '';
  firstUrl = url.toString();
  secondUrl = firstUrl.replace('@127.0.0.1:', '@localhost:');
  assert.notEqual(secondUrl, firstUrl);
});
after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `jobs` 0: no parse worker, the chain is parsed in the CLI's own thread. */
async function verify(sources: string[], jobs: number): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  const tenants = demo.groundTruth.tenants.flatMap((t) => ['--tenant', t]);
  const r = await runAuditdesk(['verify', ...sources.flatMap((s) => ['--source', s]), ...tenants, '--json', ...(jobs ? ['--jobs', String(jobs)] : []), '--data-dir', join(dir, 'data')], {
    env: jobs ? env : { ...env, AUDITDESK_VERIFY_THREADS: '0' },
  });
  assert.ok(r.stdout.startsWith('{'), `no report (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyReport, stderr: r.stderr };
}

const breaksOf = (report: VerifyReport, tenant: string) =>
  report.tenants
    .filter((t) => t.tenant === tenant)
    .flatMap((t) => t.breaks)
    .map((b) => `${b.kind}@${b.seq}`);

describe('a chain read in ranges from two URLs of one database', () => {
  test('reports exactly what one URL reports, on the demo with its planted damage, with 0, 1 and 2 parse workers', async () => {
    const one = await verify([firstUrl], 1);
    assert.equal(one.code, 1, 'the demo holds planted damage');
    for (const jobs of [0, 1, 2]) {
      const two = await verify([firstUrl, secondUrl], jobs);
      assert.equal(two.code, one.code);
      assert.deepEqual(two.report.tenants, one.report.tenants, `--jobs ${jobs}`);
      const note = two.report.notes.find((n) => n.startsWith('each chain was read in 2 seq spans'));
      assert.ok(note, two.report.notes.join('\n'));
      assert.match(note, /127\.0\.0\.1:\d+\/auditdesk_demo \(span 1 of 2, and any rows without a seq\), localhost:\d+\/auditdesk_demo \(span 2 of 2\)/);
      assert.deepEqual(
        one.report.notes.filter((n) => n.startsWith('each chain was read')),
        [],
        'one URL with one job reads one stream',
      );
    }
  });

  test('one URL with --jobs 2 reads two spans over two connections in one snapshot, and reports what one connection reports', async () => {
    const one = await verify([firstUrl], 1);
    const spans = await verify([firstUrl], 2);
    assert.equal(spans.code, one.code);
    assert.deepEqual(spans.report.tenants, one.report.tenants);
    assert.ok(
      spans.report.notes.includes('each chain was read in 2 seq spans at once, over 2 read-only connections sharing one snapshot (the rows one COPY would give).'),
      spans.report.notes.join('\n'),
    );
  });

  test('breaks on both sides of the range boundary are found as one URL finds them', async () => {
    const before = await verify([firstUrl], 1);
    const tenant = before.report.tenants.find((t) => t.table === 'audit_logs' && t.intact && t.rows > 10)!.tenant;
    // The two URLs split [1, last] at the middle: edit the first row of the second span, delete the last of the first.
    const boundary = await editAsOwner(demo.adminUrl, async (admin) => {
      const last = BigInt(await lastSeqOf(admin, tenant));
      const first = BigInt((await admin.query<{ seq: string }>('SELECT min(seq)::text AS seq FROM audit_logs WHERE tenant_id = $1', [tenant])).rows[0]!.seq);
      const second = first + (last - first + 2n) / 2n;
      await admin.query("UPDATE audit_logs SET severity = 'edited-at-boundary' WHERE tenant_id = $1 AND seq = $2", [tenant, String(second)]);
      await admin.query('DELETE FROM audit_anomalies WHERE audit_event_id IN (SELECT id FROM audit_logs WHERE tenant_id = $1 AND seq = $2)', [tenant, String(second - 1n)]);
      await admin.query('DELETE FROM audit_logs WHERE tenant_id = $1 AND seq = $2', [tenant, String(second - 1n)]);
      return second;
    });
    const one = await verify([firstUrl], 1);
    assert.deepEqual(breaksOf(one.report, tenant), [`deleted@${boundary - 1n}`, `modified@${boundary}`]);
    for (const jobs of [0, 2]) {
      const two = await verify([firstUrl, secondUrl], jobs);
      assert.equal(two.code, 1);
      assert.deepEqual(two.report.tenants, one.report.tenants, `--jobs ${jobs}`);
    }
    const spans = await verify([firstUrl], 2);
    assert.deepEqual(spans.report.tenants, one.report.tenants, 'one URL, two connections in one snapshot');
  });

  test('a URL of another database is refused by name before any chain is read', async () => {
    const other = firstUrl.replace(/\/auditdesk_demo\b/, '/postgres');
    const r = await runAuditdesk(['verify', '--source', firstUrl, '--source', other, '--tenant', demo.groundTruth.tenants[0]!, '--data-dir', join(dir, 'data')], { env });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /127\.0\.0\.1:\d+\/postgres is not the same database as 127\.0\.0\.1:\d+\/auditdesk_demo \(cluster \d+, database postgres; the first is cluster \d+, database auditdesk_demo\)/,
    );
    assert.match(r.stderr, /Give further --source URLs only for replicas of the first one/);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /password/, 'no warning: no password was in a URL');
  });

  test('a URL that logs in as another role is refused: row-level security could show it other rows', async () => {
    // The superuser bypasses row-level security: its span would hold every tenant's rows.
    const r = await runAuditdesk(['verify', '--source', firstUrl, '--source', demo.adminUrl, '--tenant', demo.groundTruth.tenants[0]!, '--data-dir', join(dir, 'data')], { env });
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /reads as role postgres, the first URL as auditor_ro: row-level security could show it other rows/);
    assert.equal(r.stdout, '');
  });

  test('the spans over several connections see the snapshot the extent was read in: a row deleted meanwhile is still read', async () => {
    const session = await connectSource(demo.url);
    const tenant = demo.groundTruth.tenants[0]!;
    try {
      const table = (await session.discover()).events!;
      const copy = { target: demo.url };
      const held = await holdSnapshot(copy, table, tenant);
      try {
        const middle = BigInt(held.extent.from!) + ((BigInt(held.extent.through!) - BigInt(held.extent.from!)) * 3n) / 4n;
        await editAsOwner(demo.adminUrl, async (admin) => {
          await admin.query('DELETE FROM audit_anomalies WHERE audit_event_id IN (SELECT id FROM audit_logs WHERE tenant_id = $1 AND seq = $2)', [tenant, String(middle)]);
          await admin.query('DELETE FROM audit_logs WHERE tenant_id = $1 AND seq = $2', [tenant, String(middle)]);
        });
        const parts = splitChain(
          held.extent,
          [
            { session, copy },
            { session, copy },
          ],
          held.snapshot,
        );
        let text = '';
        for await (const chunk of readParts(parts, table, tenant)) text += chunk.toString('utf8');
        const seqs = text
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\t')[table.keys.seq!]);
        assert.ok(seqs.includes(String(middle)), `seq ${middle}, deleted after the snapshot was taken, is read`);
        assert.equal(seqs.at(-1), held.extent.through);
      } finally {
        await held.close();
      }
    } finally {
      await session.close();
    }
  });
});
