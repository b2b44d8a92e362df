// When the sync worker cannot start (a packaged build without its file), the app syncs
// in its own thread (sync-job.ts) and says so. The auditor keeps reading meanwhile:
// timeline, counts and status must answer as they do beside a sync worker, not fail
// with SQLite's "connection is busy" while the sync holds a read open across its yields
// (the recheck hashes the cached rows while the server hashes its own).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { clientFor } from '../helpers/app-calls.js';

let demo: DemoDb;
let dir: string;
let ctx: AppContext;
const logged: string[] = [];

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-in-thread-'));
  ctx = await appOnDemo(demo, dir, {
    queryWorkers: 0,
    syncWorkerUrl: new URL('./no-such-sync-worker.js', import.meta.url),
    log: (level, message) => logged.push(`${level}: ${message}`),
  });
});

after(async () => {
  await ctx?.shutdown();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function syncWhileReading(): Promise<{ job: JobStatus<SyncResult>; reads: number; failures: string[] }> {
  const { jobId } = await clientFor(ctx)['sync.start']({});
  let reads = 0;
  const failures: string[] = [];
  let running = true;
  const finished = ctx.jobs.wait(jobId).finally(() => (running = false));
  const calls = [
    ['records.count', { filter: {} }],
    ['records.query', { filter: { kind: 'event' }, offset: 0, limit: 50, order: 'desc' }],
    ['status.get', {}],
  ] as const;
  while (running) {
    for (const [method, input] of calls) {
      const reply = await dispatch(ctx, method, input);
      reads++;
      if (!reply.ok) failures.push(`${method}: ${reply.error.code} ${reply.error.message}`);
    }
    await new Promise((r) => setImmediate(r));
  }
  return { job: (await finished) as JobStatus<SyncResult>, reads, failures };
}

test('reads answer during an in-thread first sync and during the second sync, whose recheck reads every cached row', async () => {
  for (const which of ['first', 'second']) {
    const { job, reads, failures } = await syncWhileReading();
    assert.equal(job.state, 'done', `${which} sync: ${JSON.stringify(job.error)}`);
    assert.ok(reads > 30, `${which} sync: the reads ran while it did (${reads})`);
    assert.deepEqual([...new Set(failures)], [], `${which} sync: every read answered`);
  }
  assert.ok(
    logged.some((l) => /^warn: the sync worker could not start; syncing in the main process/.test(l)),
    'the sync ran in the main process, as this test means it to',
  );
});
