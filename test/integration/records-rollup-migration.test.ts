// Cache migration 003: the facet rollup must always equal counting the records
// themselves — right after upgrading a cache that already holds rows, and after
// every insert, update and delete sync may do later.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCache, cacheSchemaVersion, loadMigrations, type CacheDb } from '../../src-main/core/cache/open.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';

const DIMS = `kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name, model_version,
  deployment_id, safety_mode, temperature_num`;
const DAY = `CASE WHEN ts >= '1971-01-01T00:00:00.000000Z' AND ts < '2200-01-01T00:00:00.000000Z'
  THEN substr(ts, 1, 10) || 'T00:00:00.000000Z' ELSE ts END`;

function fromRecords(db: CacheDb): string[] {
  return (db.prepare(`SELECT json_array(${DAY}, ${DIMS}, count(*)) AS j FROM records GROUP BY ${DAY}, ${DIMS}`).pluck().all() as string[]).sort();
}

function fromRollup(db: CacheDb): string[] {
  return (db.prepare(`SELECT json_array(ts, ${DIMS}, n) AS j FROM records_rollup WHERE n > 0`).pluck().all() as string[]).sort();
}

let fx: RecordsFixture;
let db: CacheDb;

before(() => {
  fx = createRecordsFixture({ events: 1200, conversations: 900, seed: 9 });
  db = fx.db;
});
after(() => db.close());

describe('cache migration 003 (timeline rollup, append-only reviews)', () => {
  test('rows written after the upgrade are rolled up exactly', () => {
    assert.ok(cacheSchemaVersion(db) >= 3);
    assert.deepEqual(fromRollup(db), fromRecords(db));
    assert.ok(fromRollup(db).length < 2100, 'the rollup is smaller than the records it counts');
  });

  test('updates and deletes keep it exact', () => {
    db.transaction(() => {
      db.prepare("UPDATE records SET model_provider = 'openai-renamed' WHERE model_provider = 'openai' AND rid % 3 = 0").run();
      db.prepare("UPDATE records SET ts = '1970-01-01T00:00:00.000000Z' WHERE rid % 50 = 1").run();
      db.prepare('UPDATE records SET ts = NULL, temperature_num = NULL WHERE rid % 70 = 2').run();
      db.prepare('UPDATE records SET severity = severity WHERE rid % 5 = 0').run(); // no change at all
      db.prepare('UPDATE records SET prompt = prompt || ? WHERE rid % 4 = 0').run(' (edited)'); // not a rolled-up column
      db.prepare('DELETE FROM records WHERE rid % 11 = 0').run();
    })();
    assert.deepEqual(fromRollup(db), fromRecords(db));
  });

  test('upgrading a cache that already holds rows fills the rollup from them', () => {
    const old = createRecordsFixture({ events: 900, conversations: 600, seed: 10, migrations: loadMigrations().slice(0, 2) });
    assert.equal(cacheSchemaVersion(old.db), 2);
    old.db.prepare("UPDATE records SET channel = 'fax' WHERE rid % 17 = 0").run();
    old.close();
    const upgraded = openCache(old.path);
    try {
      assert.equal(cacheSchemaVersion(upgraded), loadMigrations().length);
      assert.deepEqual(fromRollup(upgraded), fromRecords(upgraded));
      assert.ok(fromRollup(upgraded).some((j) => j.includes('"fax"')));
      const idx = upgraded.prepare("SELECT sql FROM sqlite_master WHERE name = 'records_rid_kind_ts'").pluck().get() as string;
      assert.match(idx, /\(rid, kind, ts, tenant_id\)/, 'migration 004 adds the full-text count index');
    } finally {
      upgraded.close();
    }
  });

  test('reviews can be added but never changed or removed', () => {
    const insert = db.prepare(
      `INSERT INTO reviews (anomaly_key, tenant_id, decision, note, reviewer, meaning, reviewed_at)
       VALUES ('a1', 'acme-health', ?, 'checked the export job', 'R. Auditor', 'Reviewed', '2026-11-05T10:00:00.000Z')`,
    );
    insert.run('confirmed');
    insert.run('false_positive');
    assert.throws(() => db.prepare("UPDATE reviews SET note = 'rewritten'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM reviews WHERE review_id = 1').run(), /append-only/);
    assert.throws(() => db.prepare("INSERT INTO reviews (anomaly_key, tenant_id, decision, note, reviewer, meaning, reviewed_at) VALUES ('a1', 't', 'confirmed', '  ', 'r', 'm', 'x')").run(), /CHECK/);
    assert.equal((db.prepare('SELECT count(*) AS n FROM reviews').get() as { n: number }).n, 2);
  });
});
