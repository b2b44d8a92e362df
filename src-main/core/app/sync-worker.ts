// Worker-thread entry of the app's sync job (sync-job.ts): its own connection to the
// cache file; progress, the result and cancel go through worker-rpc.
import { serveCalls } from '../util/worker-rpc.js';
import { runSyncJobOnOwnConnection, type SyncJobInput, type SyncProgressReport } from './sync-job.js';
import type { SyncResult } from '../contract/sync.js';

serveCalls<SyncJobInput, SyncResult, SyncProgressReport>((input, { progress, signal }) => runSyncJobOnOwnConnection(input, { signal, report: progress }), { once: true });
