// Reads a cached chain with worker threads: the chain is cut into seq ranges, read
// workers (read-worker.ts) each take the next range on a read-only connection of their
// own, rebuild values and payloads and compute the hashes, and this thread feeds the
// rows to the engine in range order, so the engine sees the very sequence
// `ORDER BY seq, rid` gives in one thread. On two cores the reading and hashing
// (almost all of a verification's time) runs on both. A row's payload and values,
// which the engine needs only to describe a few kinds of break, are read again by
// rid from this thread's connection when asked for.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn } from '../cache/record-mapping.js';
import { UserError } from '../util/errors.js';
import { cachedRowLayout, rangeReader, type SeqRange } from './cached-rows.js';
import type { ReadRange, ReadWorkerInit } from './read-worker.js';
import { toChainRow, type ChainShape } from './rows.js';
import type { ChainRow } from './types.js';
import { feedBatch, type RowBatch } from './worker-rows.js';
import { WorkerGang } from './worker-gang.js';

/** Below this many rows starting workers costs more than it saves. */
export const PARALLEL_MIN_ROWS = 50_000;
const RANGE_ROWS = 25_000;
const BATCH_ROWS = 4096;
/** Ranges this thread reads while the workers start: the NULL-seq rows and one range of seqs. */
const HERE_WHILE_STARTING = 2;
/** Ranges read ahead of the one the engine is on: bounds memory to a few ranges of compact rows. */
const AHEAD = 6;
const MIN_SEQ = -(2n ** 63n);

/** Read workers for this machine: AUDITDESK_VERIFY_THREADS, else one per core (none on one core). */
export function defaultReadThreads(): number {
  const env = process.env.AUDITDESK_VERIFY_THREADS;
  if (env !== undefined && env !== '') return Math.max(0, Math.floor(Number(env)) || 0);
  const cores = availableParallelism();
  return cores >= 2 ? Math.min(cores, 4) : 0;
}

export interface ParallelReadOptions {
  threads: number;
  /** Rows the chain holds (an estimate is enough: it only sizes the ranges). */
  rows: number;
  signal?: AbortSignal;
  onTick?: (rows: number) => void;
  /** Smaller ranges and batches (tests: several ranges and workers on a small chain). */
  rangeRows?: number;
  batchRows?: number;
  /** The read worker's script (tests: one that cannot load). */
  workerScript?: URL;
}

/**
 * Same contract as readCachedChain (rows in order into `onRow`, returns the count), or
 * null for a cache workers cannot open (in memory): the caller then reads in this thread.
 * When no worker can start (e.g. a packaging that cannot load the worker script) this
 * thread reads every range itself.
 */
export async function readCachedChainParallel(
  db: CacheDb,
  chain: { tableId: number; tenant: string; columns: MappedColumn[]; name: string },
  shape: ChainShape,
  onRow: (row: ChainRow) => void,
  opts: ParallelReadOptions,
): Promise<number | null> {
  if (opts.threads < 1 || db.memory || db.name === '') return null;
  const maxRid = Number((db.prepare('SELECT max(rid) FROM records').pluck().get() as number | null) ?? 0);
  const bounds = db
    .prepare('SELECT min(seq), max(seq) FROM records WHERE table_id = ? AND tenant_id = ?')
    .raw(true)
    .safeIntegers(true)
    .get(chain.tableId, chain.tenant) as [bigint | null, bigint | null];
  const ranges = seqRanges(bounds[0], bounds[1], Math.max(1, Math.ceil(opts.rows / (opts.rangeRows ?? RANGE_ROWS))));

  const layout = cachedRowLayout(chain.columns, shape);
  const byRid = db.prepare(`SELECT ${layout.select} FROM records WHERE rid = ?`).raw(true).safeIntegers(true);
  const fetch = (rid: number): ChainRow => {
    const r = byRid.get(rid) as unknown[];
    return toChainRow(layout.toValues(r), shape, layout.seqOf(r));
  };

  const init: ReadWorkerInit = {
    path: db.name,
    tableId: chain.tableId,
    tenant: chain.tenant,
    columns: chain.columns,
    profile: shape.profile,
    label: chain.name,
    maxRid,
    batchRows: opts.batchRows ?? BATCH_ROWS,
  };
  const count = Math.min(opts.threads, ranges.length);
  const queues: RowBatch[][] = ranges.map(() => []);
  let consume = 0;
  let nextRange = 0;
  const idle: Worker[] = [];
  const assign = () => {
    while (idle.length && nextRange < ranges.length && nextRange < consume + AHEAD) {
      const r = ranges[nextRange]!;
      idle.pop()!.postMessage({ type: 'range', id: nextRange++, lo: r.lo, hi: r.hi } satisfies ReadRange);
    }
  };

  const gang = new WorkerGang<RowBatch>(
    opts.workerScript ?? new URL('./read-worker.js', import.meta.url),
    init,
    count,
    'read',
    (w, m) => {
      queues[m.part]!.push(m);
      if (m.last) {
        idle.push(w);
        assign();
      }
    },
    (w) => idle.push(w),
  );

  let n = 0;
  let tick = 0;
  const ticked = () => {
    if (n - tick >= 50_000) {
      tick = n;
      opts.onTick?.(n);
    }
    if (opts.signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
  };
  // This thread reads the first ranges itself while the workers start (a few hundred
  // ms of loading modules and opening the file), and all of them if none can start.
  const read = rangeReader(db, layout, chain, maxRid);
  const readHere = (range: SeqRange) => {
    for (const r of read(range)) {
      onRow(toChainRow(layout.toValues(r), shape, layout.seqOf(r)));
      n++;
    }
    consume++;
    nextRange = consume;
    ticked();
  };

  try {
    const starting = gang.start();
    let started: boolean | undefined;
    starting.then(
      (ok) => (started = ok),
      () => (started = false), // the failure itself is thrown by `await starting` below
    );
    // The NULL-seq rows and the first seq range at most: the rest is the workers'.
    while (consume < Math.min(ranges.length, HERE_WHILE_STARTING) && !idle.length && started === undefined) {
      readHere(ranges[consume]!);
      await new Promise((resolve) => setImmediate(resolve)); // lets the workers' 'ready' in
    }
    if (!(await starting)) {
      while (consume < ranges.length) readHere(ranges[consume]!);
      return n;
    }
    assign();
    while (consume < ranges.length) {
      const b = queues[consume]!.shift();
      if (!b) {
        gang.check();
        await gang.next();
        continue;
      }
      n += feedBatch(b, 1, fetch, onRow);
      ticked();
      if (b.last) {
        queues[consume] = [];
        consume++;
        assign();
      }
    }
    return n;
  } finally {
    await gang.terminate();
  }
}

/** The NULL-seq rows (they sort first), then `parts` equal seq spans from min to past max. */
export function seqRanges(min: bigint | null, max: bigint | null, parts: number): { lo: bigint | null; hi: bigint | null }[] {
  const out: { lo: bigint | null; hi: bigint | null }[] = [{ lo: null, hi: null }];
  if (min === null || max === null) return out;
  const span = max - min + 1n;
  const step = span / BigInt(parts) + (span % BigInt(parts) ? 1n : 0n) || 1n;
  // The first range starts at the smallest int64 and the last has no end: every seq is in one.
  for (let lo = min; lo <= max; lo += step) out.push({ lo: lo === min ? MIN_SEQ : lo, hi: lo + step > max ? null : lo + step });
  return out;
}
