// The first start with engagements: the cache every connection shared
// (<data-dir>/cache.sqlite, profiles in <data-dir>/config.json) becomes one engagement
// named after its connection, once, with a notice, and nothing in it is lost. The old
// data folder is made the way the app made it before engagements: a context on
// <data-dir>/cache.sqlite with the profiles in the app's settings, a sync job and a
// verification through the contract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { MemorySecretStore } from '../../src-main/core/app/secrets.js';
import { clientFor, finishedJob, saveConnection } from '../helpers/app-calls.js';
import type { CheckpointInfo, IntegrityReport } from '../../src-main/core/contract/integrity.js';
import type { RecordCount } from '../../src-main/core/contract/records.js';
import { engagementPaths } from '../../src-main/core/engagement/paths.js';

let demo: DemoDb;
let dataDir: string;
const secrets = new MemorySecretStore();
const quiet = { frontDoor: 'test' as const, queryWorkers: 0, secrets, log: () => undefined };

interface Snapshot {
  count: RecordCount;
  report: IntegrityReport;
  checkpoints: CheckpointInfo[];
}

async function snapshot(ctx: AppContext): Promise<Snapshot> {
  return {
    count: await clientFor(ctx)['records.count']({ filter: { kind: 'all' } }),
    report: await clientFor(ctx)['integrity.report']({}),
    checkpoints: await clientFor(ctx)['integrity.checkpoints']({}),
  };
}

let before_: Snapshot;

before(async () => {
  demo = await startDemoDb();
  dataDir = scratchDir('auditdesk-legacy-');
  const old = new AppContext({ ...quiet, dataDir, cachePath: join(dataDir, 'cache.sqlite') });
  await saveConnection(old, demo.url, { id: 'acme-prod', name: 'Acme production', tenants: demo.groundTruth.tenants });
  await finishedJob(old, 'sync.start', {});
  await finishedJob(old, 'integrity.verify', { target: 'cache' });
  before_ = await snapshot(old);
  old.close();
});

after(async () => {
  await demo?.stop();
});

test('the old shared cache becomes an engagement named after its connection, with a notice, and nothing is lost', async () => {
  const logged: string[] = [];
  const ctx = new AppContext({ ...quiet, dataDir, log: (_level, m) => logged.push(m) });
  try {
    assert.equal(ctx.engagement?.meta.name, 'Acme production');
    assert.equal(ctx.engagement?.meta.migratedFrom, join(dataDir, 'cache.sqlite'));
    assert.equal(existsSync(join(dataDir, 'cache.sqlite')), false, 'moved, not copied: one cache, one truth');
    assert.equal(ctx.cachePath, engagementPaths(ctx.engagement!.dir).cache);
    const { engagements, notices } = await clientFor(ctx)['engagements.list']({});
    assert.deepEqual(
      engagements.map((e) => e.name),
      ['Acme production'],
    );
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /now the engagement "Acme production"/);
    assert.deepEqual(logged, notices);
    assert.deepEqual(await snapshot(ctx), before_, 'the same rows, verdicts and checkpoints');
    const connections = await clientFor(ctx)['connections.list']({});
    assert.deepEqual(
      connections.map((c) => [c.id, c.active, c.hasPassword]),
      [['acme-prod', true, true]],
    );
  } finally {
    await ctx.shutdown();
  }
});

test('the migration runs once: the next start opens the engagement without a notice', async () => {
  const ctx = new AppContext({ ...quiet, dataDir });
  try {
    assert.equal(ctx.engagement?.meta.name, 'Acme production');
    assert.deepEqual((await clientFor(ctx)['engagements.list']({})).notices, []);
    assert.equal((await clientFor(ctx)['records.count']({ filter: { kind: 'all' } })).total, before_.count.total);
  } finally {
    await ctx.shutdown();
  }
});
