// Opens the local SQLite cache and brings its schema up to date from migrations/cache.
// A cache written by a newer AuditDesk, or a damaged file, is refused with a named
// error and the way out (--rebuild); nothing is deleted without being asked.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { migrationsDir } from '../util/paths.js';
import { UserError } from '../util/errors.js';
import { REBUILD_HINT } from '../util/storage-errors.js';
import { createPrivateFile } from '../util/private-files.js';

export type CacheDb = Database.Database;

/** Caches up to this size get a full page check (PRAGMA quick_check) every time they are opened. */
export const FULL_CHECK_MAX_BYTES = 256 * 1024 * 1024;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = migrationsDir('cache')): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  return files.map((f, i) => {
    const version = Number(f.slice(0, 3));
    if (version !== i + 1) throw new Error(`cache migrations must be numbered 001, 002, … without gaps; found ${f}`);
    return { version, name: f, sql: readFileSync(join(dir, f), 'utf8') };
  });
}

// --rebuild opens through verify/carry-over.ts (openRebuilt): the damaged file goes aside
// and its signed checkpoints are carried into the new cache.
export interface OpenCacheOptions {
  readonly?: boolean;
  migrations?: Migration[];
}

export function openCache(path: string, opts: OpenCacheOptions = {}): CacheDb {
  const migrations = opts.migrations ?? loadMigrations();
  finishInterruptedRebuild(path);
  const db = openAndCheck(path, opts.readonly ?? false);
  try {
    migrate(db, migrations, path);
    if (path !== ':memory:') refuseForeignTriggers(db, migrations, path);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * --rebuild, and the app's "Rebuild the cache", for a cache that cannot be used as it is:
 * where it goes, kept for inspection; null when the file is absent or sound (left where it
 * is). The file must be closed.
 */
export function asideNameIfDamaged(path: string, migrations: Migration[] = loadMigrations()): string | null {
  if (!existsSync(path)) return null;
  try {
    checkOpenable(path, migrations);
    return null;
  } catch {
    return `${path}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  }
}

/**
 * Where a rebuild builds the new cache (it carries what it can from the damaged file, which
 * stays in place meanwhile), and the name it has once that is committed and closed. A kill
 * while building leaves the damaged file where it was: the next rebuild starts over.
 */
export const rebuildingPath = (path: string) => `${path}.rebuilding`;
export const rebuiltPath = (path: string) => `${path}.rebuilt`;

/**
 * The rebuild's last steps: the damaged file (then its -wal and -shm) goes aside, the new
 * one takes its name. A kill between them leaves no file at `path` and the new one complete
 * under rebuiltPath: openCache finishes the move (finishRebuild) rather than starting an
 * empty cache that would know nothing of the carried checkpoints.
 */
export function swapInRebuilt(path: string, aside: string): void {
  renameSync(path, aside);
  finishRebuild(path, aside);
}

function finishRebuild(path: string, aside: string): void {
  for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  renameSync(rebuiltPath(path), path);
}

/**
 * Where the rebuilt file says the damaged one went (its `cache_rebuilt` journal entry): only a
 * name a rebuild gives (beside the cache, `NAME.broken-…`), so a planted file cannot send the
 * damaged cache's -wal anywhere else.
 */
function asideOfRebuilt(path: string): string {
  const rebuilt = rebuiltPath(path);
  const db = new Database(rebuilt, { readonly: true, fileMustExist: true });
  try {
    const details = db.prepare(`SELECT details FROM review_journal WHERE action = 'cache_rebuilt' ORDER BY seq DESC LIMIT 1`).pluck().get() as string | undefined;
    const aside = details ? (JSON.parse(details) as { aside?: unknown }).aside : undefined;
    if (typeof aside !== 'string' || !isAsideNameOf(path, aside)) {
      throw new UserError(
        `${rebuilt} is not a rebuild this version made (it names no file set aside beside the cache).`,
        'E_CACHE_CORRUPT',
        `Move it out of the folder, then run the sync with --rebuild again (the app: "Rebuild the cache").`,
      );
    }
    return aside;
  } finally {
    db.close();
  }
}

/** `NAME.broken-<time>` beside the cache: the only name asideNameIfDamaged gives. */
function isAsideNameOf(path: string, aside: string): boolean {
  const prefix = `${resolve(path)}.broken-`;
  const full = resolve(aside);
  return full.startsWith(prefix) && /^[0-9TZ-]+$/.test(full.slice(prefix.length));
}

function finishInterruptedRebuild(path: string): void {
  if (path === ':memory:' || existsSync(path) || !existsSync(rebuiltPath(path))) return;
  finishRebuild(path, asideOfRebuilt(path));
}

function checkOpenable(path: string, migrations: Migration[]): void {
  // Read-write, as every later open is: SQLite's quick_check skips the CHECK constraints on a
  // read-only connection, so a row that breaks one passed here and failed every open after,
  // whose advice (--rebuild) then kept the file.
  const db = openAndCheck(path, false);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) throw new Error('newer');
    if (version === migrations.length) refuseForeignTriggers(db, migrations, path);
    const hasTable = (name: string) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
    // Damage a verdict found in a row: SQLite reads the file well, the rows are wrong.
    if (hasTable('cache_damage') && db.prepare('SELECT 1 FROM cache_damage WHERE cleared_by_report IS NULL LIMIT 1').get()) throw new Error('damaged rows');
    // A pending rebuild of something this version never makes (sync/deferred.ts refuses it).
    const pristine = pristineSchema(migrations);
    if (hasTable('deferred_schema') && (db.prepare('SELECT name FROM deferred_schema').pluck().all() as string[]).some((n) => n !== 'records_fts:rebuild' && !pristine.has(n))) {
      throw new Error('foreign deferred object');
    }
  } finally {
    db.close();
  }
}

export interface SchemaObject {
  type: string;
  sql: string;
}

const pristineSchemas = new Map<string, Map<string, SchemaObject>>();

/**
 * Every table, index, trigger and view these migrations make, by name, from an in-memory
 * cache built with them (once per process and migration set): what this version would
 * have written, to compare a cache file with, or to rebuild from (sync/deferred.ts).
 */
export function pristineSchema(migrations: Migration[] = loadMigrations()): Map<string, SchemaObject> {
  const key = createHash('sha256')
    .update(migrations.map((m) => `${m.name}\n${m.sql}`).join('\u0000'))
    .digest('hex');
  let schema = pristineSchemas.get(key);
  if (!schema) {
    const db = openCache(':memory:', { migrations });
    try {
      const rows = db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL`).all() as { type: string; name: string; sql: string }[];
      schema = new Map(rows.map((r) => [r.name, { type: r.type, sql: r.sql }]));
    } finally {
      db.close();
    }
    pristineSchemas.set(key, schema);
  }
  return schema;
}

/**
 * A trigger runs on this app's own writes, so a cache file (it may come from another
 * engagement folder) may hold only the triggers this version makes, with their exact
 * text: one it never makes, or one rewritten (say, to change every row synced later),
 * is refused as a damaged cache. A trigger that is missing is bulk mode's business
 * (deferred_schema), not an attack on later writes.
 */
function refuseForeignTriggers(db: CacheDb, migrations: Migration[], path: string): void {
  const pristine = pristineSchema(migrations);
  const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string; sql: string | null }[];
  const foreign = triggers.filter((t) => pristine.get(t.name)?.type !== 'trigger' || pristine.get(t.name)?.sql !== t.sql);
  if (!foreign.length) return;
  throw new UserError(
    `cache ${path} holds ${foreign.length === 1 ? 'a trigger' : 'triggers'} this version of AuditDesk never makes or wrote otherwise (${foreign
      .map((t) => t.name)
      .slice(0, 5)
      .join(', ')}): the file was altered, and a trigger would run on every later write.`,
    'E_CACHE_CORRUPT',
    REBUILD_HINT,
  );
}

/**
 * SQLite's quick_check skips the CHECK constraints on a read-only connection, so a row that
 * breaks one passed every reader (the engagement list, the query workers) while every writer
 * refused the file. The check runs on a connection that may write and is told not to
 * (query_only); a file the OS does not let us write is opened read-only by SQLite anyway, and
 * there its constraints cannot be checked.
 */
function quickCheckWithConstraints(path: string, readonlyDb: CacheDb): unknown {
  let checker: CacheDb;
  try {
    checker = new Database(path, { fileMustExist: true });
  } catch {
    return readonlyDb.pragma('quick_check', { simple: true });
  }
  try {
    checker.pragma('query_only = ON');
    checker.pragma('busy_timeout = 5000');
    return checker.pragma('quick_check', { simple: true });
  } finally {
    checker.close();
  }
}

function openAndCheck(path: string, readonly: boolean): CacheDb {
  let db: CacheDb;
  try {
    // ':memory:' is SQLite's in-memory database, not a file name: nothing to create on disk.
    if (!readonly && path !== ':memory:') createPrivateFile(path);
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (e) {
    throw new UserError(
      `cannot open cache ${path}: ${(e as Error).message}.`,
      'E_CACHE_OPEN',
      'Check the path and its permissions, or pass --rebuild to start a new cache (the old file is kept aside).',
    );
  }
  try {
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Reading the schema catches a file that is not a database or has a broken
    // header. quick_check reads every page (about 3 s for a 1.3 GB cache), so it runs
    // at open only for smaller files; on a large one, damage found later by a query is
    // reported with the same way out (util/storage-errors.ts).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (fileSize(path) <= FULL_CHECK_MAX_BYTES) {
      const check = readonly ? quickCheckWithConstraints(path, db) : db.pragma('quick_check', { simple: true });
      // quick_check lists every bad cell on a line of its own; the error stays one line.
      if (check !== 'ok')
        throw new Error(
          String(check)
            .split('\n')
            .filter((l) => !l.startsWith('***'))[0] ?? String(check),
        );
    }
  } catch (e) {
    db.close();
    throw new UserError(`cache ${path} is damaged (${(e as Error).message}).`, 'E_CACHE_CORRUPT', REBUILD_HINT);
  }
  return db;
}

function migrate(db: CacheDb, migrations: Migration[], path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new UserError(
      `cache ${path} was written by a newer AuditDesk (schema ${current}, this version knows ${migrations.length}).`,
      'E_CACHE_NEWER',
      'Open it with the newer AuditDesk, or pass --rebuild to start a new cache (the old file is kept aside).',
    );
  }
  const pending = migrations.slice(current);
  if (!pending.length) return;
  if (db.readonly) {
    throw new UserError(`cache ${path} needs a schema upgrade but was opened read-only.`, 'E_CACHE_READONLY');
  }
  // All pending migrations in one transaction: a failure leaves the old schema intact.
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}

export function cacheSchemaVersion(db: CacheDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}
