// A cache file may come from someone else's engagement folder. Triggers run on this app's
// own writes, so a file holding a trigger this version never makes, or one rewritten, is
// refused as damaged with the way out (--rebuild moves it aside); a trigger set aside by
// bulk mode (missing, noted in deferred_schema) is not an attack and opens as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openCache } from '../../src-main/core/cache/open.js';
import { openRebuilt } from '../../src-main/core/verify/carry-over.js';
import { enterBulkMode } from '../../src-main/core/sync/deferred.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { scratchDir } from '../helpers/scratch.js';

function cacheWith(sql: string | null): string {
  const path = join(scratchDir('auditdesk-triggers-'), 'cache.sqlite');
  openCache(path).close();
  if (sql) {
    const raw = new Database(path);
    raw.exec(sql);
    raw.close();
  }
  return path;
}

const refused = (name: string) => (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && e.message.includes(name) && /--rebuild/.test(e.message);

test('a trigger this version never makes is refused, naming it', () => {
  const path = cacheWith(`CREATE TRIGGER records_quiet_edit AFTER INSERT ON records BEGIN UPDATE records SET severity = 'info' WHERE rid = new.rid; END`);
  assert.throws(() => openCache(path), refused('records_quiet_edit'));
  assert.throws(() => openCache(path, { readonly: true }), refused('records_quiet_edit'), 'the query workers open it read-only: refused there too');
});

test("a trigger of this version's, rewritten, is refused", () => {
  const path = cacheWith(`DROP TRIGGER records_fts_insert; CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN UPDATE records SET digest = 'forged' WHERE rid = new.rid; END`);
  assert.throws(() => openCache(path), refused('records_fts_insert'));
});

test('--rebuild moves the altered file aside and starts a new cache', () => {
  const path = cacheWith(`CREATE TRIGGER records_quiet_edit AFTER INSERT ON records BEGIN SELECT 1; END`);
  const db = openRebuilt(path, null).db;
  assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'records_quiet_edit'`).pluck().get(), 0);
  db.close();
  assert.ok(
    readdirSync(dirname(path)).some((f) => f.startsWith('cache.sqlite.broken-')),
    'the altered file is kept aside',
  );
});

test('a cache whose triggers bulk mode set aside opens as before', () => {
  const path = cacheWith(null);
  const db = openCache(path);
  enterBulkMode(db);
  db.close();
  openCache(path).close();
  assert.ok(existsSync(path));
});
