// The cache-writing side of a bulk sync, in a worker thread: it owns a second
// connection to the cache file and commits each batch of prepared rows with its
// watermark in ONE transaction, exactly as the in-thread path does. The main thread
// meanwhile reads the next batch from PostgreSQL and digests it, so on two cores the
// SQLite work overlaps the parsing and hashing instead of following it.
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import type { CachedTable, PreparedRow } from './cache-store.js';
import { TableWriter } from './cache-store.js';
import type { SourceTable } from '../source/discover.js';
import type { KeysetPosition } from '../source/session.js';
import { serveCalls } from '../util/worker-rpc.js';

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

export type WriteCall =
  /** Answers once the worker has opened the cache (the sync writes in its own thread when it cannot). */
  | { op: 'hello' }
  | { op: 'table'; id: number; table: SourceTable; cached: CachedTable; tenant: string; syncId: number }
  /** Written in the open transaction (committed with a later batch, a flush or close); answers the keys cached with another digest. */
  | { op: 'batch'; id: number; rows: PreparedRow[]; watermark: KeysetPosition | null }
  /** Commit what was applied. */
  | { op: 'flush' }
  /** Commit (unless a batch failed) and close the connection. */
  | { op: 'close' };

const { path, noSync } = workerData as WriteWorkerInit;
const db = new Database(path, { fileMustExist: true });
// The same connection settings as openCache (cache/open.ts); the schema is already migrated.
db.pragma(noSync ? 'synchronous = OFF' : 'synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const writers = new Map<number, TableWriter>();
/** After one failed batch nothing later may commit: its watermark would skip the failed rows. */
let broken: unknown = null;

// Several batches share one transaction: each random key of a batch dirties a page of
// the UNIQUE (table_id, tenant_id, source_key) index, and a commit writes every dirty
// page to the WAL; on 1M rows, 4 batches a commit wrote ~20% less. Every batch still
// ends with its own watermark, so whatever a commit holds ends on a consistent
// watermark, and a kill loses only what was not committed, which the next sync fetches.
const BATCHES_PER_COMMIT = 4;
const MAX_OPEN_MS = 1000;
let openBatches = 0;
let openedAt = 0;

const apply = db.transaction((writer: TableWriter, rows: PreparedRow[], watermark: KeysetPosition | null): string[] => {
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

serveCalls<WriteCall, string[]>(async (call) => {
  switch (call.op) {
    case 'hello':
      return [];
    case 'close':
      try {
        if (!broken) commit();
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.close();
      }
      return [];
    case 'table':
      writers.set(call.id, new TableWriter(db, call.table, call.cached, call.tenant, call.syncId));
      return [];
  }
  if (broken) throw broken;
  try {
    if (call.op === 'flush') {
      commit();
      return [];
    }
    if (!db.inTransaction) {
      db.exec('BEGIN');
      openedAt = Date.now();
    }
    const changed = apply(writers.get(call.id)!, call.rows, call.watermark);
    if (++openBatches >= BATCHES_PER_COMMIT || Date.now() - openedAt > MAX_OPEN_MS) commit();
    return changed;
  } catch (e) {
    broken = e;
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
});
