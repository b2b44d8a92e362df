// A second sync compares the cached rows with the source by hash buckets: the server
// hashes each row's text, the cache the same from its own copy, and only buckets that
// differ are fetched again. The server must print each value as the cache holds it (the
// type's output, as COPY sends it): `::text` prints a boolean as "true" (COPY: "t"), an
// inet with its mask ("10.0.0.50/32"; COPY "10.0.0.50") and a char(n) without its padding,
// so every bucket of such a table differed and each sync fetched the whole table again
// (a tenant of 200,000 events with an inet column: 39 s and 548 MB for a sync that found
// nothing new, against 16 s for the first fill).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { asAdmin } from '../helpers/source-edit.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import type { MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import { newRecheckSecret, type SourceSession } from '../../src-main/core/source/index.js';
import { BucketFold, cachedRows, syncToCache } from '../../src-main/core/sync/index.js';
import { withSourceSession } from '../helpers/source-session.js';

const TABLE = 'typed_audit_logs';
const TENANT = 'typed-tenant';
const ROWS = 400;
const mapping = { events: TABLE };

let demo: DemoDb;
let dir: string;
let db: CacheDb;

before(async () => {
  demo = await startDemoDb();
  await asAdmin(demo.adminUrl, async (admin) => {
    await admin.query(`
      CREATE TABLE ${TABLE} (
        id uuid PRIMARY KEY, seq bigint NOT NULL, tenant_id text NOT NULL, event_type text NOT NULL, created_at timestamptz NOT NULL,
        approved boolean, station char(6), client_ip inet, subnet cidr, amount numeric(12,3), score double precision,
        tags text[], flags boolean[], details jsonb, pause interval, raw bytea, prev_hash text, hash text);
      ALTER TABLE ${TABLE} ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ${TABLE} FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${TABLE} USING (tenant_id = current_setting('app.current_tenant_id', true));
      GRANT SELECT ON ${TABLE} TO auditor_ro;`);
    // Every typed column is NULL on some rows (a NULL must stay apart from an empty print).
    await admin.query(
      `INSERT INTO ${TABLE}
       SELECT md5(g::text)::uuid, g, $1, 'read', '2026-03-01'::timestamptz + g * interval '1.25 s',
              CASE WHEN g % 7 = 0 THEN NULL ELSE g % 2 = 0 END,
              CASE WHEN g % 5 = 0 THEN NULL ELSE 'st' || (g % 9) END,
              CASE WHEN g % 6 = 0 THEN NULL WHEN g % 4 = 0 THEN ('fd00::' || g)::inet ELSE ('10.1.' || (g % 256) || '.' || (g % 200))::inet END,
              CASE WHEN g % 8 = 0 THEN NULL ELSE ('10.' || (g % 256) || '.0.0/16')::cidr END,
              CASE WHEN g % 9 = 0 THEN NULL ELSE g / 3.0 END,
              CASE WHEN g % 10 = 0 THEN NULL ELSE g / 7.0 END,
              CASE WHEN g % 11 = 0 THEN NULL ELSE ARRAY['a b', 'c"d', NULL] END,
              CASE WHEN g % 12 = 0 THEN NULL ELSE ARRAY[g % 2 = 0, true] END,
              CASE WHEN g % 13 = 0 THEN NULL ELSE jsonb_build_object('n', g, 'ok', g % 3 = 0) END,
              CASE WHEN g % 14 = 0 THEN NULL ELSE g * interval '90 s' END,
              CASE WHEN g % 15 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
              repeat('0', 64), repeat('1', 64)
         FROM generate_series(1, $2::int) g`,
      [TENANT, ROWS],
    );
  });
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-recheck-types-'));
  db = openCache(join(dir, 'cache.sqlite'));
});

after(async () => {
  db?.close();
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const withSession = <T>(work: (s: SourceSession) => Promise<T>): Promise<T> => withSourceSession(demo.url, work);

test('booleans, inet, cidr, char(n), arrays, intervals and bytea: the server and the cache hash every bucket alike, so an unchanged table is not fetched again', async () => {
  const first = await withSession((s) => syncToCache(s, db, { tenants: [TENANT], mapping, kinds: ['events'] }));
  assert.equal(first.rowsFetched, ROWS);

  await withSession(async (s) => {
    const table = (await s.discover(mapping)).events!;
    const t = db.prepare('SELECT table_id, columns_json FROM source_tables WHERE table_name = ?').get(TABLE) as { table_id: number; columns_json: string };
    const buckets = 11;
    const secret = newRecheckSecret();
    const server = await s.bucketDigests(table, TENANT, { orderBy: 'seq', buckets, secret });
    const local = new BucketFold(buckets, secret);
    for (const r of cachedRows(db, 'events', t.table_id, TENANT, JSON.parse(t.columns_json) as MappedColumn[])) local.add(r.key, r.values);
    assert.deepEqual([...local.differingFrom(server)], [], 'no bucket differs for a table nobody changed');
  });

  const again = await withSession((s) => syncToCache(s, db, { tenants: [TENANT], mapping, kinds: ['events'] }));
  assert.equal(again.rowsFetched, 0);
  assert.deepEqual(again.changes, []);
});

test('a boolean flipped at the source is still found, and only that row is reported changed', async () => {
  const flipped = await asAdmin(demo.adminUrl, async (admin) => {
    await admin.query(`SELECT set_config('app.current_tenant_id', $1, false)`, [TENANT]);
    const r = await admin.query<{ id: string }>(`UPDATE ${TABLE} SET approved = NOT approved WHERE seq = 43 RETURNING id::text AS id`);
    return r.rows[0]!.id;
  });
  const summary = await withSession((s) => syncToCache(s, db, { tenants: [TENANT], mapping, kinds: ['events'] }));
  assert.deepEqual(
    summary.changes.map((c) => [c.change, c.key]),
    [['modified', flipped]],
  );
});

test('each recheck keys its row hashes with a fresh secret: the same rows give other bucket digests on the next sync, so no edit can be made in advance to match them', async () => {
  // Unkeyed 64-bit hashes folded by XOR can be matched by a source insider: changing
  // four rows of one bucket so their hashes XOR as before is a generalized-birthday
  // search of about 2^22 hashes. A secret drawn after the edit leaves nothing to search.
  const served: string[] = [];
  const recording = (s: SourceSession): SourceSession =>
    new Proxy(s, {
      get(target, name) {
        const member = Reflect.get(target, name) as unknown;
        if (name === 'bucketDigests') {
          return async (...args: Parameters<SourceSession['bucketDigests']>) => {
            const digests = await target.bucketDigests(...args);
            served.push(JSON.stringify([...digests].sort((a, b) => a.bucket - b.bucket)));
            return digests;
          };
        }
        return typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(target) : member;
      },
    });
  for (let i = 0; i < 2; i++) {
    const summary = await withSession((s) => syncToCache(recording(s), db, { tenants: [TENANT], mapping, kinds: ['events'] }));
    assert.equal(summary.rowsFetched, 0, 'nothing changed, nothing fetched');
  }
  assert.equal(served.length, 2, 'each sync rechecked the cached rows');
  assert.notEqual(served[0], served[1], 'the digests of the same rows differ from one recheck to the next');
});
