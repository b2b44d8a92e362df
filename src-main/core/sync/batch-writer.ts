// Where a sync's batches are committed: in this thread (small syncs, in-memory
// caches), or by a write worker with its own connection (bulk first fills), so
// that reading and digesting the next batch overlaps writing this one.
import type { CacheDb } from '../cache/open.js';
import type { SourceTable } from '../source/discover.js';
import type { KeysetPosition } from '../source/session.js';
import type { CachedTable, PreparedRow } from './cache-store.js';
import type { WriteCall, WriteWorkerInit } from './write-worker.js';
import { RpcWorker } from '../util/worker-rpc.js';

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
  private nextTable = 0;
  private readonly order: { done: Promise<string[]>; rows: number }[] = [];
  private dead: Error | null = null;
  private closed: Promise<void> | null = null;

  /**
   * Starts a worker and waits until it has opened the cache; null when it cannot
   * (e.g. a packaging that cannot load the worker script): the sync then writes in
   * this thread, as small syncs always do.
   */
  static async start(path: string, opts: { noSync: boolean }): Promise<WorkerBatchWriter | null> {
    const worker = await RpcWorker.startAnswering<WriteCall, string[]>(
      new URL('./write-worker.js', import.meta.url),
      'cache write',
      { op: 'hello' },
      {
        workerData: { path, noSync: opts.noSync } satisfies WriteWorkerInit,
        onExit: (code) => new Error(`the cache write worker stopped (exit code ${code})`),
      },
    );
    return worker && new WorkerBatchWriter(worker);
  }

  private constructor(private readonly worker: RpcWorker<WriteCall, string[]>) {}

  /** Registers a (table, tenant) writer in the worker; returns its id for submit(). */
  addTable(table: SourceTable, cached: CachedTable, tenant: string, syncId: number): number {
    const id = this.nextTable++;
    this.queue({ op: 'table', id, table, cached, tenant, syncId }, 0, false);
    return id;
  }

  /** Queues a batch; resolves with the outcomes of batches written meanwhile (oldest first). */
  async submit(tableId: number, rows: PreparedRow[], watermark: KeysetPosition | null): Promise<BatchOutcome[]> {
    if (this.dead) throw this.dead;
    this.queue({ op: 'batch', id: tableId, rows, watermark }, rows.length, true);
    const out: BatchOutcome[] = [];
    while (this.order.length >= MAX_IN_FLIGHT) out.push(await this.settleOldest());
    return out;
  }

  /** Waits for every queued batch and commits them; throws the first failure. */
  async drain(): Promise<BatchOutcome[]> {
    if (this.dead) throw this.dead;
    this.queue({ op: 'flush' }, 0, true);
    const out: BatchOutcome[] = [];
    while (this.order.length) out.push(await this.settleOldest());
    return out;
  }

  /** Sends a call; `counted` ones are settled in order by submit/drain. A failure marks the writer dead. */
  private queue(call: WriteCall, rows: number, counted: boolean): void {
    const done = this.worker.call(call);
    const noted = done.catch((e: unknown) => {
      this.dead ??= e instanceof Error ? e : new Error(String(e));
      throw e;
    });
    noted.catch(() => undefined); // thrown where it is settled
    if (counted) this.order.push({ done: noted, rows });
  }

  private async settleOldest(): Promise<BatchOutcome> {
    const head = this.order.shift()!;
    return { rows: head.rows, changed: await head.done };
  }

  /**
   * Lets queued batches be written (or fail), commits them, then closes the worker's connection.
   * Safe to call twice and after a failure.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.allSettled(this.order.map((o) => o.done));
      this.order.length = 0;
      try {
        if (this.worker.alive) await this.worker.call({ op: 'close' });
      } finally {
        await this.worker.terminate();
      }
    })();
    return this.closed;
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
