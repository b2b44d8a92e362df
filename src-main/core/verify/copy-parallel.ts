// Reads a live chain with parse workers: this thread receives the COPY text from
// PostgreSQL, cuts it into chunks of whole lines in shared memory and hands them to
// parse workers (copy-worker.ts) in turn; they parse, build payloads and hash, and
// this thread feeds the compact rows to the engine in chunk order, so the engine
// sees exactly the rows, in the order, that the in-thread COPY reader gives. While
// PostgreSQL produces the next rows on one core, the parsing and hashing of the last
// ones is spread over the workers. A row's payload and values, needed only to describe
// a few kinds of break, are parsed again from its line in the chunk when asked for.
import type { MappedColumn } from '../cache/record-mapping.js';
import type { SourceTable } from '../source/discover.js';
import { UserError } from '../util/errors.js';
import { copyChainChunks, type CopySource } from './copy-stream.js';
import { chunkText, copyLine } from './copy-text.js';
import type { CopyChunk, CopyWorkerInit } from './copy-worker.js';
import { toChainRow, type ChainShape } from './rows.js';
import type { ChainRow } from './types.js';
import { feedBatch, type RowBatch } from './worker-rows.js';
import { WorkerGang } from './worker-gang.js';

const CHUNK_BYTES = 256 * 1024;
/** Chunks handed out and not yet fed to the engine: bounds memory, and makes PostgreSQL wait when the workers fall behind. */
const IN_FLIGHT_PER_WORKER = 4;
const NEWLINE = 0x0a;

/**
 * Same contract as readSourceChain with a COPY source (rows in order into `onRow`,
 * returns the count), or null when no worker could start: the caller then reads in this thread.
 */
export async function readSourceChainParallel(
  source: CopySource,
  table: SourceTable,
  tenant: string,
  shape: ChainShape,
  label: string,
  onRow: (row: ChainRow) => void,
  opts: { threads: number; signal?: AbortSignal; onTick?: (rows: number) => void; chunkBytes?: number },
): Promise<number | null> {
  if (opts.threads < 1) return null;
  return readCopyTextParallel(() => copyChainChunks(source, table, tenant, opts.signal), table.mapped, shape, label, onRow, opts);
}

/**
 * The COPY text `open()` streams (chunks cut anywhere), parsed and hashed by workers and
 * fed to `onRow` in order; null when no worker could start (then `open` was not called).
 */
export async function readCopyTextParallel(
  open: () => AsyncIterable<Buffer>,
  columns: MappedColumn[],
  shape: ChainShape,
  label: string,
  onRow: (row: ChainRow) => void,
  opts: { threads: number; signal?: AbortSignal; onTick?: (rows: number) => void; chunkBytes?: number },
): Promise<number | null> {
  const init: CopyWorkerInit = { columns, profile: shape.profile, label };
  const queues = new Map<number, RowBatch[]>();
  const gang = new WorkerGang<RowBatch>(new URL('./copy-worker.js', import.meta.url), init, opts.threads, 'parse', (_w, m) => queues.get(m.part)!.push(m));
  const workers = gang.workers;

  try {
    if (!(await gang.start())) return null;
    const chunks: Buffer[] = [];
    let sent = 0;
    let consumed = 0;
    let rows = 0;

    const send = (whole: Buffer) => {
      const data = new SharedArrayBuffer(whole.length);
      const view = Buffer.from(data);
      whole.copy(view);
      const id = sent++;
      chunks[id] = view;
      queues.set(id, []);
      workers[id % workers.length]!.postMessage({ type: 'chunk', id, data, length: whole.length } satisfies CopyChunk);
    };
    /** Feeds every batch that is ready, in chunk order; with `wait`, waits for at least one. */
    const drain = async (wait: boolean) => {
      for (;;) {
        const q = queues.get(consumed);
        const b = q?.shift();
        if (!b) {
          gang.check();
          if (!wait || consumed >= sent) return;
          await gang.next();
          continue;
        }
        const data = chunks[consumed]!;
        let text: string | null = null; // decoded only if a break needs a row rebuilt
        rows += feedBatch(b, 2, (start, end) => toChainRow(copyLine((text ??= chunkText(data.buffer, data.length)).slice(start, end)), shape), onRow);
        opts.onTick?.(rows);
        if (b.last) {
          queues.delete(consumed);
          delete chunks[consumed];
          consumed++;
          wait = false;
        }
      }
    };

    const limit = workers.length * IN_FLIGHT_PER_WORKER;
    const chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
    let acc: Buffer[] = [];
    let accLength = 0;
    for await (const chunk of open()) {
      acc.push(chunk);
      accLength += chunk.length;
      if (accLength < chunkBytes) continue;
      const all = acc.length === 1 ? acc[0]! : Buffer.concat(acc, accLength);
      const cut = all.lastIndexOf(NEWLINE);
      if (cut < 0) continue; // one line longer than a chunk: keep collecting
      send(all.subarray(0, cut + 1));
      const rest = all.subarray(cut + 1);
      // The rest is copied: the stream may reuse the memory of the chunks it handed out.
      acc = rest.length ? [Buffer.from(rest)] : [];
      accLength = rest.length;
      await drain(false);
      while (sent - consumed >= limit) await drain(true);
      if (opts.signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
    }
    if (accLength) {
      // A last line without its newline is still a row, as the in-thread parser reads it.
      const all = Buffer.concat(acc, accLength);
      send(all[all.length - 1] === NEWLINE ? all : Buffer.concat([all, Buffer.from('\n')]));
    }
    while (consumed < sent) await drain(true);
    return rows;
  } finally {
    await gang.terminate();
  }
}
