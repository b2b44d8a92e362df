// Where a sync's batches are committed: in this thread (small syncs, in-memory
// caches), or by a write worker with its own connection (bulk first fills), so
// that reading and digesting the next batch overlaps writing this one.
import type { Worker } from 'node:worker_threads';
import type { CacheDb } from '../cache/open.js';
import type { SourceTable } from '../source/discover.js';
import type { KeysetPosition } from '../source/session.js';
import type { CachedTable, PreparedRow } from './cache-store.js';
import type { FromWriteWorker, ToWriteWorker, WriteWorkerInit } from './write-worker.js';
import { startWorker } from '../util/start-worker.js';

/** Batches handed to the worker and not yet answered; bounds memory to a few batches. */
const MAX_IN_FLIGHT = 2;

export interface BatchOutcome {
  rows: number;
  /** Keys of rows that were cached with another digest (the old version was kept). */
  changed: string[];
}

/**
 * Writes batches in submission order, each with its watermark, and hands the
 * outcomes back in that order (a batch counts once written in the worker's open
 * transaction; drain and close commit). `submit` may wait for an earlier batch to commit
 * (back-pressure); `drain` waits for all. A failed batch fails every later one, so
 * no watermark ever moves past rows that were not written.
 */
export class WorkerBatchWriter {
  private readonly worker: Worker;
  private nextSeq = 0;
  private nextTable = 0;
  private readonly waiting = new Map<number, { resolve: (o: FromWriteWorker) => void; rows: number }>();
  private readonly order: { seq: number; done: Promise<FromWriteWorker>; rows: number }[] = [];
  private dead: Error | null = null;
  private closed: Promise<void> | null = null;

  /**
   * Starts a worker and waits until it has opened the cache; null when it cannot
   * (e.g. a packaging that cannot load the worker script): the sync then writes in
   * this thread, as small syncs always do.
   */
  static async start(path: string, opts: { noSync: boolean }): Promise<WorkerBatchWriter | null> {
    const w = new WorkerBatchWriter(path, opts);
    if (await w.ready) return w;
    await w.worker.terminate().catch(() => undefined);
    return null;
  }

  private readonly ready: Promise<boolean>;

  private constructor(path: string, opts: { noSync: boolean }) {
    this.worker = startWorker(new URL('./write-worker.js', import.meta.url), { workerData: { path, noSync: opts.noSync } satisfies WriteWorkerInit });
    let onReady: (ok: boolean) => void = () => undefined;
    this.ready = new Promise<boolean>((r) => (onReady = r));
    this.worker.on('message', (m: FromWriteWorker) => {
      if (m.type === 'ready') return onReady(true);
      if (m.type === 'closed') return;
      const w = this.waiting.get(m.seq);
      this.waiting.delete(m.seq);
      w?.resolve(m);
    });
    const die = (e: Error) => {
      onReady(false);
      this.dead ??= e;
      for (const [seq, w] of this.waiting) w.resolve({ type: 'failed', seq, message: e.message });
      this.waiting.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`the cache write worker stopped (exit code ${code})`)));
  }

  /** Registers a (table, tenant) writer in the worker; returns its id for submit(). */
  addTable(table: SourceTable, cached: CachedTable, tenant: string, syncId: number): number {
    const id = this.nextTable++;
    this.post({ type: 'table', id, table, cached, tenant, syncId });
    return id;
  }

  /** Queues a batch; resolves with the outcomes of batches written meanwhile (oldest first). */
  async submit(tableId: number, rows: PreparedRow[], watermark: KeysetPosition): Promise<BatchOutcome[]> {
    if (this.dead) throw this.dead;
    const seq = this.nextSeq++;
    const done = new Promise<FromWriteWorker>((resolve) => this.waiting.set(seq, { resolve, rows: rows.length }));
    this.order.push({ seq, done, rows: rows.length });
    this.post({ type: 'batch', seq, id: tableId, rows, watermark });
    const out: BatchOutcome[] = [];
    while (this.order.length >= MAX_IN_FLIGHT) out.push(await this.settleOldest());
    return out;
  }

  /** Waits for every queued batch and commits them; throws the first failure. */
  async drain(): Promise<BatchOutcome[]> {
    if (this.dead) throw this.dead;
    const seq = this.nextSeq++;
    const done = new Promise<FromWriteWorker>((resolve) => this.waiting.set(seq, { resolve, rows: 0 }));
    this.order.push({ seq, done, rows: 0 });
    this.post({ type: 'flush', seq });
    const out: BatchOutcome[] = [];
    while (this.order.length) out.push(await this.settleOldest());
    return out;
  }

  private async settleOldest(): Promise<BatchOutcome> {
    const head = this.order.shift()!;
    const m = await head.done;
    if (m.type === 'failed') {
      const e = new Error(m.message) as Error & { code?: string };
      if (m.code) e.code = m.code;
      throw e;
    }
    return { rows: head.rows, changed: m.type === 'applied' ? m.changed : [] };
  }

  /**
   * Lets queued batches be written (or fail), commits them, then closes the worker's connection.
   * Safe to call twice and after a failure.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.allSettled(this.order.map((o) => o.done));
      this.order.length = 0;
      if (this.dead) {
        await this.worker.terminate();
        return;
      }
      const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
      this.post({ type: 'close' });
      await exited;
    })();
    return this.closed;
  }

  private post(m: ToWriteWorker): void {
    this.worker.postMessage(m);
  }
}

/** Tables a sync fills or keeps for itself; any other row means the cache holds more than this sync's work. */
const SYNC_BOOKKEEPING = new Set(['sources', 'source_tables', 'syncs', 'watermarks', 'deferred_schema', 'records_rollup']);

/**
 * True when the cache holds nothing a failed fill could cost: no records, seals,
 * reviews, saved filters or anything else beyond sync bookkeeping. Such a cache may be
 * filled without fsyncs (a power loss then means --rebuild and the same fill again).
 */
export function holdsNothingButSyncBookkeeping(db: CacheDb): boolean {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'`).all() as { name: string }[];
  // FTS5 shadow tables (records_fts_*) hold only what 'rebuild' recomputes from records.
  return tables.filter((t) => !SYNC_BOOKKEEPING.has(t.name) && !t.name.startsWith('records_fts_')).every((t) => !db.prepare(`SELECT 1 FROM "${t.name.replace(/"/g, '""')}" LIMIT 1`).get());
}

/** A worker needs a file it can open a second connection to. */
export function canUseWriteWorker(db: CacheDb): boolean {
  return !db.memory && !db.readonly && db.name !== '' && !db.inTransaction;
}
