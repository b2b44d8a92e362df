// Reads a cached chain with worker threads: the chain is cut into seq ranges, read
// workers (read-worker.ts) each take the next range on a read-only connection of their
// own, rebuild values and payloads and compute the hashes, and this thread feeds the
// rows to the engine in range order, so the engine sees the very sequence
// `ORDER BY seq, rid` gives in one thread. On two cores the reading and hashing
// (almost all of a verification's time) runs on both. A row's payload and values,
// which the engine needs only to describe a few kinds of break, are read again by
// rid from this thread's connection when asked for.
import { availableParallelism } from 'node:os';
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn } from '../cache/record-mapping.js';
import { UserError } from '../util/errors.js';
import { cachedRowLayout, damagedRowChecker, DIGEST_CHECK_COLUMNS, rangeReader, type SeqRange } from './cached-rows.js';
import type { CheckDigests, ReadChain, ReadRange, ReadWorkerInit } from './read-worker.js';
import { toChainRow, type ChainShape } from './rows.js';
import type { ChainRow } from './types.js';
import { feedBatch, type RowBatch } from './worker-rows.js';
import { WorkerGang, type GangWorker } from './worker-gang.js';
import { environment } from '../util/environment.js';

/** Below this many rows starting workers costs more than it saves. */
export const PARALLEL_MIN_ROWS = 50_000;
/** Small enough that this thread, reading the first ranges while the workers start, hands over soon after they are ready. */
const RANGE_ROWS = 5_000;
const BATCH_ROWS = 4096;
/** Ranges read ahead of the one the engine is on: bounds memory to a few ranges of compact rows. */
const AHEAD = 24;
const MIN_SEQ = -(2n ** 63n);

/** Read workers for this machine: AUDITDESK_VERIFY_THREADS, else one per core (none on one core). */
export function defaultReadThreads(): number {
  const chosen = environment().verifyThreads;
  if (chosen !== undefined) return chosen;
  const cores = availableParallelism();
  return cores >= 2 ? Math.min(cores, 4) : 0;
}

export interface ParallelReadOptions {
  /** Rows the chain holds (an estimate is enough: it only sizes the ranges). */
  rows: number;
  signal?: AbortSignal;
  onTick?: (rows: number) => void;
  /** Smaller ranges (tests: several ranges and workers on a small chain). */
  rangeRows?: number;
}

export interface ReadersOptions {
  /** Rows per message (tests make it small). */
  batchRows?: number;
  /** The read worker's script (tests: one that cannot load). */
  workerScript?: URL;
}

type CachedChainRef = { tableId: number; tenant: string; columns: MappedColumn[]; name: string };

/**
 * Read workers for every large chain of one cache file in a run: started once (a few
 * hundred ms of loading modules and opening the file, better started before the
 * chains are listed and counted), they read each chain in turn.
 */
export class CacheReaders {
  private readonly gang: WorkerGang<ReadChain | ReadRange | CheckDigests>;
  private readonly idle: GangWorker<ReadChain | ReadRange | CheckDigests>[] = [];
  private readonly queues = new Map<number, RowBatch[]>();
  /** Range ids go on from one chain to the next, so a late batch of a failed chain is never taken for another's. */
  private nextPart = 0;
  private readonly starting: Promise<boolean>;
  private started: boolean | undefined;
  private wanted = () => undefined as void;

  /** null for a cache workers cannot open (in memory), or with no thread to start. */
  static for(db: CacheDb, threads: number, opts: ReadersOptions = {}): CacheReaders | null {
    return threads < 1 || db.memory || db.name === '' ? null : new CacheReaders(db.name, threads, opts);
  }

  private constructor(path: string, threads: number, opts: ReadersOptions) {
    const init: ReadWorkerInit = { path, batchRows: opts.batchRows ?? BATCH_ROWS };
    this.gang = new WorkerGang<ReadChain | ReadRange | CheckDigests>(
      opts.workerScript ?? new URL('./read-worker.js', import.meta.url),
      init,
      threads,
      'read',
      (w, m) => {
        this.queues.get(m.part)?.push(m);
        if (m.last) {
          this.idle.push(w);
          this.wanted();
        }
      },
      (w) => {
        this.idle.push(w);
        this.wanted();
      },
    );
    this.starting = this.gang.start();
    this.starting.then(
      (ok) => (this.started = ok),
      () => (this.started = false), // the failure itself is thrown where `starting` is awaited
    );
  }

  /**
   * Same contract as readCachedChain (rows in order into `onRow`, returns the count).
   * This thread reads the first ranges itself while the workers are still starting, and
   * every range if none can start (e.g. a packaging that cannot load the worker script).
   */
  async read(db: CacheDb, chain: CachedChainRef, shape: ChainShape, onRow: (row: ChainRow) => void, opts: ParallelReadOptions): Promise<number> {
    const { gang, idle } = this;
    const maxRid = Number((db.prepare('SELECT max(rid) FROM records').pluck().get() as number | null) ?? 0);
    const bounds = db.prepare('SELECT min(seq), max(seq) FROM records WHERE table_id = ? AND tenant_id = ?').raw(true).safeIntegers(true).get(chain.tableId, chain.tenant) as [
      bigint | null,
      bigint | null,
    ];
    const ranges = seqRanges(bounds[0], bounds[1], Math.max(1, Math.ceil(opts.rows / (opts.rangeRows ?? RANGE_ROWS))));

    const layout = cachedRowLayout(chain.columns, shape);
    const byRid = db.prepare(`SELECT ${layout.select} FROM records WHERE rid = ?`).raw(true).safeIntegers(true);
    const fetch = (rid: number): ChainRow => {
      const r = byRid.get(rid) as unknown[];
      return toChainRow(layout.toValues(r), shape, layout.seqOf(r));
    };

    let consume = 0;
    const work = this.rangesFor(chain, shape, maxRid, ranges, 'range', (index) => index < consume + AHEAD);

    let n = 0;
    let tick = 0;
    const ticked = () => {
      if (n - tick >= 50_000) {
        tick = n;
        opts.onTick?.(n);
      }
      if (opts.signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
    };
    const read = rangeReader(db, layout, chain, maxRid);
    const readHere = (range: SeqRange) => {
      for (const r of read(range)) {
        onRow(toChainRow(layout.toValues(r), shape, layout.seqOf(r)));
        n++;
      }
      consume++;
      work.skipTo(consume);
      ticked();
    };

    try {
      // While the workers start, a quarter of the ranges at most: the rest is theirs.
      const here = Math.max(2, Math.ceil(ranges.length / 4));
      while (consume < Math.min(ranges.length, here) && !idle.length && this.started === undefined) {
        readHere(ranges[consume]!);
        await new Promise((resolve) => setImmediate(resolve)); // lets the workers' 'ready' in
      }
      if (!(await this.starting)) {
        while (consume < ranges.length) readHere(ranges[consume]!);
        return n;
      }
      this.wanted = work.assign;
      work.assign();
      while (consume < ranges.length) {
        const b = work.answers(consume).shift();
        if (!b) {
          gang.check();
          await gang.next();
          continue;
        }
        n += feedBatch(b, 1, fetch, onRow);
        ticked();
        if (b.last) {
          work.done(consume++);
          work.assign();
        }
      }
      return n;
    } finally {
      this.wanted = () => undefined;
      work.release();
    }
  }

  /**
   * The digest check of verify/cache-damage.ts with the workers, each taking the next seq
   * range: the first row (in seq, then rid order; after `afterSeq` when given) whose
   * values no longer give the digest the sync stored, as its reference; null when every
   * row matches. The same answer as firstDamagedRowHere, which it falls back to when no
   * worker started.
   */
  async firstDamagedRow(db: CacheDb, chain: CachedChainRef, shape: ChainShape, opts: DigestCheckOptions): Promise<string | null> {
    const { maxRid, ranges } = digestCheckRanges(db, chain, opts);
    if (!(await this.starting)) return firstDamagedRowHere(db, chain, shape, opts.afterSeq);
    const work = this.rangesFor(chain, shape, maxRid, ranges, 'digests', () => true);
    try {
      this.wanted = work.assign;
      work.assign();
      // Answers come in any order; the first damaged row is that of the first range, in order, with one.
      for (let consume = 0; consume < ranges.length;) {
        const answer = work.answers(consume).shift();
        if (!answer) {
          this.gang.check();
          if (opts.signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
          await this.gang.next();
          continue;
        }
        if (answer.damaged) return answer.damaged;
        work.done(consume++);
      }
      return null;
    } finally {
      this.wanted = () => undefined;
      work.release();
    }
  }

  /**
   * `ranges` of a chain as work for the workers: a list per range for its answers (batches
   * carrying the range's id) and `assign`, which hands the next ranges to idle workers while
   * `mayAssign(index)` allows. Every worker learns the chain before any of its ranges (a
   * worker reads its messages in order).
   */
  private rangesFor(chain: CachedChainRef, shape: ChainShape, maxRid: number, ranges: SeqRange[], type: 'range' | 'digests', mayAssign: (index: number) => boolean) {
    const { gang, idle, queues } = this;
    const base = this.nextPart;
    this.nextPart += ranges.length;
    for (let i = 0; i < ranges.length; i++) queues.set(base + i, []);
    let next = 0;
    let told = false;
    return {
      answers: (index: number) => queues.get(base + index)!,
      done: (index: number) => queues.delete(base + index),
      /** The ranges before `index` were read in this thread. */
      skipTo: (index: number) => (next = Math.max(next, index)),
      assign: () => {
        if (!told && idle.length) {
          const message: ReadChain = { type: 'chain', tableId: chain.tableId, tenant: chain.tenant, columns: chain.columns, profile: shape.profile, label: chain.name, maxRid };
          for (const w of gang.workers) gang.send(w, message);
          told = true;
        }
        while (idle.length && next < ranges.length && mayAssign(next)) {
          const { lo, hi } = ranges[next]!;
          const id = base + next++;
          gang.send(idle.pop()!, { type, id, lo, hi });
        }
      },
      release: () => {
        for (let i = 0; i < ranges.length; i++) queues.delete(base + i);
      },
    };
  }

  close(): Promise<unknown> {
    return this.gang.terminate();
  }
}

export interface DigestCheckOptions {
  /** Rows the chain holds (sizes the ranges). */
  rows: number;
  /** Only rows after this seq (those up to it were found as stored: verify/hashed-rows.ts). */
  afterSeq?: bigint;
  signal?: AbortSignal;
  rangeRows?: number;
}

/** The rows a digest check covers, as seq ranges in order: NULL seqs first unless only rows after a seq are checked. */
function digestCheckRanges(db: CacheDb, chain: CachedChainRef, opts: { rows: number; afterSeq?: bigint; rangeRows?: number }): { maxRid: number; ranges: SeqRange[] } {
  const maxRid = Number((db.prepare('SELECT max(rid) FROM records').pluck().get() as number | null) ?? 0);
  const after = opts.afterSeq;
  const bounds = db
    .prepare(`SELECT min(seq), max(seq) FROM records WHERE table_id = ? AND tenant_id = ?${after === undefined ? '' : ' AND seq > ?'}`)
    .raw(true)
    .safeIntegers(true)
    .get(...[chain.tableId, chain.tenant, ...(after === undefined ? [] : [after])]) as [bigint | null, bigint | null];
  const ranges = seqRanges(bounds[0], bounds[1], Math.max(1, Math.ceil(opts.rows / (opts.rangeRows ?? DIGEST_RANGE_ROWS))));
  if (after === undefined) return { maxRid, ranges };
  // No NULL seqs, and the first range starts just after `afterSeq` instead of at the smallest int64.
  const [, first, ...rest] = ranges;
  return { maxRid, ranges: first ? [{ lo: after + 1n, hi: first.hi }, ...rest] : [] };
}

/** Rows per digest-check range: its answer is a few bytes, so ranges can be large. */
const DIGEST_RANGE_ROWS = 20_000;

/** The digest check in this thread (CacheReaders.firstDamagedRow without workers). */
export function firstDamagedRowHere(db: CacheDb, chain: CachedChainRef, shape: ChainShape, afterSeq?: bigint): string | null {
  const layout = cachedRowLayout(chain.columns, shape);
  // One range (and the NULL seqs before it, unless only rows after a seq are checked).
  const { maxRid, ranges } = digestCheckRanges(db, chain, { rows: 0, afterSeq });
  const read = rangeReader(db, layout, chain, maxRid, DIGEST_CHECK_COLUMNS);
  const damagedIn = damagedRowChecker(layout, chain.columns);
  for (const range of ranges) {
    const row = damagedIn(read(range));
    if (row !== null) return row;
  }
  return null;
}

/**
 * One chain read by `threads` read workers started for it alone (see CacheReaders.read),
 * or null for a cache workers cannot open (in memory): the caller then reads in this thread.
 */
export async function readCachedChainParallel(
  db: CacheDb,
  chain: CachedChainRef,
  shape: ChainShape,
  onRow: (row: ChainRow) => void,
  opts: ParallelReadOptions & ReadersOptions & { threads: number },
): Promise<number | null> {
  const readers = CacheReaders.for(db, opts.threads, opts);
  if (!readers) return null;
  try {
    return await readers.read(db, chain, shape, onRow, opts);
  } finally {
    await readers.close();
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
