// Worker-thread entry of the app's sync job (sync-job.ts): its own connection to the
// cache file; progress, the result and cancel go through worker-rpc.
import { openCache } from '../cache/open.js';
import { serveCalls } from '../util/worker-rpc.js';
import { runSyncJob, type SyncJobInput, type SyncProgressReport } from './sync-job.js';
import type { SyncResult } from '../contract/sync.js';

serveCalls<SyncJobInput, SyncResult, SyncProgressReport>(
  async (input, { progress, signal }) => {
    const db = openCache(input.cachePath);
    try {
      return await runSyncJob(db, input, { signal, report: progress });
    } finally {
      db.close();
    }
  },
  { once: true },
);
