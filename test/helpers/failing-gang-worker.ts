// A verification worker that starts, then fails the first piece of work it gets with a
// UserError: what a read worker does when the cache turns out damaged mid-run.
import { parentPort } from 'node:worker_threads';
import { UserError } from '../../src-main/core/util/errors.js';
import { toWorkerError } from '../../src-main/core/util/worker-errors.js';

parentPort!.on('message', () => {
  const e = new UserError('the local cache is damaged.', 'E_CACHE_CORRUPT', 'Sync into a new cache (--rebuild).');
  parentPort!.postMessage({ type: 'failed', error: toWorkerError(e) });
});
parentPort!.postMessage({ type: 'ready' });
