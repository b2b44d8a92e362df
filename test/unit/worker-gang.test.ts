// A failure inside a verification worker reaches the run as the same user error (code and
// words), not as an internal one; a worker file that cannot load means "read in one thread".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUserError } from '../../src-main/core/util/errors.js';
import { GANG_HEAP_LIMIT_MB, WorkerGang } from '../../src-main/core/verify/worker-gang.js';

/** Starts `count` workers of `helper`, hands the first one a piece of work, and returns what the gang then throws. */
async function failureOfFirstWork(helper: string, count: number, what: string): Promise<unknown> {
  const gang = new WorkerGang<{ type: 'work' }>(new URL(`../helpers/${helper}`, import.meta.url), null, count, what, () => assert.fail('no batch expected'));
  try {
    assert.equal(await gang.start(), true);
    const woken = gang.next();
    gang.send(gang.workers[0]!, { type: 'work' });
    await woken;
    try {
      gang.check();
    } catch (e) {
      return e;
    }
    return assert.fail('the gang reports the failure');
  } finally {
    await gang.terminate();
  }
}

test('a worker that fails after starting fails the run with its own code and message', async () => {
  const e = await failureOfFirstWork('failing-gang-worker.js', 2, 'test');
  assert.ok(isUserError(e) && e.code === 'E_CACHE_CORRUPT' && e.message === 'the local cache is damaged. Sync into a new cache (--rebuild).', String(e));
});

test('workers that cannot load leave the reading to one thread (start() is false, nothing thrown)', async () => {
  const gang = new WorkerGang<{ type: 'work' }>(new URL('../helpers/no-such-worker.js', import.meta.url), null, 2, 'test', () => undefined);
  try {
    assert.equal(await gang.start(), false);
  } finally {
    await gang.terminate();
  }
});

test('a worker stopped by its heap limit fails the run as E_VERIFY_STOPPED, naming the limit and the way on', { timeout: 120_000 }, async () => {
  const e = await failureOfFirstWork('hogging-gang-worker.js', 1, 'read');
  assert.ok(isUserError(e), `a user error, not ${String(e)}`);
  assert.equal(e.code, 'E_VERIFY_STOPPED');
  assert.match(e.message, new RegExp(`a verification read worker used all the memory it is allowed \\(${GANG_HEAP_LIMIT_MB} MB`));
  assert.match(e.message, /no verdict was given and no checkpoint recorded/);
  assert.match(e.message, /AUDITDESK_VERIFY_THREADS=0/);
});
