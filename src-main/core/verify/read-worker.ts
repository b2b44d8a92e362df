// A read worker of a parallel cache verification (cached-parallel.ts): with a read-only
// connection of its own it reads the seq ranges it is handed (of the chain it was last
// told about), rebuilds each row's values and payload exactly as the in-thread reader
// does, computes the row's hash, and sends back only what the engine's linking needs
// (seq and hashes). The engine itself stays on the main thread and sees the rows in the
// same order.
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import type { MappedColumn } from '../cache/record-mapping.js';
import type { ChainProfile } from '../chain/profile.js';
import { cachedRowLayout, damagedRowChecker, DIGEST_CHECK_COLUMNS, rangeReader, type SeqRange } from './cached-rows.js';
import { chainShape, toLinkRow } from './rows.js';
import { RowBatchBuilder, type RowBatch } from './worker-rows.js';
import { serveBatches } from './worker-gang.js';

export interface ReadWorkerInit {
  path: string;
  /** Rows per message. */
  batchRows: number;
}

/** The chain the next ranges belong to (sent to every worker before them). */
export interface ReadChain {
  type: 'chain';
  tableId: number;
  tenant: string;
  columns: MappedColumn[];
  profile: ChainProfile;
  label: string;
  /** Rows above this rid were written after the run started: every reader ignores them alike. */
  maxRid: number;
}

/** A seq range of the current chain to read (see SeqRange). */
export interface ReadRange extends SeqRange {
  type: 'range';
  id: number;
}

/** A seq range of the current chain whose rows to check against their stored digests (verify/cache-damage.ts). */
export interface CheckDigests extends SeqRange {
  type: 'digests';
  id: number;
}

const init = workerData as ReadWorkerInit;

// Opened once: the same workers read every large chain of a run in turn. (A file that
// cannot be opened stops this worker before it answers: the run then reads in one thread.)
const db = new Database(init.path, { readonly: true, fileMustExist: true });
const values: (string | null)[] = [];
const noChainYet = () => {
  throw new Error('a range arrived before its chain');
};
let readRange: (m: ReadRange, send: (b: RowBatch) => void) => void = noChainYet;
let checkDigests: (m: CheckDigests, send: (b: RowBatch) => void) => void = noChainYet;
const setChain = (c: ReadChain) => {
  const shape = chainShape(c.columns, c.profile, c.label);
  const layout = cachedRowLayout(c.columns, shape);
  const read = rangeReader(db, layout, c, c.maxRid);
  readRange = (m, send) => {
    const batches = new RowBatchBuilder(m.id, init.batchRows, 1, c.profile);
    for (const r of read(m)) {
      // rid comes last, after the columns the layout reads; a row's values are done with once its payload is built.
      const full = batches.push(toLinkRow(layout.toValues(r, values), shape, layout.seqOf(r)), Number(r[r.length - 1] as bigint));
      if (full) send(full);
    }
    send(batches.finish());
  };
  const damagedIn = damagedRowChecker(layout, c.columns);
  const readChecked = rangeReader(db, layout, c, c.maxRid, DIGEST_CHECK_COLUMNS);
  checkDigests = (m, send) => {
    const answer = new RowBatchBuilder(m.id, 1, 1, c.profile).finish();
    answer.damaged = damagedIn(readChecked(m));
    send(answer);
  };
};

serveBatches<ReadChain | ReadRange | CheckDigests>((m, send) => {
  if (m.type === 'chain') setChain(m);
  else if (m.type === 'digests') checkDigests(m, send);
  else readRange(m, send);
});
