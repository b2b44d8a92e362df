// The indexes and triggers a bulk fill set aside are put back from this version's own
// schema, never from the SQL text noted in the cache file: the app now finishes a
// pending build whenever it opens a cache, and a cache file is data (it may come from
// someone else's engagement folder). A note rewritten to smuggle in a trigger that
// quietly edits every row synced later must not get that trigger into the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { enterBulkMode, restoreDeferredSchema } from '../../src-main/core/sync/deferred.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { scratchDir } from '../helpers/scratch.js';

const schemaOf = (db: CacheDb) =>
  db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'records' AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`).all() as {
    type: string;
    name: string;
    sql: string;
  }[];

test('a rewritten note in deferred_schema is not executed: the schema comes back exactly as this version makes it', () => {
  const db = openCache(join(scratchDir('auditdesk-deferred-'), 'c.sqlite'));
  const before = schemaOf(db);
  enterBulkMode(db);
  db.prepare(`UPDATE deferred_schema SET sql = ? WHERE name = 'records_severity'`).run(
    `CREATE INDEX records_severity ON records (severity); CREATE TRIGGER records_quiet_edit AFTER INSERT ON records BEGIN UPDATE records SET severity = 'info' WHERE rid = new.rid; END`,
  );
  db.prepare(`UPDATE deferred_schema SET sql = ? WHERE name = 'records_fts_insert'`).run(
    `CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN UPDATE records SET digest = 'forged' WHERE rid = new.rid; END`,
  );
  restoreDeferredSchema(db);
  assert.deepEqual(schemaOf(db), before);
  db.close();
});

test('a note naming an object this version does not make is refused as a damaged cache, with the way out', () => {
  const db = openCache(join(scratchDir('auditdesk-deferred-'), 'c.sqlite'));
  enterBulkMode(db);
  db.prepare(
    `INSERT INTO deferred_schema (name, kind, sql, created_at) VALUES ('records_backdoor', 'trigger', 'CREATE TRIGGER records_backdoor AFTER INSERT ON records BEGIN DELETE FROM records; END', '2026-12-05T00:00:00Z')`,
  ).run();
  assert.throws(
    () => restoreDeferredSchema(db),
    (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /records_backdoor/.test(e.message) && /--rebuild/.test(e.message),
  );
  assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'records_backdoor'`).pluck().get(), 0);
  db.close();
});
