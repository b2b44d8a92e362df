// The start-up and failure handling both parallel readers share (cached-parallel.ts
// reads seq ranges from SQLite, copy-parallel.ts parses COPY chunks), on worker-rpc:
// N workers that each answer a hello, then take pieces of work whose batches stream back
// as progress (their buffers moved, not copied) and wake the reader as data comes.
// If none can start the reader returns null and the run reads the chain in one thread;
// a failure after start-up (a worker's error, or one dying) is the run's failure.
import { UserError } from '../util/errors.js';
import { RpcWorker, WorkerDidNotStart, serveCalls } from '../util/worker-rpc.js';
import type { RowBatch } from './worker-rows.js';

type Hello = { type: 'hello' };

export type GangWorker<Q> = RpcWorker<Q | Hello, void, RowBatch>;

/**
 * A read or parse worker holds a few ranges of compact rows at a time, but with the
 * default heap limit V8 lets its heap grow to 4 × what survived before collecting (see
 * core/sync/defaults.ts SYNC_HEAP_LIMIT_MB): `verify --cache` of 1M rows with nested JSON
 * and two read workers peaked at 315-320 MB RSS, 275-279 MB with this limit.
 */
export const GANG_HEAP_LIMIT_MB = 512;
const GANG_WORKER_LIMITS = { maxOldGenerationSizeMb: GANG_HEAP_LIMIT_MB };

export class WorkerGang<Q extends { type: string }> {
  readonly workers: GangWorker<Q>[] = [];
  private failed: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly started: Promise<boolean[]>;

  /**
   * @param onBatch a worker sent a batch; the reader is woken after it
   * @param onReady a worker answered its hello and is ready for work
   */
  constructor(
    file: URL,
    init: unknown,
    count: number,
    private readonly what: string,
    onBatch: (w: GangWorker<Q>, b: RowBatch) => void,
    onReady: (w: GangWorker<Q>) => void = () => undefined,
  ) {
    this.onBatch = onBatch;
    const hellos: Promise<boolean>[] = [];
    for (let i = 0; i < count; i++) {
      const w = RpcWorker.start<Q | Hello, void, RowBatch>(file, what, {
        workerData: init,
        resourceLimits: GANG_WORKER_LIMITS,
        onExit: (code) => new Error(`a verification ${what} worker stopped (exit code ${code})`),
      });
      if (!w) continue;
      this.workers.push(w);
      hellos.push(
        w.call({ type: 'hello' }).then(
          () => {
            onReady(w);
            return true;
          },
          (e: unknown) => {
            if (!(e instanceof WorkerDidNotStart)) this.failed ??= gangFailure(e, what);
            this.notify();
            return false;
          },
        ),
      );
    }
    this.started = Promise.all(hellos).then((ok) => (ok.length === count ? ok : [...ok, false]));
  }

  private readonly onBatch: (w: GangWorker<Q>, b: RowBatch) => void;

  /** true when every worker started; false when none could (read in one thread instead). */
  async start(): Promise<boolean> {
    const ok = await this.started;
    if (ok.every(Boolean)) return true;
    // Some started and one failed in its own words: that is the run's failure, not a reason to read alone.
    if (this.failed && ok.some(Boolean)) throw this.failed;
    return false;
  }

  /** Hands `work` to `w`; its batches reach onBatch in order, and a failure is the gang's. */
  send(w: GangWorker<Q>, work: Q): void {
    w.call(work, {
      onProgress: (b) => {
        this.onBatch(w, b);
        this.notify();
      },
    }).catch((e: unknown) => {
      this.failed ??= gangFailure(e, this.what);
      this.notify();
    });
  }

  /** Throws the first failure, if any. */
  check(): void {
    if (this.failed) throw this.failed;
  }

  /** Resolves at the next batch or failure. */
  next(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.workers.map((w) => w.terminate().catch(() => undefined)));
  }
}

/** A worker's failure as the run reports it: its heap limit in words a user can act on, any other error as it is. */
function gangFailure(e: unknown, what: string): Error {
  if ((e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new UserError(
      `a verification ${what} worker used all the memory it is allowed (${GANG_HEAP_LIMIT_MB} MB of JavaScript heap) and was stopped; no verdict was given and no checkpoint recorded.`,
      'E_VERIFY_STOPPED',
      'Run the verification again with AUDITDESK_VERIFY_THREADS=0 and without --jobs: it then reads in one thread, without that limit. Please report the chain that needed it.',
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * The worker's side: `handle` does one piece of work, handing each full batch to `send`
 * (its buffer is moved to the reader's thread). A hello is answered at once.
 */
export function serveBatches<Q extends { type: string }>(handle: (work: Q, send: (b: RowBatch) => void) => void): void {
  serveCalls<Q | Hello, void, RowBatch>(async (work, { progress }) => {
    if (work.type === 'hello') return;
    handle(work as Q, (b) => progress(b, [b.ref.buffer]));
  });
}
