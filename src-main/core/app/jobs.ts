// Long work (sync, verify, export) runs as a job: the caller gets an id at once and
// polls progress, so neither the UI nor an HTTP request waits on it.
import { randomUUID } from 'node:crypto';
import type { JobKind, JobProgress, JobStatus } from '../contract/jobs.js';
import { toApiError } from '../util/api-error.js';

export interface JobControl {
  signal: AbortSignal;
  report(p: Partial<JobProgress>): void;
}

interface Job extends JobStatus {
  controller: AbortController;
  startedMs: number;
  /** Resolves once the work has returned or thrown, whatever the outcome. */
  settled: Promise<void>;
}

export class JobRunner {
  private jobs = new Map<string, Job>();

  start<R>(kind: JobKind, work: (ctl: JobControl) => Promise<R>): string {
    const jobId = `${kind}-${randomUUID()}`;
    const controller = new AbortController();
    const job: Job = {
      jobId,
      kind,
      state: 'running',
      startedAt: new Date().toISOString(),
      startedMs: Date.now(),
      finishedAt: null,
      progress: { phase: 'starting', done: 0, total: null, rowsPerSecond: null, etaSeconds: null, message: null },
      result: null,
      error: null,
      controller,
      settled: Promise.resolve(),
    };
    this.jobs.set(jobId, job);
    const report = (p: Partial<JobProgress>) => {
      const progress = { ...job.progress, ...p };
      const seconds = (Date.now() - job.startedMs) / 1000;
      if (p.rowsPerSecond === undefined && seconds > 0) progress.rowsPerSecond = Math.round(progress.done / seconds);
      if (p.etaSeconds === undefined) {
        progress.etaSeconds = progress.total !== null && progress.rowsPerSecond ? Math.max(0, Math.round((progress.total - progress.done) / progress.rowsPerSecond)) : null;
      }
      job.progress = progress;
    };
    job.settled = work({ signal: controller.signal, report }).then(
      (result) => {
        job.state = controller.signal.aborted ? 'cancelled' : 'done';
        job.result = result;
        job.finishedAt = new Date().toISOString();
      },
      (e: unknown) => {
        job.state = controller.signal.aborted ? 'cancelled' : 'failed';
        job.error = toApiError(e);
        job.finishedAt = new Date().toISOString();
      },
    );
    return jobId;
  }

  get(jobId: string): JobStatus | undefined {
    const job = this.jobs.get(jobId);
    return job ? publicView(job) : undefined;
  }

  list(): JobStatus[] {
    return [...this.jobs.values()].map(publicView);
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.state !== 'running') return false;
    job.controller.abort();
    return true;
  }

  /**
   * Cancels every running job and resolves once each has stopped. A job's work may hold
   * files (a cache, its journal, a writer lease) until it returns, so whoever closes the
   * app or removes its folder waits for this first.
   */
  async stopAll(): Promise<void> {
    const running = [...this.jobs.values()].filter((job) => job.state === 'running');
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((job) => job.settled));
  }

  /** Resolves when the job leaves the running state (tests and the CLI use this). */
  async wait(jobId: string, pollMs = 50): Promise<JobStatus> {
    for (;;) {
      const s = this.get(jobId);
      if (!s) throw new Error(`no job ${jobId}`);
      if (s.state !== 'running') return s;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

function publicView(job: Job): JobStatus {
  const { controller: _c, startedMs: _s, settled: _p, ...rest } = job;
  return structuredClone(rest);
}
