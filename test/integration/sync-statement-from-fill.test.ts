// A first fill records how its chains hashed (issue 17, goal 3): the rows it linked as
// fetched are the rows it cached, so the signed statement a later verdict records after
// reading the cache (hashed-rows.ts) can be made from them too, over their cached form.
// The second sync then skips those rows' payload hashes as every later sync does, and
// must still give the report reading the cache back gives, to the byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { asAdmin } from '../helpers/source-edit.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { chainedTableSource, comparableReport, smallPages, withBulk } from '../helpers/chained-table.js';
import { chain, damage, damageArb } from '../helpers/damaged-chains.js';
import type { CacheDb } from '../../src-main/core/cache/open.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { syncAndCheckpoint, type SyncAndCheckpointOptions } from '../../src-main/core/verify/sync-verdict.js';
import { FetchedChains } from '../../src-main/core/verify/fetched-chain.js';
import type { TableMapping } from '../../src-main/core/source/discover.js';
import { createRichTenant, RICH_MAPPING, RICH_TABLE, RICH_TENANT } from '../bench/rich-tenant.js';

const TABLE = 'filled_audit_logs';
const mapping: TableMapping = { events: TABLE };
const source = chainedTableSource(TABLE, 'auditdesk-statement-from-fill-');

function sync(db: CacheDb, tenants: string[], verdictRows: FetchedChains | 'read-back', extra: Partial<SyncAndCheckpointOptions> = {}) {
  return syncAndCheckpoint(source.session, db, { tenants, kinds: ['events'], key: testAuditorKey(), cachePath: db.name, verdictRows, ...extra });
}

test('random damaged chains: the second sync skips the hashes of every row the first fill linked, with the read-back report, row by row and in bulk', { timeout: 900_000 }, async () => {
  let filledFromFetch = 0;
  let skippedAll = 0;
  let skippedPastBreak = 0;
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 2, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(damageArb, { maxLength: 4 }), fc.boolean(), async (n, cut, list, bulk) => {
      const tenant = `f${++runs}`;
      const rows = damage(chain(n, 3, tenant), list);
      const k = Math.max(1, Math.min(rows.length, Math.round(cut * rows.length)));
      await source.insert(tenant, rows.slice(0, k));
      await source.twoCaches(async (a, b) => {
        const first = smallPages();
        await withBulk(bulk, async () => {
          await sync(a, [tenant], first, { mapping });
          await sync(b, [tenant], 'read-back', { mapping });
        });
        await source.insert(tenant, rows.slice(k));
        const second = smallPages();
        const fromKept = await sync(a, [tenant], second, { mapping });
        const readBack = await sync(b, [tenant], 'read-back', { mapping });
        const context = JSON.stringify({ n, k, list, bulk });
        assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!), context);
        const filled = first.of(1, tenant);
        const later = second.of(1, tenant);
        if (filled?.fed && later?.fed) {
          filledFromFetch++;
          // Every row of the fill was linked then; none is hashed again.
          assert.equal(later.skippedHashes, filled.rows, context);
          if (later.skippedHashes === filled.rows) skippedAll++;
          if (later.skippedExceptions > 0) skippedPastBreak++;
        }
      });
    }),
    { numRuns: 24, seed: 2006 },
  );
  console.log(`first fills from the fetch then second syncs from the recheck: ${filledFromFetch}; skipping past a break: ${skippedPastBreak}`);
  assert.ok(filledFromFetch >= 10, `first fills verified from the fetched rows and second syncs from the recheck's: ${filledFromFetch} of 24`);
  assert.equal(skippedAll, filledFromFetch);
  assert.ok(skippedPastBreak >= 1, `a broken row's recomputed hash taken from the fill's statement: ${skippedPastBreak}`);
});

test("the demo's tenants, one tampered, synced a second time with nothing new: no row's hash is computed again, and the report is the read-back one", { timeout: 300_000 }, async () => {
  const { tenants, tamperedTenant } = source.demo.groundTruth;
  for (const bulk of [false, true]) {
    await source.twoCaches(async (a, b) => {
      await withBulk(bulk, async () => {
        await sync(a, tenants, new FetchedChains());
        await sync(b, tenants, 'read-back');
      });
      const kept = new FetchedChains();
      const fromKept = await sync(a, tenants, kept);
      const readBack = await sync(b, tenants, 'read-back');
      assert.equal(fromKept.report!.verdict, 'broken', 'the tampered tenant is found');
      assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!), `bulk: ${bulk}`);
      for (const t of tenants) {
        const c = kept.of(1, t)!;
        assert.equal(c.fed, true, `${t}: verified from the recheck's rows`);
        assert.equal(c.skippedHashes, c.rows, `${t}, bulk ${bulk}: every row's hash was taken from the first fill's statement`);
        if (t === tamperedTenant) {
          assert.ok(c.skippedExceptions >= 1, `${t}: the modified row's recomputed hash came from the statement`);
          // The fill's rows, values and digests, are those it stored: the broken chain's rows need no digest check.
          const lastSeq = fromKept.report!.tenants.find((r) => r.tenant === t)!.lastSeq;
          assert.equal(String(c.asStoredThrough()), String(lastSeq), `${t}, bulk ${bulk}: no row the fill stored is digested again`);
        }
      }
    });
  }
});

test('a tenant with time zones, nested JSON, inet, numerics and unknown columns: the fill states its rows in their cached form, so the second sync skips them all', { timeout: 300_000 }, async () => {
  await createRichTenant(source.demo.adminUrl, source.demo.url, 2000);
  await asAdmin(source.demo.adminUrl, async (admin) => {
    await admin.query(`UPDATE ${RICH_TABLE} SET amount = amount + 1 WHERE seq = 700`);
    await admin.query(`DELETE FROM ${RICH_TABLE} WHERE seq = 1200`);
  });
  for (const bulk of [false, true]) {
    await source.twoCaches(async (a, b) => {
      // PostgreSQL prints created_at as `2026-01-01 00:00:01.5+00`; the cache stores `2026-01-01T00:00:01.500000Z`.
      await withBulk(bulk, async () => {
        await sync(a, [RICH_TENANT], new FetchedChains(), { mapping: RICH_MAPPING });
        await sync(b, [RICH_TENANT], 'read-back', { mapping: RICH_MAPPING });
      });
      const kept = new FetchedChains();
      const fromKept = await sync(a, [RICH_TENANT], kept, { mapping: RICH_MAPPING });
      const readBack = await sync(b, [RICH_TENANT], 'read-back', { mapping: RICH_MAPPING });
      assert.equal(readBack.report!.verdict, 'broken');
      assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!), `bulk: ${bulk}`);
      const c = kept.of(1, RICH_TENANT)!;
      assert.equal(c.fed, true, 'verified from the recheck');
      assert.equal(c.skippedHashes, c.rows, `bulk ${bulk}: the fill's statement covered every row`);
    });
  }
});

test(
  "a broken chain's row damaged in the cache after the fill, its digest or a value: the second sync skips the hashes as it reads, finds the content changed and names the damaged row",
  { timeout: 120_000 },
  async () => {
    // The fill's statement spares the second sync the digest check only while the content
    // it covers, every value and digest, is still what the fill stored.
    const edits = { digest: `UPDATE records SET digest = 'damaged' WHERE seq = 7`, value: `UPDATE records SET severity = 'edited here' WHERE seq = 7` };
    for (const [what, edit] of Object.entries(edits)) {
      const tenant = `damaged-after-fill-${what}`;
      await source.insert(tenant, damage(chain(30, 3, tenant), [{ kind: 'forge', at: 20 }]));
      const db = source.newCache();
      try {
        const first = new FetchedChains();
        assert.equal((await sync(db, [tenant], first, { mapping })).report!.verdict, 'broken');
        assert.equal(first.of(1, tenant)!.fed, true);
        db.prepare(edit).run();
        const kept = new FetchedChains();
        await assert.rejects(sync(db, [tenant], kept, { mapping }), (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /seq 7\b/.test(e.message), what);
        assert.equal(kept.of(1, tenant)!.skippedHashes, 30, `${what}: the fill's statement was used for the hashes`);
        assert.equal(kept.of(1, tenant)!.fed, false, `${what}: the content did not match: read back`);
      } finally {
        db.close();
      }
    }
  },
);

test(
  "a cached row edited with its digest after the fill, so the recheck finds the source's row: the fill's statement no longer matches and the row is reported modified",
  { timeout: 120_000 },
  async () => {
    const tenant = 'edited-after-fill';
    await source.insert(tenant, chain(30, 3, tenant));
    const db = source.newCache();
    const fresh = source.newCache();
    try {
      assert.equal((await sync(db, [tenant], new FetchedChains(), { mapping })).report!.verdict, 'intact');
      await asAdmin(source.demo.adminUrl, (admin) => admin.query(`UPDATE ${TABLE} SET severity = 'quietly edited' WHERE tenant_id = $1 AND seq = 12`, [tenant]));
      // The edited row as a sync caches it, copied into the first cache: cache and source now agree.
      await sync(fresh, [tenant], 'read-back', { mapping });
      const edited = fresh.prepare('SELECT severity, digest FROM records WHERE seq = 12').get() as { severity: string; digest: string };
      db.prepare('UPDATE records SET severity = ?, digest = ? WHERE seq = 12').run(edited.severity, edited.digest);
      const kept = new FetchedChains();
      const second = await sync(db, [tenant], kept, { mapping });
      assert.equal(second.summary.changes.length, 0, 'the recheck found the cache as the source');
      assert.deepEqual(
        second.report!.tenants[0]!.breaks.map((b) => `${b.kind}@${b.seq}`),
        ['modified@12'],
      );
      assert.equal(kept.of(1, tenant)!.fed, false, 'the content did not match: read back');
    } finally {
      db.close();
      fresh.close();
    }
  },
);
