// Reads a live chain with parse workers: this thread receives the COPY text from
// PostgreSQL, cuts it into chunks of whole lines in shared memory and hands them to
// parse workers (copy-worker.ts) in turn; they parse, build payloads and hash, and
// this thread feeds the compact rows to the engine in chunk order, so the engine
// sees exactly the rows, in the order, that the in-thread COPY reader gives. While
// PostgreSQL produces the next rows on one core, the parsing and hashing of the last
// ones is spread over the workers. A row's payload and values, needed only to describe
// a few kinds of break, are parsed again from its line in the chunk when asked for.
import type { MappedColumn } from '../cache/record-mapping.js';
import { UserError } from '../util/errors.js';
import { copyLine } from '../source/copy-text.js';
import type { CopyChunk, CopyWorkerInit } from './copy-worker.js';
import { toChainRow, type ChainShape } from './rows.js';
import type { ChainRow } from './types.js';
import { feedBatch, type RowBatch } from './worker-rows.js';
import { WorkerGang } from './worker-gang.js';

const CHUNK_BYTES = 256 * 1024;
/** Chunks handed out and not yet fed to the engine: bounds memory, and makes PostgreSQL wait when the workers fall behind. */
const IN_FLIGHT_PER_WORKER = 4;
const NEWLINE = 0x0a;

export interface CopyReadOptions {
  signal?: AbortSignal;
  onTick?: (rows: number) => void;
  chunkBytes?: number;
}

/**
 * Parse workers for every chain of one table in a run: started once (about 0.1 s and
 * 0.2 s of CPU for two), they parse the COPY text of each tenant's chain in turn.
 */
export class CopyParsers {
  private readonly gang: WorkerGang<CopyChunk>;
  private readonly queues = new Map<number, RowBatch[]>();
  /** Chunk ids go on from one chain to the next, so a late batch of a failed chain is never taken for another's. */
  private nextChunk = 0;
  private started: Promise<boolean> | null = null;

  constructor(
    columns: MappedColumn[],
    private readonly shape: ChainShape,
    label: string,
    threads: number,
  ) {
    const init: CopyWorkerInit = { columns, profile: shape.profile, label };
    this.gang = new WorkerGang<CopyChunk>(new URL('./copy-worker.js', import.meta.url), init, threads, 'parse', (_w, m) => this.queues.get(m.part)?.push(m));
  }

  /** true when the workers run; false when none could start (read in this thread instead). */
  start(): Promise<boolean> {
    return (this.started ??= this.gang.start());
  }

  /**
   * The COPY text `open()` streams (chunks cut anywhere), parsed and hashed by the
   * workers and fed to `onRow` in order; returns the row count. Call after start() said true.
   */
  async read(open: () => AsyncIterable<Buffer>, onRow: (row: ChainRow) => void, opts: CopyReadOptions = {}): Promise<number> {
    const { gang, queues, shape } = this;
    const workers = gang.workers;
    const base = this.nextChunk;
    const chunks: Buffer[] = [];
    let sent = 0;
    let consumed = 0;
    let rows = 0;

    const send = (whole: Buffer) => {
      const data = new SharedArrayBuffer(whole.length);
      const view = Buffer.from(data);
      whole.copy(view);
      const id = base + sent++;
      chunks[id - base] = view;
      queues.set(id, []);
      this.nextChunk = id + 1;
      gang.send(workers[id % workers.length]!, { type: 'chunk', id, data, length: whole.length });
    };
    /** Feeds every batch that is ready, in chunk order; with `wait`, waits for at least one. */
    const drain = async (wait: boolean) => {
      for (;;) {
        const q = queues.get(base + consumed);
        const b = q?.shift();
        if (!b) {
          gang.check();
          if (!wait || consumed >= sent) return;
          await gang.next();
          continue;
        }
        const data = chunks[consumed]!;
        rows += feedBatch(b, 2, (start, end) => toChainRow(copyLine(data.toString('utf8', start, end)), shape), onRow);
        opts.onTick?.(rows);
        if (b.last) {
          queues.delete(base + consumed);
          delete chunks[consumed];
          consumed++;
          wait = false;
        }
      }
    };

    try {
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
      for (let i = consumed; i < sent; i++) queues.delete(base + i);
    }
  }

  close(): Promise<unknown> {
    return this.gang.terminate();
  }
}

/**
 * The COPY text `open()` streams, parsed by `threads` workers started for it alone;
 * null when no worker could start (then `open` was not called).
 */
export async function readCopyTextParallel(
  open: () => AsyncIterable<Buffer>,
  columns: MappedColumn[],
  shape: ChainShape,
  label: string,
  onRow: (row: ChainRow) => void,
  opts: CopyReadOptions & { threads: number },
): Promise<number | null> {
  const parsers = new CopyParsers(columns, shape, label, opts.threads);
  try {
    if (!(await parsers.start())) return null;
    return await parsers.read(open, onRow, opts);
  } finally {
    await parsers.close();
  }
}
