// A second sync fetches only what is new, and never silently overwrites evidence:
// rows changed at the source keep both versions and are reported, rows deleted at
// the source are reported (the cached copy stays), and a seal comparison lists
// what was modified, deleted or added since.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import type { SourceSession } from '../../src-main/core/source/index.js';
import { syncToCache, compareWithSeal, latestSeal } from '../../src-main/core/sync/index.js';
import { merkleRoot } from '../../src-main/core/chain/merkle.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';
import { fromRecord, type MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import { withSourceSession } from '../helpers/source-session.js';

let demo: DemoDb;
let dir: string;
let db: CacheDb;
let admin: pg.Client;
let tenant: string;

const withSession = <T>(work: (s: SourceSession) => Promise<T>): Promise<T> => withSourceSession(demo.url, work);

const sync = (opts: { recheck?: boolean } = {}) => withSession((s) => syncToCache(s, db, { tenants: [tenant], ...opts }));

before(async () => {
  demo = await startDemoDb();
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-sync-incr-'));
  db = openCache(join(dir, 'cache.sqlite'));
  admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  db?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const countCached = (sql: string) => (db.prepare(sql).get(tenant) as { n: number }).n;

test('first sync copies every row of the tenant and seals each table', async () => {
  const summary = await sync();
  const expected = demo.groundTruth.counts[tenant]!;
  assert.equal(countCached(`SELECT count(*) AS n FROM records WHERE kind = 'event' AND tenant_id = ?`), expected.audit_logs);
  assert.equal(countCached(`SELECT count(*) AS n FROM records WHERE kind = 'conversation' AND tenant_id = ?`), expected.conversation_audit_logs);
  assert.equal(countCached(`SELECT count(*) AS n FROM anomalies WHERE tenant_id = ?`), expected.audit_anomalies);
  assert.equal(countCached(`SELECT count(*) AS n FROM access_log WHERE tenant_id = ?`), expected.audit_access_log);
  const events = summary.tables.find((t) => t.kind === 'events')!;
  assert.equal(events.fetched, expected.audit_logs);
  assert.equal(events.seal.rowCount, expected.audit_logs);
  assert.equal(events.seal.headSeq, String(demo.groundTruth.chainHeads[tenant]!.last_seq));
  assert.equal(events.seal.headHash, demo.groundTruth.chainHeads[tenant]!.hash);

  // The seal's Merkle root is over the digests of the rows as the source printed them, in seq order.
  const src = await admin.query({
    text: `SELECT id::text, seq::text, tenant_id, event_type, entity_type, entity_id, severity, user_id, action_details::text,
                  ip_address, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00'), prev_hash, hash
             FROM audit_logs WHERE tenant_id = $1 ORDER BY audit_logs.seq`,
    values: [tenant],
    rowMode: 'array',
  });
  const table = db.prepare(`SELECT columns_json FROM source_tables WHERE kind = 'events'`).get() as { columns_json: string };
  const columns = JSON.parse(table.columns_json) as MappedColumn[];
  assert.deepEqual(
    columns.map((c) => c.name),
    ['id', 'seq', 'tenant_id', 'event_type', 'entity_type', 'entity_id', 'severity', 'user_id', 'action_details', 'ip_address', 'created_at', 'prev_hash', 'hash'],
  );
  assert.equal(events.seal.merkleRoot, merkleRoot((src.rows as (string | null)[][]).map((r) => rowDigest(columns, r))));
});

test('a second sync with nothing new fetches nothing and finds nothing changed', async () => {
  const summary = await sync();
  assert.equal(summary.rowsFetched, 0);
  assert.equal(summary.rowsChanged, 0);
  assert.equal(summary.rowsDeleted, 0);
  assert.deepEqual(summary.changes, []);
});

test('rows added at the source after a sync are the only ones fetched by the next', async () => {
  const head = demo.groundTruth.chainHeads[tenant]!;
  await admin.query(
    `INSERT INTO audit_logs (id, seq, tenant_id, event_type, severity, created_at, prev_hash, hash)
     SELECT gen_random_uuid(), $2::bigint + g, $1, 'read', 'info', now(), repeat('0', 64), repeat('1', 64) FROM generate_series(1, 7) g`,
    [tenant, head.last_seq],
  );
  await admin.query(
    `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, prompt, "timestamp")
     SELECT gen_random_uuid(), $1, 'agent-new', 'session-new', 'api', 'new prompt ' || g, '2099-01-01'::timestamptz + g * interval '1 s'
       FROM generate_series(1, 3) g`,
    [tenant],
  );
  const before = db.prepare('SELECT max(sync_id) AS s FROM syncs').get() as { s: number };
  const summary = await sync();
  assert.equal(summary.rowsFetched, 10);
  assert.equal(summary.tables.find((t) => t.kind === 'events')!.fetched, 7);
  assert.equal(summary.tables.find((t) => t.kind === 'conversations')!.fetched, 3);
  // The recheck of the rows cached before compares them with the source up to the old
  // watermark only: the rows this sync just added are neither changed nor "deleted".
  assert.equal(summary.rowsChanged, 0);
  assert.equal(summary.rowsDeleted, 0);
  assert.deepEqual(summary.changes, []);
  // Exactly those rows carry the new sync's id.
  const fresh = db.prepare('SELECT count(*) AS n FROM records WHERE sync_id > ?').get(before.s) as { n: number };
  assert.equal(fresh.n, 10);
  assert.equal(summary.tables.find((t) => t.kind === 'events')!.seal.headSeq, String(head.last_seq + 7));
});

test('a row changed at the source keeps both versions and is reported; a deleted row is reported and kept', async () => {
  const [changed, gone] = (await admin.query(`SELECT id::text FROM conversation_audit_logs WHERE tenant_id = $1 ORDER BY "timestamp", id LIMIT 2`, [tenant])).rows.map((r: { id: string }) => r.id);
  const oldPrompt = (db.prepare('SELECT prompt FROM records WHERE source_key = ?').get(changed) as { prompt: string | null }).prompt;
  await admin.query(`UPDATE conversation_audit_logs SET prompt = 'rewritten after the fact' WHERE id = $1`, [changed]);
  await admin.query(`DELETE FROM conversation_audit_logs WHERE id = $1`, [gone]);

  // The seal comparison sees both without touching the cache.
  const comparison = await withSession(async (s) => {
    const tables = await s.discover();
    return compareWithSeal(s, db, { table: tables.conversations!, tenant });
  });
  assert.deepEqual(comparison.modified, [changed]);
  assert.deepEqual(comparison.deleted, [gone]);
  assert.deepEqual(comparison.added, []);
  assert.equal(comparison.matches, false);

  const summary = await sync();
  assert.equal(summary.rowsFetched, 0);
  assert.equal(summary.rowsChanged, 1);
  assert.equal(summary.rowsDeleted, 1);
  assert.deepEqual(
    summary.changes.map((c) => [c.change, c.key]).sort(),
    [
      ['deleted', gone],
      ['modified', changed],
    ].sort(),
  );
  const now = db.prepare('SELECT prompt FROM records WHERE source_key = ?').get(changed) as { prompt: string };
  assert.equal(now.prompt, 'rewritten after the fact');
  const versions = db.prepare('SELECT row_json FROM record_versions WHERE source_key = ?').all(changed) as { row_json: string }[];
  assert.equal(versions.length, 1);
  assert.equal(JSON.parse(versions[0]!.row_json).prompt, oldPrompt);
  assert.equal((db.prepare('SELECT count(*) AS n FROM records WHERE source_key = ?').get(gone) as { n: number }).n, 1);

  // After the re-sync the new seal matches the source again except for the row the source lost.
  const again = await withSession(async (s) => compareWithSeal(s, db, { table: (await s.discover()).conversations!, tenant }));
  assert.deepEqual(again.modified, []);
  assert.deepEqual(again.deleted, [gone]);
});

test('rows inserted behind the watermark are found by the recheck and reported', async () => {
  const id = '00000000-0000-4000-8000-00000000abcd';
  await admin.query(
    `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, prompt, "timestamp")
     VALUES ($1, $2, 'agent-late', 's-late', 'web', 'backdated', '2000-01-01T00:00:00Z')`,
    [id, tenant],
  );
  const summary = await sync();
  assert.deepEqual(
    summary.changes.filter((c) => c.change === 'added-behind-watermark').map((c) => c.key),
    [id],
  );
  const row = db.prepare('SELECT prompt, ts FROM records WHERE source_key = ?').get(id) as { prompt: string; ts: string };
  assert.deepEqual(row, { prompt: 'backdated', ts: '2000-01-01T00:00:00.000000Z' });
});

test('the cache rebuilds the exact source values of every row (fromRecord)', async () => {
  const table = db.prepare(`SELECT table_id, columns_json FROM source_tables WHERE kind = 'anomalies'`).get() as { table_id: number; columns_json: string };
  const columns = JSON.parse(table.columns_json) as MappedColumn[];
  const src = await admin.query({
    text: `SELECT id::text, audit_event_id::text, tenant_id, anomaly_score::text, to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                  detector, features::text, model_version FROM audit_anomalies WHERE tenant_id = $1 ORDER BY id`,
    values: [tenant],
    rowMode: 'array',
  });
  const cached = db.prepare('SELECT * FROM anomalies WHERE table_id = ? AND tenant_id = ? ORDER BY source_key').safeIntegers(true).all(table.table_id, tenant) as Record<
    string,
    string | bigint | null
  >[];
  assert.ok(src.rows.length > 0);
  assert.deepEqual(
    cached.map((r) => fromRecord(columns, r)),
    src.rows,
  );
  const seal = latestSeal(db, table.table_id, tenant)!;
  assert.equal(seal.rowCount, src.rows.length);
});
