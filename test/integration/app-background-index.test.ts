// Issue 17 goal 2 in the app: a sync job is done when its rows are sealed and the chain's
// verdict is known; the facet indexes, which only make the timeline's filters faster, are
// then built by a background job while the app keeps answering, and the status says
// "indexing" until they exist. A build killed mid-way (kill -9) is finished when the app
// next opens the cache. Results never differ with or without the indexes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppContext } from '../../src-main/core/app/context.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import { takeWriterLease } from '../../src-main/core/sync/writer-lease.js';
import type { AppStatus } from '../../src-main/core/contract/status.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { clientFor, finishedJob } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';

let demo: DemoDb;
const bulkFrom = process.env.AUDITDESK_SYNC_BULK_MIN_ROWS;
before(async () => {
  demo = await startDemoDb();
  // A first fill of the demo is a bulk fill (facet indexes deferred) from 1,000 rows on.
  process.env.AUDITDESK_SYNC_BULK_MIN_ROWS = '1000';
});
after(async () => {
  if (bulkFrom === undefined) delete process.env.AUDITDESK_SYNC_BULK_MIN_ROWS;
  else process.env.AUDITDESK_SYNC_BULK_MIN_ROWS = bulkFrom;
  await demo?.stop();
});

const facetIndexes = (cachePath: string) => {
  const db = openCache(cachePath, { readonly: true });
  try {
    return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('records_severity', 'records_event_type')`).pluck().all() as string[];
  } finally {
    db.close();
  }
};

async function statusOnce(ctx: AppContext): Promise<AppStatus> {
  return clientFor(ctx)['status.get']({});
}

async function statusUntil(ctx: AppContext, ok: (s: AppStatus) => boolean, what: string): Promise<AppStatus> {
  const until = Date.now() + 30_000;
  for (;;) {
    const s = await statusOnce(ctx);
    if (ok(s)) return s;
    if (Date.now() > until) throw new Error(`status never showed ${what}: ${JSON.stringify(s.cache.indexing)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A synced demo cache as the CLI's --no-wait-index leaves it: ready, facet indexes still to build. */
async function cacheWithFacetIndexesPending(dir: string): Promise<string> {
  const cachePath = join(dir, 'cache.sqlite');
  const db = openCache(cachePath);
  const session = await connectSource(demo.url);
  try {
    await syncToCache(session, db, { tenants: demo.groundTruth.tenants, facetIndexesLater: true });
  } finally {
    await session.close();
    db.close();
  }
  assert.deepEqual(facetIndexes(cachePath), []);
  return cachePath;
}

const highSeverity = async (ctx: AppContext) => clientFor(ctx)['records.count']({ filter: { severity: ['high'] } });

test('an app sync is done with its verdict before the facet indexes; a background job builds them and the status says so until then', async () => {
  const ctx = await appOnDemo(demo, scratchDir('auditdesk-app-index-'));
  try {
    const result = await finishedJob<SyncResult>(ctx, 'sync.start', { connectionId: 'demo' });
    assert.ok(result.chains?.length, 'the verdict comes with the sync');
    const indexJob = ctx.indexJob();
    assert.ok(indexJob, 'the sync started the background index build');
    const built = (await ctx.jobs.wait(indexJob.jobId)) as { state: string; result: { built: string[] } };
    assert.equal(built.state, 'done');
    assert.ok(built.result.built.includes('records_severity'), `the sync left the facet indexes to the job: ${built.result.built.join(', ')}`);
    assert.equal((await statusOnce(ctx)).cache.indexing, null);
    assert.deepEqual(facetIndexes(ctx.cachePath).sort(), ['records_event_type', 'records_severity']);
  } finally {
    await ctx.shutdown();
  }
});

test('a build killed mid-way leaves the indexes pending; the app shows "indexing", answers the same rows, and finishes the build when it opens the cache', async () => {
  const dir = scratchDir('auditdesk-app-index-kill-');
  const cachePath = await cacheWithFacetIndexesPending(dir);

  // The build, killed at a known point: after it said it was building.
  const builder = spawn(process.execPath, [fileURLToPath(new URL('../helpers/index-builder.js', import.meta.url)), cachePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let said = '';
  builder.stdout.on('data', (d: Buffer) => {
    said += d.toString();
    if (said.includes('building')) builder.kill('SIGKILL');
  });
  await once(builder, 'exit');
  assert.ok(said.includes('building') && !said.includes('built'), `killed mid-build (it said: ${JSON.stringify(said)})`);
  assert.deepEqual(facetIndexes(cachePath), [], 'the build is one transaction: nothing half-built');

  // Another writer holds the cache (a sync run from a terminal): the app's build waits, and says so.
  const lease = await takeWriterLease(cachePath);
  const ctx = new AppContext({ dataDir: join(dir, 'data'), frontDoor: 'test', cachePath, queryWorkers: 0, log: () => undefined });
  try {
    const waiting = await statusUntil(ctx, (s) => s.cache.indexing?.phase === 'waiting', 'the build waiting');
    assert.ok(waiting.cache.indexing!.pending >= 2, JSON.stringify(waiting.cache.indexing));
    const countWhileIndexing = await highSeverity(ctx);
    assert.ok(countWhileIndexing.total > 0);
    lease.release();
    await statusUntil(ctx, (s) => s.cache.indexing === null, 'the indexes built');
    assert.deepEqual(facetIndexes(cachePath).sort(), ['records_event_type', 'records_severity']);
    assert.deepEqual(await highSeverity(ctx), countWhileIndexing, 'the same rows with and without the index');
  } finally {
    lease.release();
    await ctx.shutdown();
  }
});

test('closing the app while its index build runs cancels the build and waits for it to stop: no job runs afterwards, and the next open builds the indexes', async () => {
  const dir = scratchDir('auditdesk-app-index-close-');
  const cachePath = await cacheWithFacetIndexesPending(dir);
  // Another writer holds the cache, so the app's build is certainly still running (waiting) when the app closes.
  const lease = await takeWriterLease(cachePath);
  const ctx = new AppContext({ dataDir: join(dir, 'data'), frontDoor: 'test', cachePath, queryWorkers: 0, log: () => undefined });
  try {
    await statusUntil(ctx, (s) => s.cache.indexing?.phase === 'waiting', 'the build waiting');
    await ctx.shutdown();
    assert.deepEqual(
      ctx.jobs.list().filter((j) => j.state === 'running'),
      [],
      'no job still running once the app has closed',
    );
    assert.equal(ctx.jobs.list().find((j) => j.kind === 'index')?.state, 'cancelled');
  } finally {
    lease.release();
  }
  assert.deepEqual(facetIndexes(cachePath), [], 'the cancelled build left nothing half-built');
  const reopened = new AppContext({ dataDir: join(dir, 'again'), frontDoor: 'test', cachePath, queryWorkers: 0, log: () => undefined });
  try {
    await statusUntil(reopened, (s) => s.cache.indexing === null, 'the build finished at the next open');
    assert.deepEqual(facetIndexes(cachePath).sort(), ['records_event_type', 'records_severity']);
  } finally {
    await reopened.shutdown();
  }
  rmSync(dir, { recursive: true });
});
