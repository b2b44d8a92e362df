// Cache reads off the main process's event loop. better-sqlite3 is synchronous: a
// facet count or a full-text histogram on a million rows would hold the IPC/HTTP
// bridge (status, job progress, cancel buttons) for as long as it runs. Timeline and
// anomaly reads therefore run in worker threads, each with its own read-only
// connection to the cache file (WAL: readers see every committed write, and
// data_version moves, so the per-generation result caches stay right).
//
// Two lanes: the heavy methods (facets, histogram, findings) may occupy all workers
// but one, so a page, a count or an event's detail — what puts rows on screen — never
// queues behind them. Writes (reviews, saved filters) stay in the main process.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker.js';
import { contract, type MethodName } from '../contract/index.js';
import { fromWorkerError, type WorkerError } from '../util/worker-errors.js';
import { environment } from '../util/environment.js';

/** Methods the contract places in the query workers (contract/define.ts: MethodPlacement). */
export function runsInQueryWorker(name: MethodName): boolean {
  return contract[name].placement !== 'main';
}

const isHeavy = (name: MethodName) => contract[name].placement === 'heavy-read';

export interface WorkerRequest {
  id: number;
  method: string;
  input: unknown;
}

export type { WorkerError } from '../util/worker-errors.js';

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WorkerError };

interface Job {
  id: number;
  method: MethodName;
  input: unknown;
  heavy: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  answered: boolean;
}

/**
 * A worker could not start at all (e.g. its file is missing from a packaged build):
 * dispatch then runs the read in the main process, slower for the UI but correct.
 */
export class WorkerUnavailable extends Error {
  constructor(why: string) {
    super(`query workers are unavailable (${why})`);
    this.name = 'WorkerUnavailable';
  }
}

/** Number of query workers: AUDITDESK_QUERY_WORKERS (0 = run reads inline), else 2. */
export function defaultQueryWorkers(): number {
  return environment().queryWorkers;
}

export class QueryPool {
  private readonly slots: Slot[] = [];
  private readonly light: Job[] = [];
  private readonly heavy: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** set when a worker died before answering anything: reads then run inline */
  unavailable: string | null = null;

  constructor(
    private readonly cachePath: string,
    readonly size: number,
    /** the worker's module (tests point it at a file that does not load) */
    private readonly workerUrl: URL = new URL('./query-worker.js', import.meta.url),
  ) {
    if (size < 1) throw new Error('QueryPool needs at least one worker');
  }

  run(method: MethodName, input: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the query pool is closed'));
    if (this.unavailable) return Promise.reject(new WorkerUnavailable(this.unavailable));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, method, input, heavy: isHeavy(method), resolve, reject };
      (job.heavy ? this.heavy : this.light).push(job);
      this.pump();
    });
  }

  /** Jobs running or waiting (tests and diagnostics). */
  get pending(): number {
    return this.light.length + this.heavy.length + this.slots.filter((s) => s.job).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const gone = new Error('the query pool was closed');
    for (const job of [...this.light.splice(0), ...this.heavy.splice(0)]) job.reject(gone);
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    for (;;) {
      const heavyRunning = this.slots.filter((s) => s.job?.heavy).length;
      const heavyAllowed = this.size === 1 ? 1 : this.size - 1;
      const job = this.light.length ? this.light[0] : heavyRunning < heavyAllowed ? this.heavy[0] : undefined;
      if (!job) return;
      const slot = this.idleSlot();
      if (!slot) return;
      (job.heavy ? this.heavy : this.light).shift();
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, method: job.method, input: job.input } satisfies WorkerRequest);
    }
  }

  private idleSlot(): Slot | undefined {
    const idle = this.slots.find((s) => !s.job);
    if (idle) return idle;
    if (this.slots.length >= this.size) return undefined;
    const slot: Slot = { worker: startWorker(this.workerUrl, { workerData: { cachePath: this.cachePath } }), job: null, answered: false };
    slot.worker.on('message', (reply: WorkerReply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = null;
      slot.answered = true;
      // An idle worker must not keep a CLI or a test process alive.
      slot.worker.unref();
      if (reply.ok) job.resolve(reply.value);
      else job.reject(fromWorkerError(reply.error));
      this.pump();
    });
    const lost = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (!slot.answered && !this.closed) {
        this.unavailable = why;
        for (const job of [slot.job, ...this.light.splice(0), ...this.heavy.splice(0)]) job?.reject(new WorkerUnavailable(why));
        slot.job = null;
        return;
      }
      slot.job?.reject(new Error(`a query worker stopped (${why}); try again`));
      slot.job = null;
      if (!this.closed) this.pump();
    };
    slot.worker.on('error', (e) => lost(e.message));
    slot.worker.on('exit', (code) => lost(`exit code ${code}`));
    this.slots.push(slot);
    return slot;
  }
}
