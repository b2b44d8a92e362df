// A parse worker of a parallel live verification (copy-parallel.ts): it turns chunks
// of COPY text (whole lines, in memory shared with the engine's thread) into rows,
// builds each payload and computes each hash exactly as the in-thread path does, and
// sends back the compact rows with each line's byte range in its chunk.
import { parentPort, workerData } from 'node:worker_threads';
import type { MappedColumn } from '../cache/record-mapping.js';
import type { ChainProfile } from '../chain/profile.js';
import { copyLine } from './copy-text.js';
import { chainShape, toChainRow } from './rows.js';
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
const NEWLINE = 0x0a;

try {
  const shape = chainShape(init.columns, init.profile, init.label);
  port.on('message', (m: CopyChunk) => {
    try {
      const buf = Buffer.from(m.data, 0, m.length);
      const batches = new RowBatchBuilder(m.id, 2048, 2, init.profile);
      let start = 0;
      while (start < m.length) {
        const end = buf.indexOf(NEWLINE, start);
        const full = batches.push(toChainRow(copyLine(buf.toString('utf8', start, end)), shape), start, end);
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
