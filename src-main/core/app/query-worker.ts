// A query worker (see query-pool.ts): one read-only connection to the cache file and
// the same records/anomalies handlers the main process would run. Inputs arrive
// already validated against the contract; outputs go back by structured clone.
import { workerData } from 'node:worker_threads';
import { openCache, type CacheDb } from '../cache/open.js';
import { serveCalls } from '../util/worker-rpc.js';
import type { AppContext } from './context.js';
import { anomaliesHandlers } from './handlers/anomalies.js';
import { recordsHandlers } from './handlers/records.js';
import type { QueryCall } from './query-pool.js';

const handlers = { ...recordsHandlers, ...anomaliesHandlers } as Record<string, (input: unknown, ctx: AppContext) => Promise<unknown>>;

let db: CacheDb | undefined;

const { cachePath, dataDir } = workerData as { cachePath: string; dataDir: string | null };

/**
 * The handlers get a context that only has cache() and the data folder's path (its auditor
 * key id tells this workstation's stored verdicts from others'): a read handler that reached
 * for anything else (config, jobs, secrets) would be wrong to run here, and says so.
 */
const workerContext = new Proxy({} as AppContext, {
  get(_target, prop) {
    if (prop === 'cache') return () => (db ??= openCache(cachePath, { readonly: true }));
    if (prop === 'dataDir' && dataDir !== null) return dataDir;
    if (prop === 'then') return undefined;
    throw new Error(`query worker: handler used ctx.${String(prop)}; only ctx.cache() and ctx.dataDir are available off the main thread`);
  },
});

serveCalls<QueryCall, unknown>(async ({ method, input }) => {
  const handler = handlers[method];
  if (!handler) throw new Error(`query worker: ${method} does not run off the main thread`);
  return handler(input, workerContext);
});
