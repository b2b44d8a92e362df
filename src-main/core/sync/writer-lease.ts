// One writer per cache: a sync holds an exclusive lease on its cache from before it
// opens the file until its checkpoints are recorded. Two syncs interleaving on one
// cache used to end with "database is locked" for one and, for the other, a recheck
// that compared the rows the first had just written with the source up to its own,
// older watermark and reported them as deleted at the source (issue 13).
//
// The lease is a small SQLite file beside the cache (`<cache>.writer-lease`). Holding
// it means holding a write transaction (BEGIN IMMEDIATE) on that file for the whole
// sync. The lock is the operating system's (SQLite's POSIX advisory lock), so the
// kernel drops it the moment its holder dies, kill -9 included, and on the same
// machine there is no pid to test for life and no stale-lock race to lose. Before
// holding it, the holder commits one row naming itself (pid, host, start time), which
// a second writer reads for its "waiting for the sync started by pid N at HH:MM" line.
// Copying a cache folder copies no lock: a lease exists only while a process holds it.
//
// Which writers take it: the syncs (CLI `sync`, the app's sync job) — they are the
// only writers whose work spans many transactions that depend on each other
// (watermarks, bulk mode with its indexes dropped, the recheck against the
// watermark, the seal). Because syncs never overlap, a recheck never counts rows of
// another, unfinished sync, and "interrupted before it finished" is only ever written
// on a sync that really died. The other writers do not take it: recording a verify
// report or checkpoint, a review decision, a saved filter are each one short
// transaction that SQLite itself serialises against the sync's batch transactions
// (a write that waits past the busy timeout answers E_CACHE_BUSY), and no sync reads
// or rewrites what they write. Making them wait minutes for a sync to finish would
// buy nothing.
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../util/errors.js';
import { createPrivateFile } from '../util/private-files.js';

export interface LeaseHolder {
  pid: number;
  host: string;
  /** ISO 8601, UTC */
  startedAt: string;
}

export interface WriterLeaseOptions {
  /** false: refuse at once (E_SYNC_RUNNING) instead of waiting for the holder. */
  wait?: boolean;
  /** Aborting stops the wait (E_CANCELLED). */
  signal?: AbortSignal;
  /** Called when the wait starts and whenever the holder changes: "waiting for the sync started by pid N at HH:MM". */
  onWaiting?: (sentence: string, holder: LeaseHolder | null) => void;
  /** How often a waiting writer tries again. */
  pollMs?: number;
}

export interface WriterLease {
  /** The lease file beside the cache. */
  readonly path: string;
  /** Gives the lease up; safe to call twice. */
  release(): void;
}

const POLL_MS = 250;
/** Long enough for a reader of the holder row to finish; the holder's own commits are instant. */
const COMMIT_BUSY_MS = 2000;

export function writerLeasePath(cachePath: string): string {
  return `${cachePath}.writer-lease`;
}

/** Runs `work` holding the cache's writer lease, and gives it up however `work` ends. */
export async function withWriterLease<T>(cachePath: string, opts: WriterLeaseOptions, work: () => Promise<T>): Promise<T> {
  const lease = await takeWriterLease(cachePath, opts);
  try {
    return await work();
  } finally {
    lease.release();
  }
}

export async function takeWriterLease(cachePath: string, opts: WriterLeaseOptions = {}): Promise<WriterLease> {
  // An in-memory cache has no second connection that could write it.
  if (cachePath === ':memory:' || cachePath === '') return { path: '', release: () => undefined };
  const path = writerLeasePath(cachePath);
  const db = openLeaseFile(path, cachePath);
  const me: LeaseHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const token = `${me.pid}:${me.host}:${me.startedAt}:${Math.random()}`;
  let lastSentence: string | null = null;
  try {
    for (;;) {
      if (opts.signal?.aborted) {
        throw new UserError('the sync was cancelled while it waited for another sync of the same cache; nothing was written.', 'E_CANCELLED');
      }
      if (holdIfFree(db, token, me)) {
        return {
          path,
          release: () => {
            if (!db.open) return;
            try {
              // The row is only for the messages of writers that wait; the lock is the transaction.
              db.prepare('DELETE FROM holder').run();
              db.exec('COMMIT');
            } catch {
              // closing rolls back and drops the lock all the same
            }
            db.close();
          },
        };
      }
      const holder = readHolder(db);
      if (opts.wait === false) {
        throw new UserError(
          `the cache ${cachePath} is being written by ${describeHolder(holder)}.`,
          'E_SYNC_RUNNING',
          'Run this again when that sync has finished, or without --no-wait to wait for it.',
        );
      }
      const sentence = `waiting for ${describeHolder(holder)}`;
      if (sentence !== lastSentence) {
        lastSentence = sentence;
        opts.onWaiting?.(sentence, holder);
      }
      await sleep(opts.pollMs ?? POLL_MS, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  } catch (e) {
    db.close();
    throw e;
  }
}

function openLeaseFile(path: string, cachePath: string): Database.Database {
  try {
    // Private like the cache it guards: it names this machine and a process.
    createPrivateFile(path);
    return new Database(path, { timeout: 0 });
  } catch (e) {
    throw new UserError(`cannot open ${path}, the lock that keeps two syncs of ${cachePath} apart: ${(e as Error).message}.`, 'E_CACHE_OPEN', 'Check that the cache folder exists and is writable.');
  }
}

/**
 * Takes the lock if nobody holds it and leaves its transaction open: true then. First
 * commits the row naming this writer, then takes the lock again and checks that the
 * row is still its own (a writer that slipped in between waits, or wins).
 */
function holdIfFree(db: Database.Database, token: string, me: LeaseHolder): boolean {
  if (!beginImmediate(db)) return false;
  try {
    db.exec('CREATE TABLE IF NOT EXISTS holder (token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL)');
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (token, pid, host, started_at) VALUES (?, ?, ?, ?)').run(token, me.pid, me.host, me.startedAt);
    // A reader of the holder row may hold its shared lock for an instant.
    db.pragma(`busy_timeout = ${COMMIT_BUSY_MS}`);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (isBusy(e)) return false;
    throw e;
  } finally {
    db.pragma('busy_timeout = 0');
  }
  if (!beginImmediate(db)) return false;
  const row = db.prepare('SELECT token FROM holder').get() as { token: string } | undefined;
  if (row?.token === token) return true;
  db.exec('ROLLBACK');
  return false;
}

function beginImmediate(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (e) {
    if (isBusy(e)) return false;
    throw e;
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function readHolder(db: Database.Database): LeaseHolder | null {
  try {
    const row = db.prepare('SELECT pid, host, started_at FROM holder').get() as { pid: number; host: string; started_at: string } | undefined;
    return row ? { pid: row.pid, host: row.host, startedAt: row.started_at } : null;
  } catch {
    // No table yet (the first holder is writing it) or the holder is mid-commit.
    return null;
  }
}

/** "the sync started by pid 4242 at 14:03" (local time; the date too when not today; the host when not this one). */
export function describeHolder(holder: LeaseHolder | null, now = new Date()): string {
  if (!holder) return 'another sync of this cache (it has not said who it is yet)';
  const at = new Date(holder.startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  const when = sameDay ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return `the sync started by pid ${holder.pid}${where} at ${when}`;
}
