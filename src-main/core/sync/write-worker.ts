// The cache-writing side of a bulk sync, in a worker thread: it owns a second
// connection to the cache file and commits each batch of prepared rows with its
// watermark in ONE transaction, exactly as the in-thread path does. The main thread
// meanwhile reads the next batch from PostgreSQL and digests it, so on two cores the
// SQLite work overlaps the parsing and hashing instead of following it.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CachedTable, PreparedRow } from './cache-store.js';
import { TableWriter } from './cache-store.js';
import type { SourceTable } from '../source/discover.js';
import type { KeysetPosition } from '../source/session.js';

export interface WriteWorkerInit {
  path: string;
  /**
   * synchronous=OFF for this connection: only for the first fill of a cache that holds
   * nothing else (see freshCache in sync.ts). WAL keeps every commit atomic and a
   * killed process loses nothing the OS was handed; only a power loss mid-fill could
   * damage the file, and then --rebuild costs no more than the fill itself.
   */
  noSync: boolean;
}

export type ToWriteWorker =
  | { type: 'table'; id: number; table: SourceTable; cached: CachedTable; tenant: string; syncId: number }
  | { type: 'batch'; seq: number; id: number; rows: PreparedRow[]; watermark: KeysetPosition }
  /** Commit what was applied, then answer for `seq`. */
  | { type: 'flush'; seq: number }
  | { type: 'close' };

export type FromWriteWorker =
  /** The batch is written in the open transaction (committed with a later batch, a flush or close). */
  { type: 'applied'; seq: number; changed: string[] } | { type: 'failed'; seq: number; message: string; code?: string } | { type: 'closed' } | { type: 'ready' };

const port = parentPort!;
const { path, noSync } = workerData as WriteWorkerInit;
const db = new Database(path, { fileMustExist: true });
// The same connection settings as openCache (cache/open.ts); the schema is already migrated.
db.pragma(noSync ? 'synchronous = OFF' : 'synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const writers = new Map<number, TableWriter>();
/** After one failed batch nothing later may commit: its watermark would skip the failed rows. */
let broken: { message: string; code?: string } | null = null;

// Several batches share one transaction: each random key of a batch dirties a page of
// the UNIQUE (table_id, tenant_id, source_key) index, and a commit writes every dirty
// page to the WAL; on 1M rows, 4 batches a commit wrote ~20% less. Every batch still
// ends with its own watermark, so whatever a commit holds ends on a consistent
// watermark, and a kill loses only what was not committed, which the next sync fetches.
const BATCHES_PER_COMMIT = 4;
const MAX_OPEN_MS = 1000;
let openBatches = 0;
let openedAt = 0;

const apply = db.transaction((writer: TableWriter, rows: PreparedRow[], watermark: KeysetPosition): string[] => {
  const changed: string[] = [];
  for (const row of rows) if (writer.writePrepared(row) === 'changed') changed.push(row.key);
  writer.saveWatermark(watermark);
  writer.countSync(rows.length, changed.length);
  return changed;
});

function commit(): void {
  if (db.inTransaction) db.exec('COMMIT');
  openBatches = 0;
}

function fail(e: unknown): { message: string; code?: string } {
  const err = e as Error & { code?: string };
  broken = { message: err.message, code: typeof err.code === 'string' ? err.code : undefined };
  if (db.inTransaction) db.exec('ROLLBACK');
  return broken;
}

port.postMessage({ type: 'ready' } satisfies FromWriteWorker);

port.on('message', (m: ToWriteWorker) => {
  if (m.type === 'close') {
    try {
      if (!broken) commit();
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
      port.postMessage({ type: 'closed' } satisfies FromWriteWorker);
      port.close();
    }
    return;
  }
  if (m.type === 'table') {
    writers.set(m.id, new TableWriter(db, m.table, m.cached, m.tenant, m.syncId));
    return;
  }
  if (broken) {
    port.postMessage({ type: 'failed', seq: m.seq, ...broken } satisfies FromWriteWorker);
    return;
  }
  try {
    if (m.type === 'flush') {
      commit();
      port.postMessage({ type: 'applied', seq: m.seq, changed: [] } satisfies FromWriteWorker);
      return;
    }
    if (!db.inTransaction) {
      db.exec('BEGIN');
      openedAt = Date.now();
    }
    const changed = apply(writers.get(m.id)!, m.rows, m.watermark);
    if (++openBatches >= BATCHES_PER_COMMIT || Date.now() - openedAt > MAX_OPEN_MS) commit();
    port.postMessage({ type: 'applied', seq: m.seq, changed } satisfies FromWriteWorker);
  } catch (e) {
    port.postMessage({ type: 'failed', seq: m.seq, ...fail(e) } satisfies FromWriteWorker);
  }
});
