import { z } from 'zod';
import { method } from './define.js';

/** 'index': the facet indexes a sync left for later, built in the background (filters are slower until then). */
export type JobKind = 'sync' | 'verify' | 'export' | 'controls' | 'index';
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  phase: string;
  done: number;
  /** null when the total is not known yet */
  total: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  message: string | null;
}

export interface JobStatus<R = unknown> {
  jobId: string;
  kind: JobKind;
  state: JobState;
  startedAt: string;
  finishedAt: string | null;
  progress: JobProgress;
  result: R | null;
  error: { code: string; message: string } | null;
}

const jobId = z.object({ jobId: z.string().min(1).max(100) }).strict();

export const jobsContract = {
  'jobs.get': method<JobStatus>()(jobId),
  'jobs.cancel': method<{ cancelled: boolean }>()(jobId),
  'jobs.list': method<JobStatus[]>()(z.object({}).strict()),
};
