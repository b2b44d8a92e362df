// Engagements (issue 13): two clients' investigations in one app never mix. Two real
// PostgreSQL sources (different clusters, the same tenant names, different rows) are
// synced and verified into two engagements; each engagement shows only its own rows,
// verdicts and checkpoints, each naming its own source, and switching back and forth
// keeps it so. The first export of a new engagement goes to its exports/ folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { unzipAll } from '../helpers/package-zip.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { clientFor, finishedJob, jobOutcome, saveConnection } from '../helpers/app-calls.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { EngagementView } from '../../src-main/core/contract/engagements.js';
import type { RecordPage } from '../../src-main/core/contract/records.js';
import type { ExportJobResult } from '../../src-main/core/contract/export.js';
import { engagementPaths } from '../../src-main/core/engagement/paths.js';

let sourceA: DemoDb;
let sourceB: DemoDb;
let dataDir: string;
let ctx: AppContext;
const api = () => clientFor(ctx);

async function engagementOn(source: DemoDb, name: string, client: string): Promise<EngagementView> {
  const created = await api()['engagements.create']({ name, client, periodFrom: '2026-01-01', periodTo: '2026-03-31' });
  await saveConnection(ctx, source.url, { id: `src-${client.toLowerCase()}`, name: `${client} audit DB`, tenants: source.groundTruth.tenants }, { makeActive: true });
  await finishedJob(ctx, 'sync.start', {});
  await finishedJob(ctx, 'integrity.verify', { target: 'cache' });
  return created;
}

const fingerprintOf = (dir: string) => {
  const list = JSON.parse(JSON.stringify(ctx.engagement)) as { dir: string };
  assert.equal(list.dir, dir);
  return ctx.cache().prepare('SELECT fingerprint FROM sources').pluck().all() as string[];
};

async function allRowKeys(): Promise<Set<string>> {
  const keys = new Set<string>();
  let after: RecordPage['nextCursor'] | undefined;
  for (;;) {
    const page = await api()['records.query']({ filter: { kind: 'all' }, limit: 500, ...(after ? { after } : {}) });
    for (const r of page.rows) keys.add(`${r.tenant}/${r.kind}/${r.sourceKey}`);
    if (!page.nextCursor) return keys;
    after = page.nextCursor;
  }
}

let acme: EngagementView;
let globex: EngagementView;
let acmeFingerprint: string;
let globexFingerprint: string;

before(async () => {
  sourceA = await startDemoDb();
  sourceB = await startDemoDb({ events: 1000, seed: 7 });
  dataDir = scratchDir('auditdesk-engagements-');
  ctx = new AppContext({ dataDir, frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  acme = await engagementOn(sourceA, 'Acme Q1 review', 'Acme');
  [acmeFingerprint] = fingerprintOf(acme.dir) as [string];
  globex = await engagementOn(sourceB, 'Globex Q1 review', 'Globex');
  [globexFingerprint] = fingerprintOf(globex.dir) as [string];
});

after(async () => {
  await ctx?.shutdown();
  await Promise.all([sourceA?.stop(), sourceB?.stop()]);
});

test('a first start opens the Demo engagement; new engagements are listed with their client, source and verdict', async () => {
  assert.notEqual(acmeFingerprint, globexFingerprint, 'the two sources are different clusters');
  const { engagements } = await api()['engagements.list']({});
  assert.deepEqual(
    engagements.map((e) => [e.name, e.client, e.demo, e.open]),
    [
      ['Demo', 'AuditDesk demo tenant', true, false],
      ['Acme Q1 review', 'Acme', false, false],
      ['Globex Q1 review', 'Globex', false, true],
    ],
  );
  const [, a, g] = engagements as [EngagementView, EngagementView, EngagementView];
  assert.deepEqual(
    a.sources.map((s) => s.fingerprint),
    [acmeFingerprint],
  );
  assert.deepEqual(
    g.sources.map((s) => s.fingerprint),
    [globexFingerprint],
  );
  assert.equal(a.verdict?.source?.fingerprint, acmeFingerprint);
  assert.equal(g.verdict?.source?.fingerprint, globexFingerprint);
  assert.ok(a.lastSyncAt && g.lastSyncAt);
});

test('each engagement shows only its own rows, verdicts and checkpoints, after switching back and forth', async () => {
  const seen = new Map<string, Set<string>>();
  for (const [e, fingerprint, other] of [
    [acme, acmeFingerprint, globexFingerprint],
    [globex, globexFingerprint, acmeFingerprint],
    [acme, acmeFingerprint, globexFingerprint],
  ] as const) {
    const opened = await api()['engagements.open']({ dir: e.dir });
    assert.equal(opened.open, true);
    const keys = await allRowKeys();
    const count = await api()['records.count']({ filter: { kind: 'all' } });
    assert.equal(keys.size, count.total);
    if (seen.has(e.dir)) assert.deepEqual(keys, seen.get(e.dir), 'switching back shows the same rows');
    seen.set(e.dir, keys);

    const report = await api()['integrity.report']({});
    assert.equal(report.lastRun?.source?.fingerprint, fingerprint);
    assert.ok(report.chains.length > 0);
    const checkpoints = await api()['integrity.checkpoints']({});
    assert.ok(checkpoints.length > 0);
    assert.deepEqual([...new Set(checkpoints.map((c) => c.sourceFingerprint))], [fingerprint]);
    assert.ok(
      checkpoints.every((c) => c.sourceLabel !== null),
      'every checkpoint names its source',
    );
    const status = await api()['status.get']({});
    assert.equal(status.cache.path, engagementPaths(e.dir).cache);
    assert.ok(!JSON.stringify({ report, checkpoints }).includes(other), 'nothing about the other source');
  }
  const [a, g] = [seen.get(acme.dir)!, seen.get(globex.dir)!];
  assert.ok(a.size > 0 && g.size > 0 && g.size !== a.size, 'two different sources, two different row sets');
  assert.deepEqual(
    [...a].filter((k) => g.has(k)),
    [],
    'no row of one source appears in the other engagement',
  );
});

test('connection profiles belong to their engagement: each lists only its own', async () => {
  await api()['engagements.open']({ dir: globex.dir });
  const list = await api()['connections.list']({});
  assert.deepEqual(
    list.map((c) => c.id),
    ['src-globex'],
  );
  const saved = readFileSync(engagementPaths(globex.dir).connections, 'utf8');
  assert.ok(!saved.includes(decodeURIComponent(new URL(sourceB.url).password)), 'never the password');
});

test('renaming changes the name shown; the open engagement cannot be closed, another can and its folder stays', async () => {
  const renamed = await api()['engagements.rename']({ dir: acme.dir, name: 'Acme FY26 review', client: 'Acme Corp' });
  assert.deepEqual([renamed.name, renamed.client], ['Acme FY26 review', 'Acme Corp']);
  const refused = await dispatch(ctx, 'engagements.close', { dir: globex.dir });
  assert.equal(refused.ok ? 'ok' : refused.error.code, 'E_ENGAGEMENT_OPEN');
  const demo = (await api()['engagements.list']({})).engagements.find((e) => e.demo)!;
  assert.deepEqual(await api()['engagements.close']({ dir: demo.dir }), { closed: true });
  assert.ok(existsSync(engagementPaths(demo.dir).meta), 'closing takes it off the list only');
  assert.deepEqual(
    (await api()['engagements.list']({})).engagements.map((e) => e.name),
    ['Acme FY26 review', 'Globex Q1 review'],
  );
  const reopened = await api()['engagements.open']({ dir: demo.dir });
  assert.equal(reopened.name, 'Demo');
  await api()['engagements.open']({ dir: globex.dir });
});

test('archiving writes one ZIP of the whole folder (cache, profiles, details) and never overwrites one', async () => {
  const out = join(dirname(globex.dir), 'globex-handover.zip');
  const r = await api()['engagements.archive']({ dir: globex.dir, out });
  assert.equal(r.out, out);
  const names = [...(await unzipAll(out)).keys()].sort();
  const top = globex.dir.split('/').pop()!;
  assert.deepEqual(names, [`${top}/cache.sqlite`, `${top}/connections.json`, `${top}/engagement.json`]);
  const again = await dispatch(ctx, 'engagements.archive', { dir: globex.dir, out });
  assert.equal(again.ok ? 'ok' : again.error.code, 'E_EXISTS', 'an archive is never overwritten');
});

test('the first export from a new engagement succeeds with the default path in its exports/ folder', async () => {
  await api()['engagements.open']({ dir: globex.dir });
  const identity = await api()['identity.create']({ name: 'Eng Tester', org: 'QA', email: 'eng@audit.example', password: 'eng-password' });
  const tenant = sourceB.groundTruth.tenants[0]!;
  const { path } = await api()['engagements.defaultExportPath']({ tenant });
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(path, join(engagementPaths(globex.dir).exports, `Globex-${tenant}-2026-01-01_2026-03-31-${today}.zip`));
  assert.equal(existsSync(dirname(path)), false, 'exports/ is made when the first package goes there');
  const result = await finishedJob<ExportJobResult>(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out: path });
  assert.equal(result.out, path);
  assert.equal(result.source?.fingerprint, globexFingerprint, 'the package names the source it came from');
  assert.ok(existsSync(path));
  const refused = await jobOutcome(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out: path });
  assert.equal(refused.error?.code, 'E_EXISTS');
  assert.doesNotMatch(refused.error?.message ?? '', /--out/, 'the app never talks about a CLI flag');
  const next = await api()['engagements.defaultExportPath']({ tenant });
  assert.notEqual(next.path, path, 'the next default never points at an existing package');
});
