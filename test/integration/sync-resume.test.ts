// A sync stopped at any moment resumes without a duplicate or a lost row: the
// process killed with SIGKILL mid-way, or its connection terminated by the
// server (pg_terminate_backend), then the same sync run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache, type SyncSummary } from '../../src-main/core/sync/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';

const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));
let demo: DemoDb;
let dir: string;
let admin: pg.Client;

before(async () => {
  demo = await startDemoDb({ events: 50_000 });
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-sync-resume-'));
  admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Counts, seq sums and distinct keys per tenant: what "no duplicate, no lost row" means. */
async function sourceFigures(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const tenant of demo.groundTruth.tenants) {
    const ev = await admin.query(`SELECT count(*)::int AS n, sum(seq)::text AS s FROM audit_logs WHERE tenant_id = $1`, [tenant]);
    const cv = await admin.query(`SELECT count(*)::int AS n FROM conversation_audit_logs WHERE tenant_id = $1`, [tenant]);
    const an = await admin.query(`SELECT count(*)::int AS n FROM audit_anomalies WHERE tenant_id = $1`, [tenant]);
    const ac = await admin.query(`SELECT count(*)::int AS n FROM audit_access_log WHERE tenant_id = $1`, [tenant]);
    out[tenant] = { events: ev.rows[0].n, seqSum: ev.rows[0].s, conversations: cv.rows[0].n, anomalies: an.rows[0].n, access: ac.rows[0].n };
  }
  return out;
}

function cacheFigures(db: CacheDb): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const tenant of demo.groundTruth.tenants) {
    const ev = db.prepare(`SELECT count(*) AS n, count(DISTINCT source_key) AS d, CAST(sum(seq) AS TEXT) AS s FROM records WHERE kind = 'event' AND tenant_id = ?`).get(tenant) as {
      n: number;
      d: number;
      s: string;
    };
    const cv = db.prepare(`SELECT count(*) AS n, count(DISTINCT source_key) AS d FROM records WHERE kind = 'conversation' AND tenant_id = ?`).get(tenant) as { n: number; d: number };
    const an = db.prepare(`SELECT count(*) AS n FROM anomalies WHERE tenant_id = ?`).get(tenant) as { n: number };
    const ac = db.prepare(`SELECT count(*) AS n FROM access_log WHERE tenant_id = ?`).get(tenant) as { n: number };
    assert.equal(ev.n, ev.d, `no duplicate event for ${tenant}`);
    assert.equal(cv.n, cv.d, `no duplicate conversation for ${tenant}`);
    out[tenant] = { events: ev.n, seqSum: ev.s, conversations: cv.n, anomalies: an.n, access: ac.n };
  }
  return out;
}

function committedRows(cachePath: string): number {
  if (!existsSync(cachePath)) return 0;
  try {
    const db = new Database(cachePath, { readonly: true, fileMustExist: true });
    try {
      const r = db.prepare(`SELECT coalesce(sum(rows_fetched), 0) AS n FROM syncs`).get() as { n: number };
      return r.n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // schema not there yet
  }
}

/** Waits until the kernel reports the process stopped (state T in /proc/PID/stat). */
async function untilStopped(pid: number): Promise<void> {
  const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  while (state() !== 'T') await new Promise((r) => setTimeout(r, 5));
}

test('kill -9 mid-sync, then sync again: counts equal to the source, no duplicates', { timeout: 180_000 }, async () => {
  const cachePath = join(dir, 'killed.sqlite');
  const args = [cli, 'sync', '--source', demo.url, '--cache', cachePath, '--batch-rows', '500', '--json'];
  for (const t of demo.groundTruth.tenants) args.push('--tenant', t);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let done = false;
  void exited.then(() => (done = true));
  while (!done && committedRows(cachePath) < 2000) await new Promise((r) => setTimeout(r, 10));
  assert.ok(!done, 'the sync was still running after 2,000 rows');
  // Freeze it, then kill it in exactly the state read here: no commit can land between
  // the look and the kill.
  child.kill('SIGSTOP');
  await untilStopped(child.pid!);
  const committedAtKill = committedRows(cachePath);
  child.kill('SIGKILL');
  assert.equal(await exited, null);

  const db = openCache(cachePath);
  try {
    const partial = cacheFigures(db);
    // The big first fill was in bulk mode: its index work is noted for the next sync.
    assert.ok((db.prepare('SELECT count(*) AS n FROM deferred_schema').get() as { n: number }).n > 0);
    assert.notDeepEqual(partial, await sourceFigures(), 'the kill left the cache part-way');
    assert.equal(committedRows(cachePath), committedAtKill, 'what was committed when the process stopped is what the cache holds');
    await resumeToTheSource(db);
    const interrupted = db.prepare(`SELECT status, message FROM syncs ORDER BY sync_id`).all() as { status: string; message: string | null }[];
    assert.deepEqual(
      interrupted.map((s) => s.status),
      ['failed', 'done'],
    );
    assert.match(interrupted[0]!.message!, /interrupted/);
  } finally {
    db.close();
  }
});

test('connection terminated by the server mid-sync: a clear message, and the next sync resumes', { timeout: 180_000 }, async () => {
  const db = openCache(join(dir, 'terminated.sqlite'));
  try {
    const session = await connectSource(demo.url);
    let terminating: Promise<unknown> | undefined;
    const error = await syncToCache(session, db, {
      tenants: demo.groundTruth.tenants,
      batchRows: 500,
      onProgress: (p) => {
        if (!terminating && p.phase === 'fetching' && p.done >= 2000) {
          terminating = admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'auditdesk'`);
        }
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await terminating;
    await session.close();
    assert.ok(isUserError(error), `a UserError, got ${String(error)}`);
    assert.equal(error.code, 'E_CONNECTION_LOST');
    assert.match(error.message, /^the connection to 127\.0\.0\.1:\d+\/auditdesk_demo was closed mid-way .*everything fetched so far is kept\. Run the same sync again/);
    assert.doesNotMatch(error.message, /\n/);
    const failed = db.prepare(`SELECT status, rows_fetched FROM syncs`).get() as { status: string; rows_fetched: number };
    assert.equal(failed.status, 'failed');
    assert.ok(failed.rows_fetched >= 2000);

    assert.ok((await resumeToTheSource(db)).rowsFetched > 0);
  } finally {
    db.close();
  }
});

test('the disk fills up mid-sync: one clear line, nothing committed is lost, and the next sync completes', { timeout: 180_000 }, async () => {
  const path = join(dir, 'full.sqlite');
  const db = openCache(path);
  try {
    // SQLite answers SQLITE_FULL once the file would pass max_page_count: the same error a full disk gives.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 3000}`);
    const session = await connectSource(demo.url);
    const error = await syncToCache(session, db, { tenants: demo.groundTruth.tenants }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await session.close();
    assert.ok(isUserError(error), `a UserError, got ${String(error)}`);
    assert.equal(error.code, 'E_DISK_FULL');
    assert.ok(error.message.startsWith(`the disk holding ${path} is full`), error.message);
    assert.match(error.message, /Everything committed before it is intact\. Free some space .* run the same command again/);
    const failed = db.prepare(`SELECT status, rows_fetched FROM syncs`).get() as { status: string; rows_fetched: number };
    assert.equal(failed.status, 'failed');
    assert.ok(failed.rows_fetched > 0, 'some batches were committed before the disk filled');

    db.pragma('max_page_count = 1073741823'); // space freed
    await resumeToTheSource(db);
  } finally {
    db.close();
  }
});

/**
 * Runs the same sync again and checks where it leaves the cache: equal to the source, fully
 * indexed, and nothing reported as modified, deleted or late (nothing changed at the source).
 */
async function resumeToTheSource(db: CacheDb): Promise<SyncSummary> {
  const session = await connectSource(demo.url);
  let summary: SyncSummary;
  try {
    summary = await syncToCache(session, db, { tenants: demo.groundTruth.tenants });
  } finally {
    await session.close();
  }
  assert.equal(summary.rowsChanged, 0);
  assert.equal(summary.rowsDeleted, 0);
  assert.deepEqual(summary.changes, []);
  assert.deepEqual(cacheFigures(db), await sourceFigures());
  assertFullyIndexed(db);
  return summary;
}

/** Every facet index and full-text trigger is back and the FTS index matches the table. */
function assertFullyIndexed(db: CacheDb): void {
  assert.equal((db.prepare('SELECT count(*) AS n FROM deferred_schema').get() as { n: number }).n, 0);
  const fresh = openCache(join(dir, 'reference.sqlite'));
  const shape = (d: CacheDb) => d.prepare(`SELECT type, name FROM sqlite_master WHERE tbl_name = 'records' AND type IN ('index', 'trigger') ORDER BY type, name`).all();
  try {
    assert.deepEqual(shape(db), shape(fresh));
  } finally {
    fresh.close();
  }
  db.exec(`INSERT INTO records_fts(records_fts) VALUES ('integrity-check')`);
  const anyWord = db.prepare(`SELECT count(*) AS n FROM records_fts WHERE records_fts MATCH 'login'`).get() as { n: number };
  const direct = db.prepare(`SELECT count(*) AS n FROM records WHERE event_type = 'login'`).get() as { n: number };
  assert.ok(anyWord.n >= direct.n && direct.n > 0, 'full-text search finds the synced rows');
  // The per-day rollup that facet counts read must equal a fresh count of the rows.
  const rollup = db.prepare('SELECT tenant_id, kind, sum(n) AS n FROM records_rollup GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2').all();
  const counted = db.prepare('SELECT tenant_id, kind, count(*) AS n FROM records GROUP BY 1, 2 ORDER BY 1, 2').all();
  assert.deepEqual(rollup, counted, 'facet rollup equals the rows after the repair');
}
