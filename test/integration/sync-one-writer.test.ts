// One writer per cache (issue 13): two syncs started on one cache at the same time
// must not step on each other. Before the writer lease, one of them died with
// "database is locked" and, in about one run of three, the other reported rows it had
// just watched the first sync write as "deleted at the source" (exit 1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { openCache } from '../../src-main/core/cache/open.js';
import type { SyncSummary } from '../../src-main/core/sync/index.js';

const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));
let demo: DemoDb;
let admin: pg.Client;
let dir: string;
/** One tenant keeps each of the 40 syncs short; the race does not depend on how many there are. */
let tenant: string;

before(async () => {
  demo = await startDemoDb();
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  dir = scratchDir('auditdesk-one-writer-');
});

after(async () => {
  await admin?.end();
  await demo?.stop();
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): { done: Promise<CliRun>; pid: number; kill: (signal: NodeJS.Signals) => void; stderrSoFar: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { done, pid: child.pid!, kill: (s) => child.kill(s), stderrSoFar: () => stderr };
}

function syncArgs(cachePath: string, extra: string[] = []): string[] {
  return ['sync', '--source', demo.url, '--tenant', tenant, '--cache', cachePath, '--data-dir', join(dir, 'data'), '--batch-rows', '100', ...extra];
}

/** New rows at the source, so the next sync has work after its watermark. */
async function addSourceRows(events: number, conversations: number): Promise<void> {
  await admin.query(
    `INSERT INTO audit_logs (id, seq, tenant_id, event_type, severity, created_at, prev_hash, hash)
     SELECT gen_random_uuid(), (SELECT max(seq) FROM audit_logs WHERE tenant_id = $1) + g, $1, 'read', 'info', now(), repeat('0', 64), repeat('1', 64)
       FROM generate_series(1, $2::int) g`,
    [tenant, events],
  );
  await admin.query(
    `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, prompt, "timestamp")
     SELECT gen_random_uuid(), $1, 'agent-late', 'session-late', 'api', 'prompt ' || g, now() + g * interval '1 ms'
       FROM generate_series(1, $2::int) g`,
    [tenant, conversations],
  );
}

async function sourceCounts(): Promise<number[]> {
  const n = async (table: string) => (await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenant])).rows[0].n as number;
  return [await n('audit_logs'), await n('conversation_audit_logs'), await n('audit_anomalies'), await n('audit_access_log')];
}

function cacheCounts(cachePath: string): number[] {
  const db = openCache(cachePath);
  try {
    const n = (sql: string) => (db.prepare(sql).get(tenant) as { n: number }).n;
    return [
      n(`SELECT count(*) AS n FROM records WHERE kind = 'event' AND tenant_id = ?`),
      n(`SELECT count(*) AS n FROM records WHERE kind = 'conversation' AND tenant_id = ?`),
      n(`SELECT count(*) AS n FROM anomalies WHERE tenant_id = ?`),
      n(`SELECT count(*) AS n FROM access_log WHERE tenant_id = ?`),
    ];
  } finally {
    db.close();
  }
}

function summaryOf(run: CliRun): SyncSummary {
  assert.equal(run.code, 0, `a sync exited ${run.code}: ${run.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(run.stdout) as SyncSummary;
}

test('two CLI syncs started together on one cache, 20 times: neither reports a change and the cache ends with the source counts', { timeout: 600_000 }, async () => {
  const cachePath = join(dir, 'together.sqlite');
  assert.equal((await runCli(syncArgs(cachePath, ['--json'])).done).code, 0, 'the first fill');
  for (let round = 1; round <= 20; round++) {
    await addSourceRows(300, 150);
    const [a, b] = await Promise.all([runCli(syncArgs(cachePath, ['--json'])).done, runCli(syncArgs(cachePath, ['--json'])).done]);
    for (const summary of [summaryOf(a), summaryOf(b)]) {
      assert.equal(summary.rowsChanged, 0, `round ${round}: nothing changed at the source`);
      assert.equal(summary.rowsDeleted, 0, `round ${round}: nothing was deleted at the source`);
      assert.deepEqual(summary.changes, [], `round ${round}`);
    }
    // Exactly one of them fetched the new rows; the other found nothing new after it.
    const fetched = [summaryOf(a).rowsFetched, summaryOf(b).rowsFetched].sort((x, y) => x - y);
    assert.deepEqual(fetched, [0, 450], `round ${round}: one sync fetched the new rows, the other waited for it`);
    assert.deepEqual(cacheCounts(cachePath), await sourceCounts(), `round ${round}: the cache holds the source's rows exactly`);
  }
});
