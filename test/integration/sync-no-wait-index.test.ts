// Issue 17 goal 2: a sync is ready when its rows are sealed and the chains' verdict is
// known. The facet indexes of a large first fill only make the timeline's filters
// faster, so `auditdesk sync --no-wait-index` exits without them and the next sync builds
// them; by default the sync waits for them. Either way every query gives the same rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { runAuditdesk } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { openCache } from '../../src-main/core/cache/open.js';
import type { SyncSummary } from '../../src-main/core/sync/index.js';

let demo: DemoDb;
before(async () => {
  demo = await startDemoDb();
});
after(async () => {
  await demo?.stop();
});

// A first fill of the demo is a bulk fill (its indexes deferred) from 1,000 rows on.
const env = { ...process.env, AUDITDESK_SYNC_BULK_MIN_ROWS: '1000' };
const sync = (cache: string, ...more: string[]) =>
  runAuditdesk(['sync', '--source', demo.url, ...demo.groundTruth.tenants.flatMap((t) => ['--tenant', t]), '--cache', cache, '--data-dir', join(cache, '..', 'data'), ...more], { env });

/** What a user of the cache can observe: the facet indexes present, the ones still deferred, search and a filter's rows. */
function cacheState(cache: string) {
  const db = openCache(cache);
  try {
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    // FTS5's own check that its index holds exactly the table's rows (it throws otherwise).
    db.prepare(`INSERT INTO records_fts(records_fts) VALUES ('integrity-check')`).run();
    return {
      indexes: indexes.sort(),
      deferred: db.prepare('SELECT name FROM deferred_schema ORDER BY name').pluck().all() as string[],
      highSeverity: db.prepare(`SELECT rid FROM records WHERE severity = 'high' ORDER BY ts, rid`).pluck().all(),
    };
  } finally {
    db.close();
  }
}

test('sync --no-wait-index exits ready (sealed, verdict printed) with the facet indexes still to build; the next sync builds them; results never differ', async () => {
  const dir = scratchDir('auditdesk-no-wait-index-');
  const cache = join(dir, 'cache.sqlite');
  const first = await sync(cache, '--no-wait-index');
  assert.equal(first.code, 1, `the demo's tampered tenant: exit 1 like verify (${first.stderr})`);
  assert.match(first.stdout, /BROKEN/, 'the verdict is printed');
  const m =
    /(\d+) facet index\(es\) not built yet \(--no-wait-index\): the timeline's filters are slower until the next sync, or the app when it opens this cache, builds them; every result is the same\./.exec(
      first.stdout,
    );
  assert.ok(m, first.stdout);
  const ready = cacheState(cache);
  assert.equal(ready.deferred.length, Number(m[1]), 'the count printed is what is left to build');
  for (const needed of ['records_key', 'records_chain', 'records_ts', 'records_kind_ts', 'records_tenant_ts']) assert.ok(ready.indexes.includes(needed), `${needed} is built before the sync is ready`);
  assert.ok(ready.deferred.includes('records_severity') && !ready.indexes.includes('records_severity'));

  const second = await sync(cache, '--json');
  assert.equal(second.code, 1, second.stderr);
  assert.equal((JSON.parse(second.stdout) as SyncSummary).indexesPending, undefined);
  const built = cacheState(cache);
  assert.deepEqual(built.deferred, [], 'the next sync built what was left');
  assert.ok(built.indexes.includes('records_severity'));
  assert.deepEqual(built.highSeverity, ready.highSeverity, 'a filter gives the same rows with and without its index');
});

test('sync waits for the facet indexes by default, and --json says nothing is pending', async () => {
  const dir = scratchDir('auditdesk-wait-index-');
  const cache = join(dir, 'cache.sqlite');
  const r = await sync(cache, '--json');
  assert.equal(r.code, 1, r.stderr);
  assert.equal((JSON.parse(r.stdout) as SyncSummary).indexesPending, undefined);
  const state = cacheState(cache);
  assert.deepEqual(state.deferred, []);
  assert.ok(state.indexes.includes('records_severity'));
});
