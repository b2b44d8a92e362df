// A query worker that answers 'records.count' with 7 and dies on any other read: what a
// worker hit by an out-of-memory or a native crash looks like to the pool.
import { serveCalls } from '../../src-main/core/util/worker-rpc.js';
import type { QueryCall } from '../../src-main/core/app/query-pool.js';

serveCalls<QueryCall, unknown>(async ({ method }) => {
  if (method === 'records.count') return 7;
  process.exit(3);
});
