// Worker-thread entry of the app's sync job (sync-job.ts): its own connection to the
// cache file, progress and the result posted back, 'cancel' aborts.
import { parentPort, workerData } from 'node:worker_threads';
import { openCache } from '../cache/open.js';
import { runSyncJob, type SyncJobInput, type SyncWorkerMessage } from './sync-job.js';
import { toWorkerError } from '../util/worker-errors.js';

const input = workerData as SyncJobInput;
const controller = new AbortController();
const post = (m: SyncWorkerMessage) => parentPort!.postMessage(m);
parentPort!.on('message', (m: unknown) => {
  if (m === 'cancel') controller.abort();
});

const db = openCache(input.cachePath);
try {
  post({ type: 'done', result: await runSyncJob(db, input, { signal: controller.signal, report: (progress) => post({ type: 'progress', progress }) }) });
} catch (e) {
  post({ type: 'failed', error: toWorkerError(e) });
} finally {
  db.close();
  // the message port would otherwise keep this thread alive
  parentPort!.close();
}
