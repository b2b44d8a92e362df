// A parse worker of a parallel live verification (copy-parallel.ts): it turns chunks
// of COPY text (whole lines, in memory shared with the engine's thread) into rows,
// builds each payload and computes each hash exactly as the in-thread path does, and
// sends back the compact rows with each line's place in the chunk's text.
import { parentPort, workerData } from 'node:worker_threads';
import type { MappedColumn } from '../cache/record-mapping.js';
import type { ChainProfile } from '../chain/profile.js';
import { chunkText, copyLine } from './copy-text.js';
import { chainShape, toLinkRow } from './rows.js';
import { RowBatchBuilder, type RowBatch } from './worker-rows.js';
import type { GangMessage } from './worker-gang.js';
import { toWorkerError } from '../util/worker-errors.js';

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

export type FromCopyWorker = GangMessage<RowBatch>;

const port = parentPort!;
const init = workerData as CopyWorkerInit;

try {
  const shape = chainShape(init.columns, init.profile, init.label);
  port.on('message', (m: CopyChunk) => {
    try {
      // One decoding of the whole chunk, then lines cut from the text: a native call
      // per line cost more than the line's parsing. Lines are whole, so decoding them
      // one by one or all at once gives the same text.
      const text = chunkText(m.data, m.length);
      const batches = new RowBatchBuilder(m.id, 2048, 2, init.profile);
      let start = 0;
      while (start < text.length) {
        const end = text.indexOf('\n', start);
        const full = batches.push(toLinkRow(copyLine(text.slice(start, end)), shape), start, end);
        if (full) port.postMessage(full, [full.ref.buffer]);
        start = end + 1;
      }
      const b = batches.finish();
      port.postMessage(b, [b.ref.buffer]);
    } catch (e) {
      port.postMessage({ type: 'failed', error: toWorkerError(e) } satisfies FromCopyWorker);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromCopyWorker);
} catch (e) {
  port.postMessage({ type: 'failed', error: toWorkerError(e) } satisfies FromCopyWorker);
}
