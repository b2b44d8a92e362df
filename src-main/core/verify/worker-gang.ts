// The start-up and failure handling both parallel readers share (cached-parallel.ts
// reads seq ranges from SQLite, copy-parallel.ts parses COPY chunks): N workers that
// each say 'ready' or 'failed', stream batches back, and wake the reader as data comes.
// If none can start the reader returns null and the run reads the chain in one thread;
// a failure after start-up (a worker's error, or one dying) is the run's failure.
import type { Worker } from 'node:worker_threads';
import { fromWorkerError, type WorkerError } from '../util/worker-errors.js';
import { startWorker } from '../util/start-worker.js';

export type GangMessage<B> = B | { type: 'ready' } | { type: 'failed'; error: WorkerError };

export class WorkerGang<B extends { type: string }> {
  readonly workers: Worker[] = [];
  private failed: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly started: Promise<boolean>[] = [];

  /**
   * @param onReady a worker said it is ready for work
   * @param onBatch a worker sent a batch; the reader is woken after it
   */
  constructor(file: URL, init: unknown, count: number, what: string, onBatch: (w: Worker, b: B) => void, onReady: (w: Worker) => void = () => undefined) {
    for (let i = 0; i < count; i++) {
      const w = startWorker(file, { workerData: init });
      this.workers.push(w);
      let ready: (ok: boolean) => void = () => undefined;
      this.started.push(new Promise<boolean>((r) => (ready = r)));
      let running = false;
      w.on('message', (m: GangMessage<B>) => {
        if (m.type === 'ready') {
          running = true;
          onReady(w);
          return ready(true);
        }
        if (m.type === 'failed') {
          this.failed ??= fromWorkerError((m as { error: WorkerError }).error);
          ready(false);
          return this.notify();
        }
        onBatch(w, m as B);
        this.notify();
      });
      const die = (e: Error) => {
        ready(false);
        if (running) this.failed ??= e;
        this.notify();
      };
      w.on('error', die);
      w.on('exit', (code) => die(new Error(`a verification ${what} worker stopped (exit code ${code})`)));
    }
  }

  /** true when every worker started; false when none could (read in one thread instead). */
  async start(): Promise<boolean> {
    const ok = await Promise.all(this.started);
    if (!ok.some((x) => !x)) return true;
    if (this.failed && ok.some((x) => x)) throw this.failed;
    return false;
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
