// A sync runs in a worker whose heap is bounded (SYNC_WORKER_LIMITS keeps a large fill
// inside the memory budget). If the bound is ever reached, the user is told what
// happened and how to go on, not shown Node's internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcWorker } from '../../src-main/core/util/worker-rpc.js';
import { SYNC_HEAP_LIMIT_MB } from '../../src-main/core/sync/defaults.js';
import { SYNC_WORKER_LIMITS, syncWorkerFailure } from '../../src-main/core/sync/sync-worker-limits.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import type { RpcTestCall } from '../helpers/rpc-worker.js';

test('a worker stopped by its heap limit reaches the user as E_SYNC_STOPPED, naming the limit and the way on', { timeout: 60_000 }, async () => {
  assert.deepEqual(SYNC_WORKER_LIMITS, { maxOldGenerationSizeMb: SYNC_HEAP_LIMIT_MB });
  const worker = RpcWorker.start<RpcTestCall, unknown, number>(new URL('../helpers/rpc-worker.js', import.meta.url), 'sync', { resourceLimits: { maxOldGenerationSizeMb: 24 } });
  assert.ok(worker);
  try {
    const stopped = await worker.call({ op: 'hog' }, { onProgress: () => undefined }).then(
      () => assert.fail('the worker cannot finish'),
      (e: unknown) => e,
    );
    const told = syncWorkerFailure(stopped);
    assert.ok(isUserError(told), `a user error, not ${String(stopped)}`);
    assert.equal(told.code, 'E_SYNC_STOPPED');
    assert.match(told.message, new RegExp(`all the memory it is allowed \\(${SYNC_HEAP_LIMIT_MB} MB`));
    assert.match(told.message, /every batch committed before is kept\. Run the same sync again: it resumes after the last committed row/);
  } finally {
    await worker.terminate().catch(() => undefined);
  }
  // Any other failure passes through unchanged.
  const other = new Error('connection reset');
  assert.equal(syncWorkerFailure(other), other);
});
