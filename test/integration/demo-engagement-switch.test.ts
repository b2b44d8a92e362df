// Issue 13 follow-up: switching to the Demo engagement while the app runs brings its
// embedded database up, so its connection is reachable; before, only the engagement
// open at launch got a running demo, and a switch back to Demo showed an unreachable
// source. The demo's profile never lands in the client engagement that was open before.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppContext } from '../../src-main/core/app/context.js';
import { DemoKeeper } from '../../src-main/bridge/startup.js';
import { clientFor } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';

// PostgreSQL runs as its own user when the tests run as root: a folder it can enter.
const demoDir = mkdtempSync(join(tmpdir(), 'auditdesk-demo-switch-'));
chmodSync(demoDir, 0o755);
const dataDir = scratchDir('auditdesk-demo-switch-data-');
let ctx: AppContext | undefined;
let keeper: DemoKeeper | undefined;

after(async () => {
  await keeper?.stop();
  ctx?.close();
  rmSync(demoDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | null>, seconds = 120): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a switch to the Demo engagement at run time starts its database; the client engagement gets no demo profile', { timeout: 300_000 }, async () => {
  // First start made the Demo engagement; the auditor then opened a client's and quit.
  const first = new AppContext({ dataDir, frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  const demoEngagement = first.engagement!;
  assert.equal(demoEngagement.meta.demo, true);
  const client = await clientFor(first)['engagements.create']({ name: 'Globex 2026', client: 'Globex' });
  await clientFor(first)['engagements.open']({ dir: client.dir });
  first.close();

  // Next launch opens the client engagement: nothing to start.
  ctx = new AppContext({ dataDir, frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  keeper = new DemoKeeper(ctx, { events: 1000, dataDir: demoDir });
  assert.equal(await keeper.ensure(), null);
  assert.equal(ctx.engagement!.dir, client.dir);

  await clientFor(ctx)['engagements.open']({ dir: demoEngagement.dir });
  const status = await until('the demo source to be reachable', async () => {
    const s = await clientFor(ctx!)['status.get']({ refreshSource: true });
    return s.source?.reachable ? s : null;
  });
  assert.equal(status.source!.isDemo, true);
  assert.ok(status.source!.tenants.length > 0, 'the demo tenants are visible');

  // Its empty cache got the first sync, as on a first start: the timeline opens on rows.
  await until('the first demo sync to finish', async () => (ctx!.jobs.list().some((j) => j.state === 'running') ? null : true));
  const count = await clientFor(ctx)['records.count']({ filter: { kind: 'all' } });
  assert.ok(count.total > 1000, `demo rows cached: ${count.total}`);

  // Back to the client: its connections are its own, no demo profile among them.
  await clientFor(ctx)['engagements.open']({ dir: client.dir });
  assert.deepEqual(await clientFor(ctx)['connections.list']({}), []);
  const list = await clientFor(ctx)['engagements.list']({});
  assert.equal(list.engagements.length, 2);
});
