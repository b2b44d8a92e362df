// Cache migration 006: the records key (table_id, tenant_id, source_key) is a named
// unique index, so a first fill can build it once at its end. Upgrading a cache that
// holds rows keeps every row, rid, index, trigger and search result; the key stays
// unique and key lookups use it. A fill without the key that met the same source id
// twice is merged as the keyed insert would have (sync/deferred.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCache, cacheSchemaVersion, loadMigrations, type CacheDb } from '../../src-main/core/cache/open.js';
import { restoreDeferredSchema, type MergedKey } from '../../src-main/core/sync/deferred.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';

const V5 = loadMigrations().slice(0, 5);

function dump(db: CacheDb): unknown[] {
  return db.prepare('SELECT * FROM records ORDER BY rid').raw().all();
}

function schemaNames(db: CacheDb): string[] {
  return db.prepare(`SELECT type || ' ' || name FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL ORDER BY 1`).pluck().all() as string[];
}

function search(db: CacheDb, q: string): number[] {
  return db.prepare('SELECT rowid FROM records_fts WHERE records_fts MATCH ? ORDER BY rowid').pluck().all(q) as number[];
}

describe('cache migration 006 (records key as a named unique index)', () => {
  let old: RecordsFixture;
  let upgraded: CacheDb;
  let before5: { rows: unknown[]; names: string[]; refund: number[]; rollup: unknown[] };

  before(() => {
    old = createRecordsFixture({ events: 700, conversations: 500, seed: 6, migrations: V5 });
    assert.equal(cacheSchemaVersion(old.db), 5);
    before5 = {
      rows: dump(old.db),
      names: schemaNames(old.db),
      refund: search(old.db, 'refund'),
      rollup: old.db.prepare('SELECT * FROM records_rollup ORDER BY k').raw().all(),
    };
    old.close();
    upgraded = openCache(old.path);
  });
  after(() => upgraded.close());

  test('upgrading keeps every row with its rid, the indexes, the triggers and search', () => {
    assert.equal(cacheSchemaVersion(upgraded), loadMigrations().length);
    assert.deepEqual(dump(upgraded), before5.rows);
    assert.deepEqual(search(upgraded, 'refund'), before5.refund);
    assert.deepEqual(upgraded.prepare('SELECT * FROM records_rollup ORDER BY k').raw().all(), before5.rollup);
    // Every index and trigger is back; the constraint's automatic index became records_key
    // (and migration 013 adds the triggers that move the cache's generation counter).
    const later = ['trigger records_generation_insert', 'trigger records_generation_update', 'trigger records_generation_delete'];
    const expected = before5.names
      .filter((n) => !n.startsWith('index sqlite_autoindex'))
      .concat('index records_key', ...later)
      .sort();
    assert.deepEqual(schemaNames(upgraded), expected);
  });

  test('the key stays unique and key lookups use it', () => {
    const [rid] = upgraded.prepare('SELECT rid FROM records LIMIT 1').raw().get() as [number];
    assert.throws(
      () =>
        upgraded
          .prepare(
            'INSERT INTO records SELECT NULL, table_id, kind, source_key, tenant_id, ts, seq, prev_hash, hash, event_type, entity_type, entity_id, severity, user_id, ip_address, action_details, agent_id, session_id, channel, prompt, response, model_info, model_provider, model_name, model_version, deployment_id, temperature, temperature_num, safety_mode, model_config, extra, digest, sync_id FROM records WHERE rid = ?',
          )
          .run(rid),
      /UNIQUE constraint failed/,
    );
    const plan = (upgraded.prepare('EXPLAIN QUERY PLAN SELECT rid FROM records WHERE table_id = ? AND tenant_id = ? AND source_key = ?').all(1, 't', 'k') as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    assert.match(plan, /USING COVERING INDEX records_key \(table_id=\? AND tenant_id=\? AND source_key=\?\)/);
  });

  test('a fill without the key that met one source id twice is merged as the keyed insert would have', () => {
    const fx = createRecordsFixture({ events: 60, conversations: 0, seed: 7 });
    const db = fx.db;
    try {
      const keySql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'records_key'").pluck().get() as string;
      db.exec('DROP INDEX records_key');
      db.prepare("INSERT INTO deferred_schema (name, kind, sql, created_at) VALUES ('records_key', 'index', ?, 'x')").run(keySql);
      const [a, b] = db.prepare('SELECT rid, source_key, digest FROM records ORDER BY rid LIMIT 2').all() as { rid: number; source_key: string; digest: string }[];
      const copy = db.prepare(
        `INSERT INTO records (table_id, kind, source_key, tenant_id, ts, seq, prev_hash, hash, event_type, entity_type, entity_id, severity, user_id, ip_address, action_details, agent_id, session_id, channel, prompt, response, model_info, model_provider, model_name, model_version, deployment_id, temperature, temperature_num, safety_mode, model_config, extra, digest, sync_id)
         SELECT table_id, kind, source_key, tenant_id, ts, seq, prev_hash, hash, event_type, entity_type, entity_id, severity, user_id, ip_address, ?, agent_id, session_id, channel, prompt, response, model_info, model_provider, model_name, model_version, deployment_id, temperature, temperature_num, safety_mode, model_config, extra, ?, sync_id
           FROM records WHERE rid = ?`,
      );
      const rowsBefore = db.prepare('SELECT count(*) FROM records').pluck().get() as number;
      const original = db.prepare('SELECT * FROM records WHERE rid = ?').get(b!.rid) as Record<string, unknown>;
      copy.run(db.prepare('SELECT action_details FROM records WHERE rid = ?').pluck().get(a!.rid), a!.digest, a!.rid); // same row twice
      copy.run('{"changed":true}', 'f'.repeat(64), b!.rid); // same id, other content
      let merged: MergedKey[] = [];
      restoreDeferredSchema(db, (m) => (merged = m));

      assert.equal(db.prepare('SELECT count(*) FROM records').pluck().get(), rowsBefore, 'one row per source id');
      assert.deepEqual(
        merged.map((m) => m.key),
        [b!.source_key],
        'only the changed row is reported',
      );
      const now = db.prepare('SELECT * FROM records WHERE rid = ?').get(b!.rid) as Record<string, unknown>;
      assert.equal(now.action_details, '{"changed":true}', 'the later version is current, under the first rid');
      const version = db.prepare('SELECT rid, digest, row_json FROM record_versions').get() as { rid: number; digest: string; row_json: string };
      assert.equal(version.rid, b!.rid);
      assert.equal(version.digest, original.digest, 'the earlier version is kept');
      assert.equal(JSON.parse(version.row_json).action_details, original.action_details);
      assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'records_key'").get(), 'the key index is built');
    } finally {
      fx.close();
    }
  });
});
