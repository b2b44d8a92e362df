// The query pool on worker-rpc: a worker that dies mid-read costs that read only (with a
// line that says to try again), the pool makes a new worker for the next one, and a
// pool whose workers cannot start at all says so, so dispatch reads in the main process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryPool, WorkerUnavailable } from '../../src-main/core/app/query-pool.js';

const CRASHING = new URL('../helpers/crashing-query-worker.js', import.meta.url);

test('a worker that dies mid-read fails that read with "try again", and the next read gets a new worker', async () => {
  const pool = new QueryPool('/nonexistent/cache.sqlite', 1, { workerUrl: CRASHING });
  try {
    assert.equal(await pool.run('records.count', {}), 7);
    await assert.rejects(pool.run('records.facets', {}), /^Error: a query worker stopped \(exit code 3\); try again$/);
    assert.equal(pool.unavailable, null, 'a crash after start-up does not send every later read to the main process');
    assert.equal(await pool.run('records.count', {}), 7);
    assert.equal(pool.pending, 0);
  } finally {
    await pool.close();
  }
});

test('workers that cannot start make the pool unavailable, for this read and every later one', async () => {
  const pool = new QueryPool('/nonexistent/cache.sqlite', 2, { workerUrl: new URL('../helpers/no-such-worker.js', import.meta.url) });
  try {
    await assert.rejects(pool.run('records.count', {}), WorkerUnavailable);
    assert.match(pool.unavailable ?? '', /did not start|before it answered/);
    await assert.rejects(pool.run('records.count', {}), /query workers are unavailable/);
  } finally {
    await pool.close();
  }
});
