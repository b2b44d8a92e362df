// A query worker (see query-pool.ts): one read-only connection to the cache file and
// the same records/anomalies handlers the main process would run. Inputs arrive
// already validated against the contract; outputs go back by structured clone.
import { parentPort, workerData } from 'node:worker_threads';
import { openCache, type CacheDb } from '../cache/open.js';
import { toWorkerError } from '../util/worker-errors.js';
import type { AppContext } from './context.js';
import { anomaliesHandlers } from './handlers/anomalies.js';
import { recordsHandlers } from './handlers/records.js';
import type { WorkerReply, WorkerRequest } from './query-pool.js';

const handlers = { ...recordsHandlers, ...anomaliesHandlers } as Record<string, (input: unknown, ctx: AppContext) => Promise<unknown>>;

let db: CacheDb | undefined;

/**
 * The handlers get a context that only has cache(): a read handler that reached for
 * anything else (config, jobs, secrets) would be wrong to run here, and says so.
 */
const workerContext = new Proxy({} as AppContext, {
  get(_target, prop) {
    if (prop === 'cache') return () => (db ??= openCache((workerData as { cachePath: string }).cachePath, { readonly: true }));
    if (prop === 'then') return undefined;
    throw new Error(`query worker: handler used ctx.${String(prop)}; only ctx.cache() is available off the main thread`);
  },
});

parentPort!.on('message', (req: WorkerRequest) => {
  void (async (): Promise<WorkerReply> => {
    try {
      const handler = handlers[req.method];
      if (!handler) throw new Error(`query worker: ${req.method} does not run off the main thread`);
      return { id: req.id, ok: true, value: await handler(req.input, workerContext) };
    } catch (e) {
      return { id: req.id, ok: false, error: toWorkerError(e) };
    }
  })().then((reply) => parentPort!.postMessage(reply));
});
