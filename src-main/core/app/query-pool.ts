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
import { contract, type MethodName } from '../contract/index.js';
import { RpcWorker, WorkerDidNotStart } from '../util/worker-rpc.js';
import { environment } from '../util/environment.js';

/** Methods the contract places in the query workers (contract/define.ts: MethodPlacement). */
export function runsInQueryWorker(name: MethodName): boolean {
  return contract[name].placement !== 'main';
}

const isHeavy = (name: MethodName) => contract[name].placement === 'heavy-read';

/** One read, as the query worker receives it (input already validated against the contract). */
export interface QueryCall {
  method: MethodName;
  input: unknown;
}

interface Job {
  method: MethodName;
  input: unknown;
  heavy: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: RpcWorker<QueryCall, unknown>;
  job: Job | null;
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
  private closed = false;
  /** set when a worker died before answering anything: reads then run inline */
  unavailable: string | null = null;

  private readonly workerUrl: URL;
  private readonly dataDir: string | null;

  constructor(
    private readonly cachePath: string,
    readonly size: number,
    /**
     * `dataDir`: the data folder whose auditor key tells its own stored verdicts from others'
     * (records.get); `workerUrl`: the worker's module (tests point it at a file that does not load)
     */
    opts: { dataDir?: string; workerUrl?: URL } = {},
  ) {
    this.workerUrl = opts.workerUrl ?? new URL('./query-worker.js', import.meta.url);
    this.dataDir = opts.dataDir ?? null;
    if (size < 1) throw new Error('QueryPool needs at least one worker');
  }

  run(method: MethodName, input: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the query pool is closed'));
    if (this.unavailable) return Promise.reject(new WorkerUnavailable(this.unavailable));
    return new Promise((resolve, reject) => {
      const job: Job = { method, input, heavy: isHeavy(method), resolve, reject };
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
      slot.worker.call({ method: job.method, input: job.input }).then(
        (value) => this.answered(slot, job, () => job.resolve(value)),
        (e: unknown) => this.answered(slot, job, () => job.reject(this.failureOf(slot, e))),
      );
    }
  }

  private answered(slot: Slot, job: Job, settle: () => void): void {
    if (slot.job === job) slot.job = null;
    // An idle worker must not keep a CLI or a test process alive.
    slot.worker.unref();
    settle();
    if (!this.closed) this.pump();
  }

  /**
   * What a failed read tells its caller: the handler's own error; a worker that never
   * started makes the whole pool unavailable (dispatch then reads in the main process);
   * a worker that died mid-read leaves the pool and the read is worth trying again.
   */
  private failureOf(slot: Slot, e: unknown): unknown {
    if (slot.worker.alive) return e;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const why = e instanceof Error ? e.message : String(e);
    if (e instanceof WorkerDidNotStart && !this.closed) {
      this.unavailable = why;
      const unavailable = new WorkerUnavailable(why);
      for (const waiting of [...this.light.splice(0), ...this.heavy.splice(0)]) waiting.reject(unavailable);
      return unavailable;
    }
    return new Error(`a query worker stopped (${why}); try again`);
  }

  private idleSlot(): Slot | undefined {
    // A worker that exited while idle leaves; a new one takes its place below.
    for (let i = this.slots.length - 1; i >= 0; i--) if (!this.slots[i]!.worker.alive && !this.slots[i]!.job) this.slots.splice(i, 1);
    const idle = this.slots.find((s) => !s.job);
    if (idle) return idle;
    if (this.slots.length >= this.size) return undefined;
    const worker = RpcWorker.start<QueryCall, unknown>(this.workerUrl, 'query', { workerData: { cachePath: this.cachePath, dataDir: this.dataDir }, onExit: (code) => new Error(`exit code ${code}`) });
    if (!worker) {
      this.unavailable = 'the worker could not be made';
      for (const job of [...this.light.splice(0), ...this.heavy.splice(0)]) job.reject(new WorkerUnavailable(this.unavailable));
      return undefined;
    }
    const slot: Slot = { worker, job: null };
    this.slots.push(slot);
    return slot;
  }
}
