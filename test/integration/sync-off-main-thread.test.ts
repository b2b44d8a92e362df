// The app's sync runs in a worker thread: while a first fill builds its indexes (whole
// seconds of synchronous SQLite work on a big tenant) the main thread keeps answering
// jobs.get, so progress, cancel and the timeline stay live. Cancel reaches the worker,
// and when no worker can start the job is run in the main thread instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { runSyncJobInWorker } from '../../src-main/core/app/sync-job.js';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';

let demo: DemoDb;
let dir: string;

before(async () => {
  // enough rows for a bulk first fill (indexes built at the end)
  demo = await startDemoDb({ events: 30_000 });
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-sync-thread-'));
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function appWithDemo(name: string): Promise<AppContext> {
  const ctx = new AppContext({ dataDir: join(dir, name), frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  const u = new URL(demo.url);
  const profile = {
    id: 'demo',
    name: 'Demo',
    host: u.hostname,
    port: Number(u.port),
    database: u.pathname.slice(1),
    user: decodeURIComponent(u.username),
    sslmode: 'disable' as const,
    tenants: demo.groundTruth.tenants,
    isDemo: true,
  };
  const saved = await dispatch(ctx, 'connections.save', { profile, password: decodeURIComponent(u.password), makeActive: true });
  assert.equal(saved.ok, true, JSON.stringify(saved));
  return ctx;
}

function timelineRows(): number {
  return demo.groundTruth.tenants.reduce((n, t) => n + demo.groundTruth.counts[t]!.audit_logs + demo.groundTruth.counts[t]!.conversation_audit_logs, 0);
}

test('jobs.get answers while the sync builds its indexes (the work is off the main thread)', async () => {
  const ctx = await appWithDemo('indexing');
  try {
    const started = await dispatch(ctx, 'sync.start', {});
    assert.ok(started.ok);
    const { jobId } = started.value as { jobId: string };
    // Poll as fast as the event loop allows. On the main thread the index build is one
    // synchronous stretch between 'indexing' and the next phase, so no answer could ever say 'indexing'.
    const phases = new Set<string>();
    let job: JobStatus<SyncResult>;
    for (;;) {
      const reply = await dispatch(ctx, 'jobs.get', { jobId });
      assert.ok(reply.ok);
      job = reply.value as JobStatus<SyncResult>;
      phases.add(job.progress.phase);
      if (job.state !== 'running') break;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    assert.ok(phases.has('indexing'), `phases answered during the sync: ${[...phases].join(', ')}`);
    assert.equal(
      job.result!.tables.filter((t) => t.kind === 'events' || t.kind === 'conversations').reduce((n, t) => n + t.fetched, 0),
      timelineRows(),
    );
    // the main thread's own connection sees what the worker wrote
    const count = await dispatch(ctx, 'records.count', { filter: { kind: 'all' } });
    assert.ok(count.ok);
    assert.equal((count.value as { total: number }).total, timelineRows());
  } finally {
    await ctx.shutdown();
  }
});

test('cancel reaches the worker; the next sync resumes to the same counts', async () => {
  const ctx = await appWithDemo('cancel');
  try {
    const started = await dispatch(ctx, 'sync.start', {});
    assert.ok(started.ok);
    const { jobId } = started.value as { jobId: string };
    // cancel once rows are flowing
    for (;;) {
      const j = (await dispatch(ctx, 'jobs.get', { jobId })) as { ok: true; value: JobStatus };
      if (j.value.progress.done > 0 || j.value.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok((await dispatch(ctx, 'sync.cancel', { jobId })).ok);
    const cancelled = await ctx.jobs.wait(jobId);
    assert.equal(cancelled.state, 'cancelled', JSON.stringify(cancelled.error));

    const again = await dispatch(ctx, 'sync.start', {});
    assert.ok(again.ok);
    const done = (await ctx.jobs.wait((again.value as { jobId: string }).jobId)) as JobStatus<SyncResult>;
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    const count = await dispatch(ctx, 'records.count', { filter: { kind: 'all' } });
    assert.equal((count as { ok: true; value: { total: number } }).value.total, timelineRows());
  } finally {
    await ctx.shutdown();
  }
});

test('a worker that cannot start leaves the job to the caller, having done nothing', async () => {
  const controller = new AbortController();
  const result = await runSyncJobInWorker(
    { profile: { id: 'x', name: 'x', host: '127.0.0.1', port: 1, database: 'x', user: 'x', tenants: ['t'] } as never, password: undefined, cachePath: join(dir, 'never.sqlite'), dataDir: dir },
    { signal: controller.signal, report: () => assert.fail('no progress from a worker that never started') },
    new URL('./no-such-sync-worker.js', import.meta.url),
  );
  assert.equal(result, null);
});
