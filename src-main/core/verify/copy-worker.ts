// A parse worker of a parallel live verification (copy-parallel.ts): it turns chunks
// of COPY text (whole lines, in memory shared with the engine's thread) into rows,
// builds each payload and computes each hash exactly as the in-thread path does, and
// sends back the compact rows with each line's byte range in its chunk.
import { isAscii } from 'node:buffer';
import { workerData } from 'node:worker_threads';
import type { MappedColumn } from '../cache/record-mapping.js';
import type { ChainProfile } from '../chain/profile.js';
import { copyLine } from '../source/copy-text.js';
import { chainShape, toLinkRow } from './rows.js';
import { RowBatchBuilder } from './worker-rows.js';
import { serveBatches } from './worker-gang.js';

export interface CopyWorkerInit {
  columns: MappedColumn[];
  profile: ChainProfile;
  label: string;
}

/** Whole lines of COPY text: bytes [0, length) of `data`, every line ending in a newline. */
export interface CopyChunk {
  type: 'chunk';
  id: number;
  data: SharedArrayBuffer;
  length: number;
}

const init = workerData as CopyWorkerInit;
const NEWLINE = 0x0a;

const shape = chainShape(init.columns, init.profile, init.label);
serveBatches<CopyChunk>((m, send) => {
  const buf = Buffer.from(m.data, 0, m.length);
  // An all-ASCII chunk (the usual case) is decoded once and its lines are cut from
  // the text: a native decode per line cost more than parsing the line. Otherwise
  // each line is decoded on its own, so one non-ASCII character does not turn the
  // whole chunk into a two-byte string (slower to match and to hash). Either way a
  // row's reference is its line's byte range.
  const text = isAscii(buf) ? buf.toString('latin1') : null;
  const batches = new RowBatchBuilder(m.id, 2048, 2, init.profile);
  let start = 0;
  while (start < m.length) {
    const end = text !== null ? text.indexOf('\n', start) : buf.indexOf(NEWLINE, start);
    const line = text !== null ? text.slice(start, end) : buf.toString('utf8', start, end);
    const full = batches.push(toLinkRow(copyLine(line), shape), start, end);
    if (full) send(full);
    start = end + 1;
  }
  send(batches.finish());
});
