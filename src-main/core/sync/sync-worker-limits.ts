// What the two sync threads (the app's job, the CLI's command) share: the heap bound
// that keeps a large fill inside the memory budget, and what a user is told if the
// thread is stopped by it.
import type { ResourceLimits } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import { SYNC_HEAP_LIMIT_MB } from './defaults.js';

export const SYNC_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: SYNC_HEAP_LIMIT_MB };

/** The worker's own error when it hit its heap limit, as a user is told it; any other error as it is. */
export function syncWorkerFailure(e: unknown): unknown {
  if ((e as { code?: unknown } | null)?.code !== 'ERR_WORKER_OUT_OF_MEMORY') return e;
  return new UserError(
    `the sync used all the memory it is allowed (${SYNC_HEAP_LIMIT_MB} MB of JavaScript heap) and was stopped; every batch committed before is kept.`,
    'E_SYNC_STOPPED',
    'Run the same sync again: it resumes after the last committed row. If it stops again, sync one tenant at a time (--tenant) and report it.',
  );
}

/** The error of a sync whose worker exited while it ran (a crash, not a refusal). */
export function syncWorkerExit(code: number): UserError {
  return new UserError(`the sync stopped unexpectedly (worker exit code ${code}).`, 'E_SYNC_STOPPED', 'Run the same sync again: it resumes after the last committed row.');
}
