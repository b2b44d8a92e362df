// Cache migration 007: the facet indexes of columns only one kind of record has are
// partial (WHERE col IS NOT NULL). A cache of events holds no entry in the
// conversation facet indexes (and the reverse), every facet filter still reads its
// index, and upgrading a cache keeps the same index names over the same columns.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCache, cacheSchemaVersion, loadMigrations, type CacheDb } from '../../src-main/core/cache/open.js';
import { createRecordsFixture } from '../helpers/records-fixture.js';

const PARTIAL: Record<string, string> = {
  records_agent: 'agent_id',
  records_channel: 'channel',
  records_event_type: 'event_type',
  records_severity: 'severity',
  records_model_provider: 'model_provider',
  records_model_name: 'model_name',
  records_model_version: 'model_version',
  records_deployment: 'deployment_id',
  records_safety_mode: 'safety_mode',
  records_temperature: 'temperature_num',
};
const EVENT_ONLY = new Set(['records_event_type', 'records_severity']);

function entries(db: CacheDb, index: string): number {
  // A covering scan of the index itself: its entry count.
  return db.prepare(`SELECT count(*) FROM records INDEXED BY ${index} WHERE ${PARTIAL[index]} IS NOT NULL`).pluck().get() as number;
}

describe('cache migration 007 (partial facet indexes)', () => {
  let db: CacheDb;
  before(() => {
    const old = createRecordsFixture({ events: 300, conversations: 0, seed: 11, migrations: loadMigrations().slice(0, 6) });
    assert.equal(cacheSchemaVersion(old.db), 6);
    old.close();
    db = openCache(old.path);
  });
  after(() => db.close());

  test('after the upgrade each facet index of one kind holds only rows that have the facet', () => {
    assert.equal(cacheSchemaVersion(db), loadMigrations().length);
    for (const [index, column] of Object.entries(PARTIAL)) {
      const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(index) as string;
      assert.match(sql, new RegExp(`\\(${column}, ts\\) WHERE ${column} IS NOT NULL$`), index);
      // An events-only cache: event facets are indexed, conversation facets are empty.
      if (EVENT_ONLY.has(index)) assert.equal(entries(db, index), 300, index);
      else assert.equal(entries(db, index), 0, index);
    }
  });

  test('facet filters (IN lists, a temperature range) read the partial indexes', () => {
    for (const [index, column] of Object.entries(PARTIAL)) {
      const where = column === 'temperature_num' ? `${column} >= ? AND ${column} < ?` : `${column} IN (?, ?)`;
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT rid FROM records WHERE ${where} ORDER BY ts DESC LIMIT 200`).all('a', 'b') as { detail: string }[]).map((r) => r.detail).join(' | ');
      assert.match(plan, new RegExp(`USING (COVERING )?INDEX ${index} `), `${index}: ${plan}`);
    }
  });
});
