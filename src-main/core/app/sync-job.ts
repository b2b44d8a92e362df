// The app's sync job, run in a worker thread with its own cache connection. A first
// fill of a million rows spends seconds at a time in synchronous SQLite work (inserts,
// then each CREATE INDEX and the FTS build); on the main thread that would stall every
// IPC/HTTP answer — progress, cancel, timeline reads — for as long. If the worker
// cannot start (e.g. a packaged build without its file), the same job runs here.
import { openCache, type CacheDb } from '../cache/open.js';
import type { SyncResult } from '../contract/sync.js';
import { loadOrCreateAuditorKey } from '../identity/auditor-key.js';
import { connectSource } from '../source/index.js';
import { UserError } from '../util/errors.js';
import { syncAndCheckpoint } from '../verify/sync-verdict.js';
import { withWriterLease } from '../sync/writer-lease.js';
import { SYNC_WORKER_LIMITS, syncWorkerExit, syncWorkerFailure } from '../sync/sync-worker-limits.js';
import type { ConnectionProfile } from './config.js';
import type { JobControl } from './jobs.js';
import { RpcWorker, WorkerDidNotStart } from '../util/worker-rpc.js';

export interface SyncJobInput {
  profile: ConnectionProfile;
  password: string | undefined;
  /** default: the profile's tenants, else every tenant the source lists */
  tenants?: string[] | undefined;
  recheck?: boolean | undefined;
  cachePath: string;
  /** where the auditor's checkpoint key lives */
  dataDir: string;
}

export type SyncProgressReport = Parameters<JobControl['report']>[0];

/** The job itself, on whatever thread owns `db`. */
export async function runSyncJob(db: CacheDb, input: SyncJobInput, { signal, report }: JobControl): Promise<SyncResult> {
  // The same lease as the CLI's: a sync of this cache from a terminal and this job take turns.
  const waiting = (message: string) => report({ phase: 'waiting', done: 0, total: null, message });
  return withWriterLease(input.cachePath, { signal, onWaiting: waiting }, async () => {
    const { profile } = input;
    report({ phase: 'connecting', message: `${profile.host}:${profile.port}/${profile.database}` });
    const session = await connectSource(profile, { password: input.password, signal });
    try {
      let wanted = input.tenants ?? profile.tenants;
      if (!wanted.length) wanted = await session.tenants();
      if (!wanted.length) {
        throw new UserError('no tenant to sync.', 'E_NO_TENANT', 'Add the tenant ids to the connection profile.');
      }
      const { summary } = await syncAndCheckpoint(session, db, {
        tenants: wanted,
        signal,
        onProgress: report,
        mapping: profile.mapping,
        recheck: input.recheck,
        key: loadOrCreateAuditorKey(input.dataDir),
        cachePath: input.cachePath,
        // Done once rows are sealed and the verdict known; the app builds the facet indexes after (index-job.ts).
        facetIndexesLater: true,
      });
      return summary;
    } finally {
      await session.close();
    }
  });
}

/**
 * The job on a connection of its own to the cache file, closed after: the worker's way
 * and the in-thread fallback's. The sync holds reads open across its yields (the recheck
 * hashes cached rows while the server hashes its own), so on the app's connection every
 * read the auditor made meanwhile failed with SQLite's "connection is busy".
 */
export async function runSyncJobOnOwnConnection(input: SyncJobInput, ctl: JobControl): Promise<SyncResult> {
  const db = openCache(input.cachePath);
  try {
    return await runSyncJob(db, input, ctl);
  } finally {
    db.close();
  }
}

/**
 * Runs the job in a worker thread; resolves `null` without having started anything
 * when no worker can start, so the caller runs it in its own thread instead.
 */
export async function runSyncJobInWorker(input: SyncJobInput, ctl: JobControl, workerUrl = new URL('./sync-worker.js', import.meta.url)): Promise<SyncResult | null> {
  const worker = RpcWorker.start<SyncJobInput, SyncResult, SyncProgressReport>(workerUrl, 'sync', {
    resourceLimits: SYNC_WORKER_LIMITS,
    onExit: syncWorkerExit,
  });
  if (!worker) return null;
  try {
    return await worker.call(input, { onProgress: ctl.report, signal: ctl.signal });
  } catch (e) {
    if (e instanceof WorkerDidNotStart) return null;
    throw syncWorkerFailure(e);
  } finally {
    void worker.terminate();
  }
}
