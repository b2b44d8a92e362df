// What an auditor sees when a cache file is new, old, from a newer version, or damaged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, openCache, cacheSchemaVersion } from '../../src-main/core/cache/open.js';
import { openRebuilt } from '../../src-main/core/verify/carry-over.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { glanceAt } from '../../src-main/core/engagement/glance.js';
import { toApiError } from '../../src-main/core/util/api-error.js';
import { scratchDir } from '../helpers/scratch.js';

const dir = () => scratchDir('auditdesk-cache-');

describe('opening the cache', () => {
  test("an in-memory cache (':memory:') leaves no file named ':memory:' in the working folder", () => {
    const cwd = process.cwd();
    process.chdir(scratchDir('auditdesk-memory-'));
    try {
      openCache(':memory:').close();
      assert.deepEqual(readdirSync('.'), []);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a new cache gets every migration and the FTS index', () => {
    const path = join(dir(), 'c.sqlite');
    const db = openCache(path);
    assert.equal(cacheSchemaVersion(db), loadMigrations().length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all();
    for (const t of ['records', 'records_fts', 'seals', 'checkpoints', 'reviews', 'watermarks']) assert.ok(tables.includes(t), t);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  test('an older cache is migrated in place and keeps its rows', () => {
    const path = join(dir(), 'old.sqlite');
    const first = loadMigrations().slice(0, 1);
    const db1 = openCache(path, { migrations: first });
    db1.prepare("INSERT INTO saved_filters VALUES ('kept', '{}', '2026-01-01T00:00:00Z')").run();
    db1.close();
    const db2 = openCache(path);
    assert.equal(cacheSchemaVersion(db2), loadMigrations().length);
    assert.equal(db2.prepare('SELECT count(*) FROM saved_filters').pluck().get(), 1);
    db2.close();
  });

  test('a cache from a newer AuditDesk is refused with the way out, and left untouched', () => {
    const path = join(dir(), 'newer.sqlite');
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    assert.throws(
      () => openCache(path),
      (e: unknown) => {
        assert.ok(isUserError(e));
        assert.equal(e.code, 'E_CACHE_NEWER');
        assert.match(e.message, /newer AuditDesk/);
        assert.match(e.message, /--rebuild/);
        return true;
      },
    );
    const again = new Database(path);
    assert.equal(again.pragma('user_version', { simple: true }), 999);
    again.close();
  });

  test('a damaged file is refused by name; --rebuild keeps it aside and starts fresh', () => {
    const d = dir();
    const path = join(d, 'broken.sqlite');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]));
    assert.throws(
      () => openCache(path),
      (e: unknown) => isUserError(e) && /damaged|cannot open/.test(e.message) && /--rebuild/.test(e.message),
    );
    const db = openRebuilt(path, null).db;
    assert.equal(cacheSchemaVersion(db), loadMigrations().length);
    db.close();
    assert.ok(
      readdirSync(d).some((f) => f.startsWith('broken.sqlite.broken-')),
      'the damaged file is kept for inspection',
    );
  });

  test('damage found later by a query is reported as a damaged cache with the way out', () => {
    const path = join(dir(), 'late.sqlite');
    const raw = new Database(path);
    raw.exec('CREATE TABLE t (v TEXT)');
    const insert = raw.prepare('INSERT INTO t VALUES (?)');
    raw.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run('x'.repeat(200));
    })();
    raw.close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 40 * 4096, 60 * 4096); // scribble over pages in the middle of the table
    writeFileSync(path, bytes);
    const db = new Database(path);
    let thrown: unknown;
    try {
      db.prepare('SELECT count(*), max(v) FROM t').get();
    } catch (e) {
      thrown = e;
    }
    db.close();
    assert.ok(thrown, 'SQLite noticed the damage');
    const apiError = toApiError(thrown);
    assert.equal(apiError.code, 'E_CACHE_CORRUPT');
    assert.match(apiError.message, /--rebuild/);
  });

  test('a row that breaks a CHECK constraint is refused by a read-only open too, and the engagement list shows no green verdict over it', () => {
    const path = join(dir(), 'checked.sqlite');
    const db = openCache(path);
    db.prepare(`INSERT INTO verify_reports (checked_at, target, intact, report_json) VALUES ('2026-12-01T10:00:00.000Z', 'cache', 1, '{}')`).run();
    // Written around the app (SQLite's own switch): a target no version of AuditDesk writes.
    db.pragma('ignore_check_constraints = ON');
    db.prepare(`INSERT INTO verify_reports (checked_at, target, intact, report_json) VALUES ('2026-12-01T09:00:00.000Z', 'elsewhere', 1, '{}')`).run();
    db.close();

    // SQLite's quick_check skips CHECK constraints on a read-only connection: the writer refused
    // the file while the readers (the engagement list, the query workers) took it as sound.
    assert.throws(
      () => openCache(path, { readonly: true }),
      (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /CHECK constraint failed in verify_reports/.test(e.message),
    );
    const glance = glanceAt(path, null);
    assert.equal(glance.verdict, null, 'the earlier "intact" is not shown over a damaged file');
    assert.match(glance.problem ?? '', /is damaged \(CHECK constraint failed in verify_reports\)/);
  });

  test('migration files are numbered without gaps', () => {
    const versions = loadMigrations().map((m) => m.version);
    assert.deepEqual(
      versions,
      versions.map((_, i) => i + 1),
    );
  });
});
