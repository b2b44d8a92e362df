// The app's front door for connections and sync: a profile is saved without its
// password (which goes to the secret store), tested, synced as a job with
// progress, listed in the history, and the status line reports the live source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { clientFor } from '../helpers/app-calls.js';

let demo: DemoDb;
let dir: string;
let ctx: AppContext;
let password: string;

const api = () => clientFor(ctx);

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-handlers-'));
  ctx = new AppContext({ dataDir: dir, frontDoor: 'test', log: () => undefined });
  password = decodeURIComponent(new URL(demo.url).password);
});

after(async () => {
  await ctx?.shutdown();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function profile(tenants: string[]) {
  const u = new URL(demo.url);
  return {
    id: 'demo',
    name: 'Demo tenant',
    host: u.hostname,
    port: Number(u.port),
    database: u.pathname.slice(1),
    user: decodeURIComponent(u.username),
    sslmode: 'disable' as const, // the demo listens on loopback without TLS; profiles default to verify-full
    tenants,
    isDemo: true,
  };
}

test('a saved profile keeps its password out of the settings file', async () => {
  const saved = await api()['connections.save']({ profile: profile(demo.groundTruth.tenants), password });
  assert.equal(saved.hasPassword, true);
  assert.equal(saved.active, true);
  assert.ok(!readFileSync(ctx.config.path, 'utf8').includes(password)); // the open engagement's connection profiles
  const list = await api()['connections.list']({});
  assert.deepEqual(
    list.map((c) => [c.id, c.hasPassword, c.label]),
    [['demo', true, saved.label]],
  );
  assert.ok(!JSON.stringify(list).includes(password));
});

test('testing a connection reports tables, read-only state and no privilege warnings for auditor_ro', async () => {
  const r = await api()['connections.test']({ id: 'demo' });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.readOnly, true);
  assert.deepEqual(r.tables, {
    events: 'public.audit_logs',
    conversations: 'public.conversation_audit_logs',
    anomalies: 'public.audit_anomalies',
    access: 'public.audit_access_log',
  });
  assert.deepEqual(r.privilegeWarnings, []);
  const wrong = await api()['connections.test']({ profile: profile([]), password: 'nope' });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.errorCode, 'E_AUTH');
});

test('sync.start runs as a job with progress; the result and the history show what was sealed', async () => {
  const { jobId } = await api()['sync.start']({});
  const second = await dispatch(ctx, 'sync.start', {});
  assert.equal(second.ok, false);
  assert.equal(!second.ok && second.error.code, 'E_BUSY');
  const job = (await ctx.jobs.wait(jobId)) as JobStatus<SyncResult>;
  assert.equal(job.state, 'done', JSON.stringify(job.error));
  assert.equal(job.progress.phase, 'done');
  const total = demo.groundTruth.tenants.reduce((n, t) => {
    const c = demo.groundTruth.counts[t]!;
    return n + c.audit_logs + c.conversation_audit_logs + c.audit_anomalies + c.audit_access_log;
  }, 0);
  assert.equal(job.result!.rowsFetched, total);
  assert.equal(job.progress.done, total);
  const history = await api()['sync.history']({});
  assert.equal(history.length, 1);
  assert.equal(history[0]!.status, 'done');
  assert.equal(history[0]!.seals.length, 4 * demo.groundTruth.tenants.length);
});

test('status.get with refreshSource reports the live source, and repeats it without', async () => {
  const live = await api()['status.get']({ refreshSource: true });
  assert.equal(live.source!.reachable, true, live.source!.error ?? '');
  assert.equal(live.source!.readOnly, true);
  for (const t of demo.groundTruth.tenants) {
    const row = live.source!.tenants.find((x) => x.tenant === t)!;
    assert.equal(row.events, demo.groundTruth.counts[t]!.audit_logs);
    assert.equal(row.conversations, demo.groundTruth.counts[t]!.conversation_audit_logs);
  }
  const cached = await api()['status.get']({});
  assert.deepEqual(cached.source, live.source);
});

test('deleting a profile forgets its password', async () => {
  assert.deepEqual(await api()['connections.delete']({ id: 'demo' }), { deleted: true });
  assert.equal(await ctx.secrets.get('connection-password:demo'), undefined);
  assert.deepEqual(await api()['connections.list']({}), []);
});
