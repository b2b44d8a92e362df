// A read worker of a parallel cache verification (cached-parallel.ts): with a read-only
// connection of its own it reads the seq ranges it is handed, rebuilds each row's
// values and payload exactly as the in-thread reader does, computes the row's hash,
// and sends back only what the engine's linking needs (seq, id, time, hashes). The
// engine itself stays on the main thread and sees the rows in the same order.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { MappedColumn } from '../cache/record-mapping.js';
import { chainHash } from '../chain/hash.js';
import type { ChainProfile } from '../chain/profile.js';
import { cachedRowLayout } from './cached-rows.js';
import { chainShape, toChainRow } from './rows.js';

export interface ReadWorkerInit {
  path: string;
  tableId: number;
  tenant: string;
  columns: MappedColumn[];
  profile: ChainProfile;
  label: string;
  /** Rows above this rid were written after the run started: every worker ignores them alike. */
  maxRid: number;
  /** Rows per message. */
  batchRows: number;
}

/** A seq range: `lo` null reads the rows whose seq is NULL (they sort first). */
export interface ReadRange {
  type: 'range';
  id: number;
  lo: bigint | null;
  /** Exclusive; null for no upper bound. */
  hi: bigint | null;
}

/**
 * Rows of one range in order, column-wise. prev[i] is undefined when the row's
 * previous hash equals the hash of row i-1 of the same batch, and computed[i] is
 * undefined when the recomputed hash equals the stored one (the usual case, sent for nothing).
 */
export interface ReadBatch {
  type: 'batch';
  range: number;
  last: boolean;
  rid: Float64Array<ArrayBuffer>;
  seq: (bigint | null)[];
  seqText: (string | null | undefined)[];
  id: string[];
  time: (string | null)[];
  hash: (string | null)[];
  prev: (string | null | undefined)[];
  computed: (string | null | undefined)[];
}

export type FromReadWorker = ReadBatch | { type: 'ready' } | { type: 'failed'; message: string; code?: string; hint?: string };

const port = parentPort!;
const init = workerData as ReadWorkerInit;

try {
  const db = new Database(init.path, { readonly: true, fileMustExist: true });
  const shape = chainShape(init.columns, init.profile, init.label);
  const layout = cachedRowLayout(init.columns, shape);
  const base = `SELECT ${layout.select}, rid FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event' AND rid <= ?`;
  const order = 'ORDER BY seq, rid';
  const nullSeq = db.prepare(`${base} AND seq IS NULL ${order}`).raw(true).safeIntegers(true);
  const bounded = db.prepare(`${base} AND seq >= ? AND seq < ? ${order}`).raw(true).safeIntegers(true);
  const open = db.prepare(`${base} AND seq >= ? ${order}`).raw(true).safeIntegers(true);

  const readRange = (m: ReadRange) => {
    const args: unknown[] = [init.tableId, init.tenant, init.maxRid];
    const stmt = m.lo === null ? nullSeq : m.hi === null ? open : bounded;
    if (m.lo !== null) args.push(m.lo);
    if (m.lo !== null && m.hi !== null) args.push(m.hi);
    let b = emptyBatch(m.id);
    let n = 0;
    for (const r of stmt.iterate(...args) as IterableIterator<unknown[]>) {
      // rid comes last, after the columns the layout reads.
      const rid = r[r.length - 1] as bigint;
      const knownSeq = layout.seqOf(r);
      const row = toChainRow(layout.toValues(r), shape, knownSeq);
      const computed = row.prevHash !== null ? chainHash(row.prevHash, row.payload, init.profile) : null;
      b.rid[n] = Number(rid);
      b.seq.push(row.seq);
      // The seq read as an integer prints as its text; only other texts need sending.
      b.seqText.push(knownSeq !== undefined || (row.seq !== null && row.seqText === row.seq.toString()) ? undefined : row.seqText);
      b.id.push(row.id);
      b.time.push(row.time);
      b.hash.push(row.hash);
      b.prev.push(n > 0 && row.prevHash !== null && row.prevHash === b.hash[n - 1] ? undefined : row.prevHash);
      b.computed.push(computed !== null && computed === row.hash ? undefined : computed);
      if (++n === init.batchRows) {
        port.postMessage(b, [b.rid.buffer]);
        b = emptyBatch(m.id);
        n = 0;
      }
    }
    b.last = true;
    b.rid = b.rid.slice(0, n);
    port.postMessage(b, [b.rid.buffer]);
  };

  const emptyBatch = (range: number): ReadBatch => ({
    type: 'batch',
    range,
    last: false,
    rid: new Float64Array(init.batchRows),
    seq: [],
    seqText: [],
    id: [],
    time: [],
    hash: [],
    prev: [],
    computed: [],
  });

  port.on('message', (m: ReadRange | { type: 'close' }) => {
    if (m.type === 'close') {
      db.close();
      port.close();
      return;
    }
    try {
      readRange(m);
    } catch (e) {
      const err = e as Error & { code?: string; hint?: string };
      port.postMessage({ type: 'failed', message: err.message, code: err.code, hint: err.hint } satisfies FromReadWorker);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromReadWorker);
} catch (e) {
  const err = e as Error & { code?: string; hint?: string };
  port.postMessage({ type: 'failed', message: err.message, code: err.code, hint: err.hint } satisfies FromReadWorker);
}
