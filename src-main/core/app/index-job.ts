// The facet indexes an app sync leaves for later (issue 17, goal 2): the sync reports
// done once its rows are durable, sealed and the chain's verdict is known, and this job
// then builds the indexes that only make the timeline's filters faster. It runs in a
// worker thread (CREATE INDEX on a million rows holds its thread for a second or more)
// under the same writer lease as a sync, so a sync started meanwhile waits for it. The
// build is one transaction: a kill leaves the list for the next open to finish.
import { openCache } from '../cache/open.js';
import { indexesStillToBuild, restoreDeferredSchema } from '../sync/deferred.js';
import { withWriterLease } from '../sync/writer-lease.js';
import { runOffThread, type HandlerContext } from '../util/worker-rpc.js';
import type { JobControl } from './jobs.js';

export interface IndexJobInput {
  cachePath: string;
}

export interface IndexJobResult {
  /** The indexes built (empty when another writer had built them first). */
  built: string[];
}

type IndexProgress = Parameters<JobControl['report']>[0];

/** The job's work, on whatever thread runs it: its own connection, under the writer lease. */
export async function buildPendingIndexes(input: IndexJobInput, { progress, signal }: HandlerContext<IndexProgress>): Promise<IndexJobResult> {
  return withWriterLease(input.cachePath, { signal, onWaiting: (message) => progress({ phase: 'waiting', message }) }, async () => {
    const db = openCache(input.cachePath);
    try {
      const pending = indexesStillToBuild(db);
      progress({ phase: 'indexing', done: 0, total: pending.length, message: `building ${pending.length} facet index(es) for the timeline's filters` });
      const built = restoreDeferredSchema(db);
      progress({ phase: 'indexing', done: built.length, total: built.length });
      return { built };
    } finally {
      db.close();
    }
  });
}

/** Runs the build in a worker thread, or in this one when no worker can start. */
export function runIndexJob(input: IndexJobInput, ctl: JobControl, workerUrl = new URL('./index-worker.js', import.meta.url)): Promise<IndexJobResult> {
  return runOffThread<IndexJobInput, IndexJobResult, IndexProgress>(workerUrl, 'index', input, buildPendingIndexes, { onProgress: ctl.report, signal: ctl.signal });
}
