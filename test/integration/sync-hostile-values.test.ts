// Values that break naive pipelines survive the trip into the cache byte for byte:
// a 10 MB prompt, quotes, commas, newlines, emoji, right-to-left text, deeply
// nested JSON, and NULL in every nullable column. The cache gives back exactly the
// text PostgreSQL printed (timestamps in their canonical UTC form).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { fromRecord, type MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import { canonicalTimestamp, typeCategory } from '../../src-main/core/chain/canonical.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';
import { connectSource, newRecheckSecret } from '../../src-main/core/source/index.js';
import { BucketFold, cachedRows, syncToCache } from '../../src-main/core/sync/index.js';

let demo: DemoDb;
let dir: string;
let db: CacheDb;
let admin: pg.Client;
let tenant: string;

const NASTY = [
  `she said "hello", then 'bye'; -- DROP TABLE x;`,
  'comma,separated,"quoted,comma"\r\nnew line\nand\ttab and back\\slash \\N \\.',
  'emoji 😀👩🏽‍⚕️🏳️‍🌈 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'RTL: مرحبا بالعالم — שלום עולם \u200f\u202e reversed \u202c',
  'combining e\u0301 vs é, zero-width\u200bjoiner, BOM \ufeff, replacement \ufffd',
];

function nestedJson(depth: number): string {
  let v = '{"leaf": "deep \\"quoted\\" 😀"}';
  for (let i = 0; i < depth; i++) v = `{"level": ${i}, "next": [${v}, null, "x,y"]}`;
  return v;
}

const ids = {
  big: '10000000-0000-4000-8000-000000000001',
  nasty: '10000000-0000-4000-8000-000000000002',
  nulls: '10000000-0000-4000-8000-000000000003',
  event: '10000000-0000-4000-8000-000000000004',
  eventNulls: '10000000-0000-4000-8000-000000000005',
  anomaly: '10000000-0000-4000-8000-000000000006',
  access: '10000000-0000-4000-8000-000000000007',
};

before(async () => {
  demo = await startDemoDb();
  tenant = demo.groundTruth.tenants[0]!;
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-hostile-'));
  db = openCache(join(dir, 'cache.sqlite'));
  admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();

  const tenMb = ('prompt ' + NASTY.join(' | ') + '\n').repeat(Math.ceil((10 * 1024 * 1024) / 300)).slice(0, 10 * 1024 * 1024);
  const insertConv = `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, prompt, response, model_info, "timestamp",
      model_provider, model_name, model_version, deployment_id, temperature, safety_mode, model_config)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`;
  await admin.query(insertConv, [
    ids.big,
    tenant,
    'agent,"x"',
    'sess\nion',
    'web',
    tenMb,
    NASTY[3],
    NASTY[4],
    '2026-02-03 04:05:06.000001+00',
    'openai',
    'gpt "4o"',
    'v1,2',
    'dep\\1',
    '1.40',
    'strict',
    nestedJson(200),
  ]);
  await admin.query(insertConv, [
    ids.nasty,
    tenant,
    NASTY[2],
    NASTY[3],
    'slack',
    NASTY.join('\n'),
    NASTY[1],
    NASTY[0],
    '2026-02-03 04:05:06.5+00',
    NASTY[2],
    NASTY[3],
    NASTY[0],
    NASTY[1],
    ' 0.7 ',
    NASTY[4],
    JSON.stringify({ text: NASTY, n: 1e21, f: 0.1, big: 12345678901234567000, s: '\\u0041' }),
  ]);
  await admin.query(insertConv, [ids.nulls, tenant, 'agent', 'session', 'api', null, null, null, '2026-02-03 04:05:07+00', null, null, null, null, null, null, null]);

  const lastSeq = (await admin.query(`SELECT max(seq)::text AS s FROM audit_logs WHERE tenant_id = $1`, [tenant])).rows[0].s as string;
  const insertEvent = `INSERT INTO audit_logs (id, seq, tenant_id, event_type, entity_type, entity_id, severity, user_id, action_details, ip_address, created_at, prev_hash, hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
  await admin.query(insertEvent, [
    ids.event,
    BigInt(lastSeq) + 1n,
    tenant,
    NASTY[0],
    NASTY[1],
    NASTY[2],
    'high',
    NASTY[3],
    nestedJson(100),
    '::1',
    '2099-12-31 23:59:59.999999+00',
    'a'.repeat(64),
    'b'.repeat(64),
  ]);
  await admin.query(insertEvent, [ids.eventNulls, BigInt(lastSeq) + 2n, tenant, 'read', null, null, 'info', null, null, null, '2100-01-01 00:00:00+00', 'b'.repeat(64), 'c'.repeat(64)]);
  await admin.query(
    `INSERT INTO audit_anomalies (id, audit_event_id, tenant_id, anomaly_score, detected_at, detector, features, model_version)
     VALUES ($1, $2, $3, 0.99999, '2026-02-03 04:05:06.123+00', $4, $5, NULL)`,
    [ids.anomaly, ids.event, tenant, NASTY[2], nestedJson(50)],
  );
  await admin.query(
    `INSERT INTO audit_access_log (id, tenant_id, user_id, access_type, query_parameters, accessed_at)
     VALUES ($1, $2, $3, 'export', NULL, '2026-02-03 04:05:06+00')`,
    [ids.access, tenant, NASTY[3]],
  );
});

after(async () => {
  await admin?.end();
  db?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The row as PostgreSQL prints it, column by column, in the source's column order. */
async function printed(table: string, id: string, columns: MappedColumn[]): Promise<(string | null)[]> {
  const select = columns.map((c) => `"${c.name}"::text`).join(', ');
  const r = await admin.query({ text: `SELECT ${select} FROM ${table} WHERE id = $1`, values: [id], rowMode: 'array' });
  assert.equal(r.rows.length, 1, `${table} ${id} exists`);
  return r.rows[0] as (string | null)[];
}

function cachedValues(kind: string, cacheTable: string, id: string): { columns: MappedColumn[]; values: (string | null)[]; digest: string } {
  const t = db.prepare('SELECT table_id, columns_json FROM source_tables WHERE kind = ?').get(kind) as { table_id: number; columns_json: string };
  const columns = JSON.parse(t.columns_json) as MappedColumn[];
  const row = db.prepare(`SELECT * FROM ${cacheTable} WHERE table_id = ? AND source_key = ?`).safeIntegers(true).get(t.table_id, id) as Record<string, string | bigint | null>;
  assert.ok(row, `${kind} ${id} cached`);
  return { columns, values: fromRecord(columns, row), digest: String(row.digest) };
}

test('hostile values round-trip byte-exact from the source to the cache', { timeout: 120_000 }, async () => {
  const session = await connectSource(demo.url);
  try {
    await syncToCache(session, db, { tenants: [tenant] });
  } finally {
    await session.close();
  }
  const cases: [string, string, string, string][] = [
    ['conversations', 'records', 'conversation_audit_logs', ids.big],
    ['conversations', 'records', 'conversation_audit_logs', ids.nasty],
    ['conversations', 'records', 'conversation_audit_logs', ids.nulls],
    ['events', 'records', 'audit_logs', ids.event],
    ['events', 'records', 'audit_logs', ids.eventNulls],
    ['anomalies', 'anomalies', 'audit_anomalies', ids.anomaly],
    ['access', 'access_log', 'audit_access_log', ids.access],
  ];
  for (const [kind, cacheTable, sourceTable, id] of cases) {
    const cached = cachedValues(kind, cacheTable, id);
    const source = await printed(sourceTable, id, cached.columns);
    // Row times are kept in canonical UTC form; everything else exactly as printed.
    const expected = source.map((v, i) => {
      const c = cached.columns[i]!;
      return v !== null && c.field && ['ts', 'detected_at', 'accessed_at'].includes(c.field) && typeCategory(c.type) === 'timestamp' ? canonicalTimestamp(v) : v;
    });
    assert.equal(cached.values.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      const a = cached.values[i] === null ? null : Buffer.from(cached.values[i]!, 'utf8');
      const b = expected[i] === null ? null : Buffer.from(expected[i]!, 'utf8');
      assert.deepEqual(a, b, `${sourceTable}.${cached.columns[i]!.name} of ${id} is byte-identical`);
    }
    assert.equal(cached.digest, rowDigest(cached.columns, source), `${sourceTable} ${id}: digest over the printed values`);
  }
  // NULL stays NULL in every nullable column (not '' or 'null').
  const nulls = cachedValues('conversations', 'records', ids.nulls);
  const nullable = ['prompt', 'response', 'model_info', 'model_provider', 'model_name', 'model_version', 'deployment_id', 'temperature', 'safety_mode', 'model_config'];
  for (const name of nullable) assert.equal(nulls.values[nulls.columns.findIndex((c) => c.name === name)], null, `${name} is NULL`);
  const big = cachedValues('conversations', 'records', ids.big);
  assert.equal(
    Buffer.byteLength(big.values[big.columns.findIndex((c) => c.name === 'prompt')]!, 'utf8'),
    Buffer.byteLength((await printed('conversation_audit_logs', ids.big, big.columns))[5]!, 'utf8'),
  );

  // The recheck's per-bucket row hashes computed by the server and by the cache agree
  // on hostile values too, so an unchanged table is never fetched again.
  const again = await connectSource(demo.url);
  try {
    const tables = await again.discover();
    for (const [kind, table] of Object.entries(tables)) {
      const t = db.prepare('SELECT table_id, columns_json FROM source_tables WHERE kind = ?').get(kind) as { table_id: number; columns_json: string };
      const buckets = 7;
      const secret = newRecheckSecret();
      const server = await again.bucketDigests(table!, tenant, { orderBy: kind === 'events' ? 'seq' : 'key', buckets, secret });
      const local = new BucketFold(buckets, secret);
      for (const r of cachedRows(db, table!.kind, t.table_id, tenant, JSON.parse(t.columns_json) as MappedColumn[])) local.add(r.key, r.values);
      assert.ok(server.length > 0, `${kind}: the server folded rows`);
      assert.deepEqual([...local.differingFrom(server)], [], `${kind}: server and cache bucket hashes agree`);
    }
    const summary = await syncToCache(again, db, { tenants: [tenant] });
    assert.deepEqual(summary.changes, []);
  } finally {
    await again.close();
  }
});
