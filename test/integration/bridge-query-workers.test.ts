// Cache reads run in worker threads (core/app/query-pool.ts): the HTTP bridge keeps
// answering while a heavy query runs, the worker sees what the main process just
// wrote, and errors come back exactly as they would from the main process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppContext } from '../../src-main/core/app/context.js';
import { QueryPool } from '../../src-main/core/app/query-pool.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { SECRET_HEADER, startHttpBridge, type HttpBridge } from '../../src-main/bridge/http.js';
import type { Reply } from '../../src-main/core/contract/index.js';
import type { AnomalyList } from '../../src-main/core/contract/anomalies.js';
import type { FacetsResult, RecordCount } from '../../src-main/core/contract/records.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';

describe('cache reads off the main thread', () => {
  let fx: RecordsFixture;
  let dataDir: string;
  let ctx: AppContext;
  let inline: AppContext;
  let bridge: HttpBridge;

  const post = async <T>(method: string, input: unknown): Promise<Reply<T>> => {
    const res = await fetch(`${bridge.origin}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SECRET_HEADER]: bridge.secret },
      body: JSON.stringify(input),
    });
    return (await res.json()) as Reply<T>;
  };

  before(async () => {
    // Big enough that facet counts under a one-letter prefix search take a while.
    fx = createRecordsFixture({ events: 15000, conversations: 10000, anomalies: 60, keepRows: false, digest: 'fast' });
    fx.close();
    dataDir = mkdtempSync(join(tmpdir(), 'auditdesk-workers-'));
    ctx = new AppContext({ dataDir, frontDoor: 'test', cachePath: fx.path, queryWorkers: 2, log: () => undefined });
    inline = new AppContext({ dataDir: join(dataDir, 'inline'), frontDoor: 'test', cachePath: fx.path, queryWorkers: 0, log: () => undefined });
    bridge = await startHttpBridge({ ctx });
  });
  after(async () => {
    await bridge?.close();
    ctx?.close();
    inline?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the bridge answers status while a heavy query runs in a worker', async () => {
    // start the workers and their connections first: what follows measures a query, not a start-up
    assert.equal((await post<RecordCount>('records.count', { filter: {} })).ok, true);
    const pool = ctx.queryPool()!;

    let heavyDone = false;
    const heavy = Promise.all([post<FacetsResult>('records.facets', { filter: { text: 'e' }, limit: 50 }), post<FacetsResult>('records.facets', { filter: { text: 'a' }, limit: 50 })]).finally(
      () => (heavyDone = true),
    );
    // wait until the requests reached the pool (they are past HTTP parsing and validation)
    while (pool.pending < 2 && !heavyDone) await new Promise((r) => setImmediate(r));

    const status = await post<{ cache: { tenants: unknown[] } }>('status.get', {});
    assert.equal(status.ok, true);
    assert.equal(heavyDone, false, 'status.get had to wait for the facet counts: the main thread was blocked');
    assert.ok(pool.pending > 0);

    const [a, b] = await heavy;
    assert.equal(a.ok && b.ok, true);
  });

  test('a worker gives the same answers as the main thread', async () => {
    for (const [method, input] of [
      ['records.count', { filter: { text: 'refund', tenant: ['initech'] } }],
      ['records.facets', { filter: { modelProvider: ['openai'] }, limit: 20 }],
      ['records.histogram', { filter: { severity: ['high'] }, buckets: 60 }],
      ['records.query', { filter: { kind: 'event' }, offset: 10, limit: 50, order: 'desc' }],
      ['anomalies.list', { threshold: 0.5 }],
    ] as const) {
      assert.deepEqual(await dispatch(ctx, method, input), await dispatch(inline, method, input), method);
    }
  });

  test('errors from a worker reach the caller as they would from the main thread', async () => {
    const bad = { filter: { from: 'last tuesday' }, offset: 0, limit: 10, order: 'desc' };
    const viaWorker = await dispatch(ctx, 'records.query', bad);
    assert.equal(viaWorker.ok, false);
    assert.deepEqual(viaWorker, await dispatch(inline, 'records.query', bad));
    if (!viaWorker.ok) assert.equal(viaWorker.error.code, 'E_INPUT');
  });

  test('a review written by the main process is seen by the next read in a worker', async () => {
    const before = await dispatch(ctx, 'anomalies.list', { threshold: 0, includeReviewed: true });
    assert.equal(before.ok, true);
    const list = (before as { value: AnomalyList }).value;
    const target = list.anomalies.find((a) => a.latestReview === null)!;
    const review = await dispatch(ctx, 'anomalies.review', {
      tenant: target.tenant,
      anomalyKey: target.anomalyKey,
      decision: 'confirmed',
      note: 'seen in the worker',
      reviewer: 'Tester',
      meaning: 'reviewed',
    });
    assert.equal(review.ok, true);
    const afterList = (await dispatch(ctx, 'anomalies.list', { threshold: 0, includeReviewed: true })) as { ok: true; value: AnomalyList };
    assert.equal(afterList.value.unreviewed, list.unreviewed - 1);
  });

  test('when no worker can start, reads run in the main process and say so once', async () => {
    const logged: string[] = [];
    const broken = new QueryPool(fx.path, 2, { workerUrl: new URL('./no-such-query-worker.js', import.meta.url) });
    class Degraded extends AppContext {
      override queryPool() {
        return broken;
      }
    }
    const degraded = new Degraded({ dataDir: join(dataDir, 'degraded'), frontDoor: 'test', cachePath: fx.path, log: (level, m) => logged.push(`${level}: ${m}`) });
    try {
      const input = { filter: { severity: ['high'] } };
      assert.deepEqual(await dispatch(degraded, 'records.count', input), await dispatch(inline, 'records.count', input));
      assert.deepEqual(await dispatch(degraded, 'records.count', input), await dispatch(inline, 'records.count', input));
      assert.equal(logged.length, 1, logged.join('\n'));
      assert.match(logged[0]!, /^warn: query workers are unavailable .*cache reads run in the main process/);
    } finally {
      await broken.close();
      degraded.close();
    }
  });
});
