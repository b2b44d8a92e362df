// One protocol for the core's worker threads (issue 12), instead of a message shape per
// worker: sequence-numbered calls; a result, an error that keeps its E_* code across the
// thread boundary (worker-errors.ts), or progress in between; cancel; and a worker that
// cannot start (a packaged build without its file, flags Node refuses in a worker) told
// apart from one that failed mid-call, so the caller can run the same work in its own
// thread instead (runOffThread).
import { parentPort, type TransferListItem, type Worker, type WorkerOptions } from 'node:worker_threads';
import { startWorker } from './start-worker.js';
import { fromWorkerError, toWorkerError, type WorkerError } from './worker-errors.js';

type ToWorker<Q> = { seq: number; kind: 'call'; input: Q } | { seq: number; kind: 'cancel' };
type FromWorker<R, P> = { seq: number; kind: 'progress'; progress: P } | { seq: number; kind: 'result'; value: R } | { seq: number; kind: 'error'; error: WorkerError };

/** The worker never answered anything: its module did not load or it could not be made. */
export class WorkerDidNotStart extends Error {}

export interface CallOptions<P> {
  onProgress?: (progress: P) => void;
  /** Aborting sends cancel; the worker's handler sees its own signal abort. */
  signal?: AbortSignal;
  /** Buffers moved to the worker instead of copied (the caller must not touch them after). */
  transfer?: readonly TransferListItem[];
}

export interface RpcWorkerOptions extends Omit<WorkerOptions, 'execArgv'> {
  /** The error a call gets when the worker exits while it runs (default: a plain Error naming the exit code). */
  onExit?: (exitCode: number) => Error;
}

interface Pending<R, P> {
  resolve(value: R): void;
  reject(error: Error): void;
  onProgress: ((progress: P) => void) | undefined;
}

/** The parent's side: calls into one worker thread. */
export class RpcWorker<Q, R, P = never> {
  private readonly pending = new Map<number, Pending<R, P>>();
  private nextSeq = 1;
  private answered = false;
  private gone: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly what: string,
    onExit: RpcWorkerOptions['onExit'],
  ) {
    worker.on('message', (m: FromWorker<R, P>) => {
      this.answered = true;
      const call = this.pending.get(m.seq);
      if (!call) return;
      if (m.kind === 'progress') call.onProgress?.(m.progress);
      else {
        this.pending.delete(m.seq);
        if (m.kind === 'result') call.resolve(m.value);
        else call.reject(fromWorkerError(m.error));
      }
    });
    worker.on('error', (e) => this.failAll(this.answered ? e : new WorkerDidNotStart(`${this.what} worker did not start: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!this.answered) this.failAll(new WorkerDidNotStart(`${this.what} worker exited (code ${code}) before it answered`));
      else this.failAll(onExit?.(code) ?? new Error(`${this.what} worker stopped unexpectedly (exit code ${code})`));
    });
  }

  /** A worker for `file`, or null when none can be made here. */
  static start<Q, R, P = never>(file: URL, what: string, options: RpcWorkerOptions = {}): RpcWorker<Q, R, P> | null {
    const { onExit, ...workerOptions } = options;
    try {
      return new RpcWorker<Q, R, P>(startWorker(file, workerOptions), what, onExit);
    } catch {
      return null;
    }
  }

  /**
   * A worker that has answered `hello` (it loaded and did its set-up), or null when none
   * could: the caller then does the work in its own thread, as it would for small jobs.
   */
  static async startAnswering<Q, R, P = never>(file: URL, what: string, hello: Q, options: RpcWorkerOptions = {}): Promise<RpcWorker<Q, R, P> | null> {
    const worker = RpcWorker.start<Q, R, P>(file, what, options);
    if (!worker) return null;
    try {
      await worker.call(hello);
      return worker;
    } catch {
      await worker.terminate().catch(() => undefined);
      return null;
    }
  }

  call(input: Q, opts: CallOptions<P> = {}): Promise<R> {
    if (this.gone) return Promise.reject(this.gone);
    const seq = this.nextSeq++;
    return new Promise<R>((resolve, reject) => {
      const cancel = () => this.worker.postMessage({ seq, kind: 'cancel' } satisfies ToWorker<Q>);
      opts.signal?.addEventListener('abort', cancel, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', cancel);
      this.pending.set(seq, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
        onProgress: opts.onProgress,
      });
      this.worker.postMessage({ seq, kind: 'call', input } satisfies ToWorker<Q>, opts.transfer);
      if (opts.signal?.aborted) cancel();
    });
  }

  /** False once the worker has exited or failed: every later call is refused with the reason. */
  get alive(): boolean {
    return this.gone === null;
  }

  /** An idle worker must not keep a CLI or a test process alive: unref it between calls. */
  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    this.gone ??= error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

export interface HandlerContext<P> {
  /** Sent before the result, in order; `transfer` moves buffers instead of copying them. */
  progress(progress: P, transfer?: readonly TransferListItem[]): void;
  /** Aborted when the caller cancels this call. */
  signal: AbortSignal;
}

/**
 * The worker's side: answers each call with `handle`. With `once`, the worker stops
 * listening after its first answer, so its thread ends when the work's own handles close.
 */
export function serveCalls<Q, R, P = never>(handle: (input: Q, ctx: HandlerContext<P>) => Promise<R>, opts: { once?: boolean } = {}): void {
  const port = parentPort;
  if (!port) throw new Error('serveCalls runs in a worker thread');
  const running = new Map<number, AbortController>();
  const post = (m: FromWorker<R, P>, transfer?: readonly TransferListItem[]) => port.postMessage(m, transfer);
  port.on('message', (m: ToWorker<Q>) => {
    if (m.kind === 'cancel') return running.get(m.seq)?.abort();
    const controller = new AbortController();
    running.set(m.seq, controller);
    void handle(m.input, { progress: (progress, transfer) => post({ seq: m.seq, kind: 'progress', progress }, transfer), signal: controller.signal })
      .then(
        (value) => post({ seq: m.seq, kind: 'result', value }),
        (e: unknown) => post({ seq: m.seq, kind: 'error', error: toWorkerError(e) }),
      )
      .finally(() => {
        running.delete(m.seq);
        if (opts.once) port.close();
      });
  });
}

/**
 * One call in a worker thread; when no worker can start, the same work runs here
 * (`inThread`), so a missing worker file costs responsiveness, never the result.
 */
export async function runOffThread<Q, R, P = never>(
  file: URL,
  what: string,
  input: Q,
  inThread: (input: Q, ctx: HandlerContext<P>) => Promise<R>,
  opts: CallOptions<P> & RpcWorkerOptions = {},
): Promise<R> {
  const { onProgress, signal, ...workerOptions } = opts;
  const worker = RpcWorker.start<Q, R, P>(file, what, workerOptions);
  const here = () => inThread(input, { progress: (p) => onProgress?.(p), signal: signal ?? new AbortController().signal });
  if (!worker) return here();
  try {
    return await worker.call(input, { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
  } catch (e) {
    if (e instanceof WorkerDidNotStart) return here();
    throw e;
  } finally {
    // awaited: the call is over only when the thread, and every file it held, is gone
    await worker.terminate().catch(() => undefined);
  }
}
