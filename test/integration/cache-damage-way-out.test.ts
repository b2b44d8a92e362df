// When a verdict finds a cached row that no longer matches what the sync stored, the
// auditor must not go on reading the verdict given before the damage as current, and
// the way out the error names must work: the app's "rebuild" and the CLI's --rebuild
// both move the damaged file aside (kept for inspection) and sync into a new cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { clientFor, finishedJob, jobOutcome } from '../helpers/app-calls.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { asAdmin } from '../helpers/source-edit.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import type { ApiClient } from '../../src-main/core/contract/index.js';

let demo: DemoDb;
let dir: string;

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-damage-way-out-'));
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work` on an app over the demo whose first sync is done, in a data folder of its own. */
async function onSyncedApp(name: string, work: (ctx: AppContext, api: ApiClient) => Promise<void>): Promise<void> {
  const ctx = await appOnDemo(demo, join(dir, name));
  try {
    await finishedJob<SyncResult>(ctx, 'sync.start', {});
    await work(ctx, clientFor(ctx));
  } finally {
    await ctx.shutdown();
  }
}

/** A tenant of the demo whose chain is intact at the source. */
const intactTenant = () => demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;

/** Appends a control character to one cached row's severity behind the app's back; the stored digest stays as the sync wrote it. */
function damageCachedRow(cachePath: string, tenant: string, seq: number, edit: 'damage' | 'undo' = 'damage'): void {
  const db = new Database(cachePath);
  try {
    const set = edit === 'damage' ? `severity || char(7)` : `rtrim(severity, char(7))`;
    const changed = db.prepare(`UPDATE records SET severity = ${set} WHERE kind = 'event' AND tenant_id = ? AND seq = ?`).run(tenant, seq).changes;
    assert.equal(changed, 1, 'the row is in the cache');
  } finally {
    db.close();
  }
}

function asideFiles(cachePath: string): string[] {
  return readdirSync(dirname(cachePath)).filter((f) => f.startsWith(`${basename(cachePath)}.broken-`) && !/-(wal|shm)$/.test(f));
}

test('the app: a sync that finds a damaged row leaves no earlier verdict standing as current, and "rebuild" moves the file aside and gives the verdict again', { timeout: 240_000 }, async () => {
  await onSyncedApp('app', async (ctx, api) => {
    const tenant = intactTenant();
    const before = await api['integrity.report']({});
    const chain = () => before.chains.find((c) => c.tenant === tenant)!;
    assert.equal(chain().verdict, 'intact');
    assert.deepEqual(before.cacheDamage, []);

    damageCachedRow(ctx.cachePath, tenant, 100);
    const failed = await jobOutcome(ctx, 'sync.start', {});
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'E_CACHE_CORRUPT');
    assert.match(failed.error!.message, /seq 100\b/);
    assert.match(failed.error!.message, /Rebuild the cache/, 'the app names its own way out, not only a CLI flag');

    const after = await api['integrity.report']({});
    assert.deepEqual(
      after.cacheDamage.map((d) => [d.tenant, d.row]),
      [[tenant, 'seq 100']],
    );
    const damaged = after.chains.find((c) => c.tenant === tenant)!;
    assert.equal(damaged.cacheDamage?.row, 'seq 100', 'the chain carries the damage beside the verdict stored before it');
    assert.ok(damaged.cacheDamage!.foundAt >= damaged.checkedAt, 'found after that verdict');
    const others = after.chains.filter((c) => c.tenant !== tenant);
    assert.ok(
      others.every((c) => !c.cacheDamage),
      'only the damaged chain is marked',
    );

    // The row's drawer and the engagement list do not go on saying "verified" / "intact" either.
    const ridOf = (seq: number) => {
      const db = new Database(ctx.cachePath, { readonly: true });
      try {
        return db.prepare(`SELECT rid FROM records WHERE kind = 'event' AND tenant_id = ? AND seq = ?`).pluck().get(tenant, seq) as number;
      } finally {
        db.close();
      }
    };
    const damagedRow = await api['records.get']({ rid: ridOf(100) });
    assert.equal(damagedRow.chain?.status, 'unknown');
    assert.match(damagedRow.chain?.detail ?? '', /this row no longer matches what the sync stored/);
    const otherRow = await api['records.get']({ rid: ridOf(99) });
    assert.equal(otherRow.chain?.status, 'unknown', 'the chain verdict that covered it no longer applies');
    assert.match(otherRow.chain?.detail ?? '', /cache is damaged at seq 100/);
    const listed = (await api['engagements.list']({})).engagements.find((e) => e.open)!;
    assert.equal(listed.verdict?.cacheDamaged, true);

    const [last] = await api['sync.history']({ limit: 1 });
    assert.match(last!.message ?? '', /no chain verdict/, 'the history does not list the sync as an unqualified success');
    assert.match(last!.message ?? '', /seq 100\b/);

    const rebuilt = await finishedJob<SyncResult>(ctx, 'sync.start', { rebuild: true });
    assert.equal(rebuilt.chains?.find((c) => c.tenant === tenant)?.verdict, 'intact');
    const [aside] = asideFiles(ctx.cachePath);
    assert.ok(aside, 'the damaged file is kept beside the new cache');
    const kept = new Database(join(dirname(ctx.cachePath), aside), { readonly: true });
    try {
      const severity = kept.prepare(`SELECT severity FROM records WHERE kind = 'event' AND tenant_id = ? AND seq = 100`).pluck().get(tenant) as string;
      assert.ok(severity.endsWith('\u0007'), 'kept as it was found');
    } finally {
      kept.close();
    }
    const fresh = await api['integrity.report']({});
    assert.deepEqual(fresh.cacheDamage, []);
    assert.equal(fresh.chains.find((c) => c.tenant === tenant)?.verdict, 'intact');
  });
});

test('the app: "Re-verify cache" records the damage it finds, no review is signed complete over it, and a re-verify that finds the row as synced again clears it', { timeout: 240_000 }, async () => {
  await onSyncedApp('verify', async (ctx, api) => {
    const tenant = intactTenant();
    const password = 'review-over-damage';
    const { fingerprint: identity } = await api['identity.create']({ name: 'Damage Reviewer', org: 'QA', email: 'reviewer@audit.example', password, remember: false });
    damageCachedRow(ctx.cachePath, tenant, 42);
    const failed = await jobOutcome(ctx, 'integrity.verify', { target: 'cache' });
    assert.equal(failed.error?.code, 'E_CACHE_CORRUPT');
    assert.deepEqual(
      (await api['integrity.report']({})).cacheDamage.map((d) => d.row),
      ['seq 42'],
    );

    // The queue is derived from the verdict given before the damage: it lists no item for
    // this chain, so "every exception decided" would be signed over a chain nobody knows.
    const queue = await api['review.queue']({});
    assert.deepEqual(
      queue.cacheDamage.map((d) => [d.tenant, d.row]),
      [[tenant, 'seq 42']],
      'the Review screen is told the cache is damaged',
    );
    const completion = await dispatch(ctx, 'review.complete', { note: 'all reviewed', acceptOpenItems: true, identity, password });
    assert.equal(completion.ok, false, 'accepting the open items does not accept a chain whose verdict is not known');
    assert.equal(completion.ok ? '' : completion.error.code, 'E_CACHE_CORRUPT');
    assert.match(completion.ok ? '' : completion.error.message, /seq 42\b/);
    assert.equal((await api['review.queue']({})).completion, null, 'nothing was signed');

    damageCachedRow(ctx.cachePath, tenant, 42, 'undo');
    await finishedJob(ctx, 'integrity.verify', { target: 'cache' });
    const report = await api['integrity.report']({});
    assert.deepEqual(report.cacheDamage, []);
    assert.equal(report.chains.find((c) => c.tenant === tenant)?.verdict, 'intact');
    assert.deepEqual((await api['review.queue']({})).cacheDamage, []);
    const done = await api['review.complete']({ note: 'all reviewed', acceptOpenItems: true, identity, password });
    assert.equal(done.signature.meaning, 'Review completed');
  });
});

test('the CLI: after a sync exits 2 on a damaged row, `review list` says so, and `sync --rebuild` as the error says moves the file aside and syncs with a verdict', { timeout: 240_000 }, async () => {
  const cache = join(mkdirSync(join(dir, 'cli'), { recursive: true })!, 'cache.sqlite');
  const tenant = intactTenant();
  const sync = (...extra: string[]) => runAuditdesk(['sync', '--source', demo.url, '--tenant', tenant, '--cache', cache, '--data-dir', join(dir, 'cli-data'), ...extra]);
  const first = await sync();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  damageCachedRow(cache, tenant, 7);
  const refused = await sync();
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /seq 7\b.*--rebuild/s);
  const queue = await runAuditdesk(['review', 'list', '--cache', cache]);
  assert.equal(queue.code, 1, `the queue is not offered as clear over a damaged cache: ${queue.stdout}${queue.stderr}`);
  assert.match(queue.stdout, /^CACHE DAMAGED: .*row seq 7 of audit_logs.*cannot be completed until the cache is rebuilt/m);

  const rebuilt = await sync('--rebuild');
  assert.equal(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr);
  assert.match(rebuilt.stdout, /intact/);
  assert.equal(asideFiles(cache).length, 1, 'the damaged file is kept aside');
});

test('the CLI: `sync --rebuild` on damage nothing has found yet rebuilds in the same run, not "pass --rebuild"', { timeout: 240_000 }, async () => {
  const cache = join(mkdirSync(join(dir, 'cli-unfound'), { recursive: true })!, 'cache.sqlite');
  const tenant = intactTenant();
  const sync = (...extra: string[]) => runAuditdesk(['sync', '--source', demo.url, '--tenant', tenant, '--cache', cache, '--data-dir', join(dir, 'cli-unfound-data'), ...extra]);
  assert.equal((await sync()).code, 0);
  // SQLite reads the file well and no verdict has recorded the damage: the file looks sound until this run's verdict reads the row.
  damageCachedRow(cache, tenant, 11);
  const rebuilt = await sync('--rebuild');
  assert.equal(rebuilt.code, 0, `one run, as asked: ${rebuilt.stdout}${rebuilt.stderr}`);
  assert.match(rebuilt.stderr, /found damage in the cache .*seq 11\b.*: rebuilding it, as --rebuild asks/s);
  assert.match(rebuilt.stderr, /the damaged cache was moved aside to /);
  assert.match(rebuilt.stdout, /intact/);
  assert.equal(asideFiles(cache).length, 1, 'the damaged file is kept aside');
});

test('the app: a signed package is never made from a damaged row; the export stops naming it, writes no file, and the damage is on record', { timeout: 240_000 }, async () => {
  await onSyncedApp('export', async (ctx, api) => {
    const tenant = intactTenant();
    const identity = await api['identity.create']({ name: 'Damage Tester', org: 'QA', email: 'damage@audit.example', password: 'damage-password' });
    const out = join(dir, 'export', 'package.zip');
    // Nothing ran a verdict since the damage: the export is the first to read the row.
    damageCachedRow(ctx.cachePath, tenant, 100);
    const refused = await jobOutcome(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'E_CACHE_CORRUPT', `not a package that blames the tenant for a "modified" row: ${refused.error?.message}`);
    assert.match(refused.error!.message, /seq 100\b/);
    assert.equal(existsSync(out), false, 'no package was written');
    assert.deepEqual(
      (await api['integrity.report']({})).cacheDamage.map((d) => d.row),
      ['seq 100'],
    );
  });
});

test('the app: a cached JSON value edited into text that is not JSON stops the export naming the row, not with a parser message', { timeout: 240_000 }, async () => {
  await onSyncedApp('export-not-json', async (ctx, api) => {
    const tenant = intactTenant();
    const identity = await api['identity.create']({ name: 'Damage Tester', org: 'QA', email: 'damage@audit.example', password: 'damage-password' });
    const out = join(dir, 'export-not-json', 'package.zip');
    const db = new Database(ctx.cachePath);
    try {
      assert.equal(db.prepare(`UPDATE records SET action_details = 'forged' WHERE kind = 'event' AND tenant_id = ? AND seq = 120`).run(tenant).changes, 1);
    } finally {
      db.close();
    }
    const refused = await jobOutcome(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'E_CACHE_CORRUPT', String(refused.error?.message));
    assert.match(refused.error!.message, /seq 120\b/);
    assert.equal(existsSync(out), false, 'no package was written');
  });
});

/** Appends (or takes back) a control character in one cached row of a sealed table; returns the row's source key. */
function damageSealedRow(cachePath: string, table: 'records' | 'anomalies' | 'access_log', column: string, tenant: string, edit: 'damage' | 'undo' = 'damage'): string {
  const db = new Database(cachePath);
  try {
    const where = `tenant_id = ? ${table === 'records' ? "AND kind = 'conversation'" : ''}`;
    const key = db.prepare(`SELECT source_key FROM ${table} WHERE ${where} ORDER BY source_key LIMIT 1`).pluck().get(tenant) as string;
    const set = edit === 'damage' ? `${column} || char(7)` : `rtrim(${column}, char(7))`;
    assert.equal(db.prepare(`UPDATE ${table} SET ${column} = ${set} WHERE ${where} AND source_key = ?`).run(tenant, key).changes, 1);
    return key;
  } finally {
    db.close();
  }
}

test('the app: a damaged conversation or anomaly row is not signed either, and a re-verify that finds the sealed rows as synced clears it', { timeout: 240_000 }, async () => {
  await onSyncedApp('export-sealed', async (ctx, api) => {
    const tenant = intactTenant();
    const identity = await api['identity.create']({ name: 'Seal Tester', org: 'QA', email: 'seal@audit.example', password: 'seal-password' });
    const out = join(dir, 'export-sealed', 'package.zip');
    const exportRefused = async (key: string) => {
      const refused = await jobOutcome(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out });
      assert.equal(refused.error?.code, 'E_CACHE_CORRUPT', String(refused.error?.message ?? refused.state));
      assert.match(refused.error!.message, new RegExp(`row id ${key} of `));
      assert.equal(existsSync(out), false);
    };

    const conversation = damageSealedRow(ctx.cachePath, 'records', 'prompt', tenant);
    await exportRefused(conversation);
    assert.deepEqual(
      (await api['integrity.report']({})).cacheDamage.map((d) => d.row),
      [`id ${conversation}`],
    );
    damageSealedRow(ctx.cachePath, 'records', 'prompt', tenant, 'undo');
    await finishedJob(ctx, 'integrity.verify', { target: 'cache' });
    assert.deepEqual((await api['integrity.report']({})).cacheDamage, [], 'the sealed rows match their seal again');

    const anomaly = damageSealedRow(ctx.cachePath, 'anomalies', 'detector', tenant);
    await exportRefused(anomaly);
  });
});

test('the app: a cache file SQLite cannot read fails every screen with E_CACHE_CORRUPT, and "rebuild" is the way out there too', { timeout: 240_000 }, async () => {
  await onSyncedApp('unreadable', async (ctx, api) => {
    ctx.close();
    writeFileSync(ctx.cachePath, Buffer.alloc(64 * 1024, 0xa5));
    await assert.rejects(api['integrity.report']({}), /E_CACHE_CORRUPT .*Rebuild the cache/);
    const rebuilt = await finishedJob<SyncResult>(ctx, 'sync.start', { rebuild: true });
    assert.ok(rebuilt.rowsFetched > 0);
    assert.equal(asideFiles(ctx.cachePath).length, 1);
    assert.deepEqual((await api['integrity.report']({})).cacheDamage, []);
  });
});

test('the app: conversations with a column AuditDesk does not know export as before, and a damaged one is still refused', { timeout: 240_000 }, async () => {
  // The stored digest then covers more than the file's columns, so the export digests the row twice.
  await asAdmin(demo.adminUrl, (admin) => admin.query(`ALTER TABLE conversation_audit_logs ADD COLUMN review_region text DEFAULT 'eu-west'`));
  await onSyncedApp('export-extra-column', async (ctx, api) => {
    const tenant = intactTenant();
    const identity = await api['identity.create']({ name: 'Extra Tester', org: 'QA', email: 'extra@audit.example', password: 'extra-password' });
    const exported = await finishedJob<{ out: string }>(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out: join(dir, 'export-extra-column', 'sound.zip') });
    assert.ok(existsSync(exported.out), 'no row of a sound cache is taken for damage');
    // Still the JSON the sync wrote, one value changed: only the digest over every column sees it.
    const key = (() => {
      const db = new Database(ctx.cachePath);
      try {
        const row = db.prepare(`SELECT rid, source_key FROM records WHERE kind = 'conversation' AND tenant_id = ? ORDER BY source_key LIMIT 1`).get(tenant) as { rid: number; source_key: string };
        db.prepare(`UPDATE records SET extra = json_set(extra, '$.review_region', 'us-east') WHERE rid = ?`).run(row.rid);
        return row.source_key;
      } finally {
        db.close();
      }
    })();
    const refused = await jobOutcome(ctx, 'export.start', { filter: { tenant: [tenant] }, identity: identity.fingerprint, out: join(dir, 'export-extra-column', 'damaged.zip') });
    assert.equal(refused.error?.code, 'E_CACHE_CORRUPT', String(refused.error?.message ?? refused.state));
    assert.match(refused.error!.message, new RegExp(`row id ${key} of conversation_audit_logs`));
  });
});
