// A later sync's verdict takes the chain from the recheck's read of the cache (issue 17,
// goal 3): the recheck reads and hashes every cached row to compare it with the source,
// so it hands each row, this sync's new ones included, to the verdict, which then need
// not read the chain a second time. It must be the report reading the cache back gives,
// to the byte: on random damaged chains split at a random row into a first and a second
// sync, with the source edited between them or not, and on the demo's tenants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { scratchDir } from '../helpers/scratch.js';
import { asAdmin } from '../helpers/source-edit.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { chainedTableSource, comparableReport, smallPages } from '../helpers/chained-table.js';
import { chain, damage, damageArb } from '../helpers/damaged-chains.js';
import type { CacheDb } from '../../src-main/core/cache/open.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { syncAndCheckpoint, type SyncAndCheckpointOptions } from '../../src-main/core/verify/sync-verdict.js';
import { FETCHED_ROWS_BUDGET, FetchedChains, ODD_ROWS_LIMIT } from '../../src-main/core/verify/fetched-chain.js';
import { parseProfile } from '../../src-main/core/chain/profile-file.js';
import { ChainContentDigest } from '../../src-main/core/verify/hashed-rows.js';
import { loadOrCreateAuditorKey, signText } from '../../src-main/core/identity/auditor-key.js';
import { cachedRows } from '../../src-main/core/sync/index.js';
import type { MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import type { TableMapping } from '../../src-main/core/source/discover.js';

const TABLE = 'rechecked_audit_logs';
const mapping: TableMapping = { events: TABLE };
const source = chainedTableSource(TABLE, 'auditdesk-verdict-from-recheck-');

function sync(db: CacheDb, tenants: string[], verdictRows: FetchedChains | 'read-back', extra: Partial<SyncAndCheckpointOptions> = {}) {
  return syncAndCheckpoint(source.session, db, { tenants, kinds: ['events'], key: testAuditorKey(), cachePath: db.name, verdictRows, ...extra });
}

test('random damaged chains split into three syncs: each later verdict from the recheck (skipping rows an earlier one hashed) is the read-back one', { timeout: 900_000 }, async () => {
  let fromRecheck = 0;
  let skipped = 0;
  let skippedPastBreak = 0;
  let treeTakenAfterGrowth = 0;
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 50 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.array(damageArb, { maxLength: 4 }),
      fc.oneof({ arbitrary: fc.constant('none'), weight: 4 }, { arbitrary: fc.constantFrom('before second', 'before third'), weight: 2 }),
      async (n, cut1, cut2, list, editAt) => {
        const tenant = `r${++runs}`;
        const rows = damage(chain(n, 3, tenant), list);
        const k1 = Math.max(1, Math.min(rows.length, Math.round(cut1 * rows.length)));
        const k2 = k1 + Math.round(cut2 * (rows.length - k1));
        // A row edited at the source between two syncs: the recheck fetches it again and the chain is read back.
        const edit = () => asAdmin(source.demo.adminUrl, (admin) => admin.query(`UPDATE ${TABLE} SET severity = 'edited between syncs' WHERE tenant_id = $1 AND id = $2`, [tenant, rows[0]!.id]));
        await source.insert(tenant, rows.slice(0, k1));
        await source.twoCaches(async (a, b) => {
          await sync(a, [tenant], 'read-back', { mapping });
          await sync(b, [tenant], 'read-back', { mapping });
          for (const [later, part, editFirst] of [
            ['second', rows.slice(k1, k2), editAt === 'before second'],
            ['third', rows.slice(k2), editAt === 'before third'],
          ] as const) {
            if (editFirst) await edit();
            await source.insert(tenant, part);
            const kept = smallPages();
            const fromKept = await sync(a, [tenant], kept, { mapping });
            const readBack = await sync(b, [tenant], 'read-back', { mapping });
            assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!), JSON.stringify({ later, n, k1, k2, list, editAt }));
            const chainKept = kept.of(1, tenant);
            if (chainKept?.fed) {
              assert.equal(chainKept.readFrom, 'cache');
              assert.equal(editFirst, false, 'a chain the recheck fetched again is read back');
              fromRecheck++;
              if (chainKept.skippedHashes > 0) skipped++;
              // Rows past a break, the broken ones too, are skipped when the statement lists how they hashed.
              if (chainKept.skippedExceptions > 0) skippedPastBreak++;
              // The cache's checkpoints are compared by their head, so a chain that grew takes the seal's tree too.
              if (chainKept.sealedTreeTaken && part.length > 0) treeTakenAfterGrowth++;
            }
          }
        });
      },
    ),
    { numRuns: 30, seed: 1406 },
  );
  // Chains whose seqs stay in order and were not edited before a sync (most of them) came from the recheck,
  // and a third sync after an intact second one skipped the rows the second one hashed.
  assert.ok(fromRecheck >= 20, `verified from the recheck's rows: ${fromRecheck} of 60 later syncs`);
  assert.ok(skipped >= 6, `verified skipping rows an earlier verdict hashed: ${skipped}`);
  assert.ok(skippedPastBreak >= 1, `skipping rows up to a modified row and past it: ${skippedPastBreak}`);
  assert.ok(treeTakenAfterGrowth >= 3, `the seal's tree taken for an intact chain that grew: ${treeTakenAfterGrowth}`);
});

test("the demo's tenants, one tampered, synced again with nothing new: the same report from the recheck's rows as read back", { timeout: 300_000 }, async () => {
  const tenants = source.demo.groundTruth.tenants;
  await source.twoCaches(async (a, b) => {
    await sync(a, tenants, new FetchedChains());
    await sync(b, tenants, new FetchedChains());
    const kept = smallPages();
    const fromKept = await sync(a, tenants, kept);
    const readBack = await sync(b, tenants, 'read-back');
    assert.equal(fromKept.report!.verdict, 'broken', 'the tampered tenant is found');
    assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!));
    assert.deepEqual(
      tenants.filter((t) => kept.of(1, t)?.fed),
      tenants,
      "every demo chain was verified from the recheck's rows",
    );
    // Nothing new since the last checkpoint: an intact chain's tree is the one the seal just built.
    assert.deepEqual(
      tenants.filter((t) => kept.of(1, t)?.sealedTreeTaken),
      tenants.filter((t) => t !== source.demo.groundTruth.tamperedTenant),
      "the seal's tree taken for each intact chain, not for the tampered one",
    );
  });
});

test(
  "the demo's tenants synced a third time: no row's hash is computed again, the tampered tenant's broken rows included, and the report is still the read-back one",
  { timeout: 300_000 },
  async () => {
    const { tenants, tamperedTenant } = source.demo.groundTruth;
    await source.twoCaches(async (a, b) => {
      for (let i = 0; i < 2; i++) {
        await sync(a, tenants, new FetchedChains());
        await sync(b, tenants, 'read-back');
      }
      const kept = new FetchedChains();
      const fromKept = await sync(a, tenants, kept);
      const readBack = await sync(b, tenants, 'read-back');
      assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!));
      const tampered = fromKept.report!.tenants.find((t) => t.tenant === tamperedTenant)!;
      assert.ok(tampered.breaks.length >= 2, `the planted breaks are reported: ${tampered.breaks.map((x) => `${x.kind}@${x.seq}`).join(' ')}`);
      for (const t of tenants) {
        const chain = kept.of(1, t)!;
        assert.equal(chain.fed, true, `${t}: verified from the recheck's rows`);
        // The second verdict's statement lists the rows whose recomputed hash was not the stored one.
        assert.equal(chain.skippedHashes, chain.rows, `${t}: every row's hash was taken from the statement`);
        if (t === tamperedTenant) assert.ok(chain.skippedExceptions >= 1, `${t}: the modified row's recomputed hash came from the statement`);
      }
    });
  },
);

test('a second writer that edits a cached row after the recheck read it: the chain is read back and the damage named, never "intact"', { timeout: 120_000 }, async () => {
  const tenant = 'second-writer';
  await source.insert(tenant, chain(30, 3, tenant));
  const db = source.newCache();
  const path = db.name;
  try {
    await sync(db, [tenant], 'read-back', { mapping });
    const kept = new FetchedChains();
    let edited = false;
    const run = sync(db, [tenant], kept, {
      mapping,
      onProgress: (p) => {
        // Another process with the file open edits a row once the recheck has read it.
        if (p.phase !== 'sealing' || edited) return;
        const other = new Database(path);
        other.prepare(`UPDATE records SET severity = 'edited elsewhere' WHERE seq = 12`).run();
        other.close();
        edited = true;
      },
    });
    await assert.rejects(run, (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /seq 12/.test(e.message));
    assert.ok(edited);
    assert.equal(kept.of(1, tenant)?.readFrom, 'cache', "the recheck's rows were kept");
    assert.equal(kept.of(1, tenant)?.fed, false, 'read back, not taken from the recheck');
  } finally {
    db.close();
  }
});

test("a chain broken at the source whose cached row no longer matches its stored digest: the recheck's rows are checked against the digests as a read-back's are", { timeout: 120_000 }, async () => {
  // The recheck compares values with the source, so a damaged digest column passes it;
  // the breaks then come from the file, and the file must be shown to be as synced.
  const tenant = 'damaged-digest';
  await source.insert(tenant, damage(chain(30, 3, tenant), [{ kind: 'forge', at: 20 }]));
  await source.twoCaches(async (a, b) => {
    for (const db of [a, b]) {
      await sync(db, [tenant], 'read-back', { mapping });
      db.prepare(`UPDATE records SET digest = 'damaged' WHERE seq = 12`).run();
    }
    const kept = new FetchedChains();
    for (const [db, rows] of [
      [a, kept],
      [b, 'read-back'],
    ] as const) {
      await assert.rejects(sync(db, [tenant], rows, { mapping }), (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /seq 12/.test(e.message), String(rows));
    }
    assert.equal(kept.of(1, tenant)?.fed, true, "the chain came from the recheck's rows");
  });
});

test("a broken chain's digests found matching by one verdict are not checked again by the next, unless a row or its digest changed since", { timeout: 120_000 }, async () => {
  const tenant = 'digests-checked';
  await source.insert(tenant, damage(chain(30, 3, tenant), [{ kind: 'forge', at: 20 }]));
  await source.twoCaches(async (a, b) => {
    for (const db of [a, b]) {
      await sync(db, [tenant], 'read-back', { mapping });
      // From the recheck's read: the broken chain's rows are checked against their digests, and the statement says so.
      await sync(db, [tenant], new FetchedChains(), { mapping });
    }
    const kept = new FetchedChains();
    const third = await sync(a, [tenant], kept, { mapping });
    assert.equal(third.report!.verdict, 'broken');
    assert.equal(kept.of(1, tenant)!.asStoredThrough(), 30n, 'every row was checked by the second verdict and is unchanged');
    // The digest column damaged after that verdict: the statement no longer matches, every row is checked again.
    b.prepare(`UPDATE records SET digest = 'damaged' WHERE seq = 12`).run();
    const again = new FetchedChains();
    await assert.rejects(sync(b, [tenant], again, { mapping }), (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /seq 12/.test(e.message));
    assert.equal(again.of(1, tenant)!.asStoredThrough(), null);
  });
});

test('digests are taken as checked only from a statement that says so: a digest damaged while the chain was intact is found once the chain breaks', { timeout: 120_000 }, async () => {
  const tenant = 'checked-once-broken';
  const rows = damage(chain(30, 3, tenant), [{ kind: 'forge', at: 25 }]);
  await source.insert(tenant, rows.slice(0, 20));
  const db = source.newCache();
  try {
    await sync(db, [tenant], 'read-back', { mapping });
    db.prepare(`UPDATE records SET digest = 'damaged' WHERE seq = 5`).run();
    // Intact: no row's digest is checked, so the statement this verdict records does not say they were.
    assert.equal((await sync(db, [tenant], new FetchedChains(), { mapping })).report!.verdict, 'intact');
    await source.insert(tenant, rows.slice(20));
    const kept = new FetchedChains();
    await assert.rejects(sync(db, [tenant], kept, { mapping }), (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /seq 5\b/.test(e.message));
    assert.ok(kept.of(1, tenant)!.skippedHashes > 0, 'the statement was used for the hashes');
  } finally {
    db.close();
  }
});

test(
  'a row edited at the source and in the cache alike, after a verdict recorded that it hashed as stored: found, unless the statement is re-signed with the auditor key itself',
  { timeout: 300_000 },
  async () => {
    // Someone who controls the source and the cache file makes the cache agree with the
    // edited source (value and digest), so the recheck finds nothing to fetch. The signed
    // statement is what is left between them and an "intact" verdict.
    const tenant = 'rewritten';
    const rows = chain(30, 3, tenant);
    await source.insert(tenant, rows);
    const cases = ['statement left as it was', 'statement re-signed with another key', 'statement re-signed with the auditor key'] as const;
    const dbs = cases.map(() => source.newCache());
    try {
      for (const db of dbs) {
        await sync(db, [tenant], 'read-back', { mapping });
        const second = await sync(db, [tenant], new FetchedChains(), { mapping });
        assert.equal(second.report!.verdict, 'intact');
        assert.equal(db.prepare('SELECT count(*) FROM chain_hashed_rows').pluck().get() as number, 1, 'the second verdict recorded the rows it hashed');
      }
      await asAdmin(source.demo.adminUrl, (admin) => admin.query(`UPDATE ${TABLE} SET severity = 'quietly edited' WHERE tenant_id = $1 AND seq = 12`, [tenant]));
      // The edited row as a sync caches it (value and digest), from a fresh cache of the edited source.
      const fresh = source.newCache();
      await sync(fresh, [tenant], 'read-back', { mapping });
      const edited = fresh.prepare('SELECT severity, digest FROM records WHERE seq = 12').get() as { severity: string; digest: string };
      fresh.close();
      const other = loadOrCreateAuditorKey(join(scratchDir('auditdesk-other-key-'), 'data'));
      for (const [i, db] of dbs.entries()) {
        db.prepare('UPDATE records SET severity = ?, digest = ? WHERE seq = 12').run(edited.severity, edited.digest);
        if (cases[i] !== 'statement left as it was') {
          const content = new ChainContentDigest();
          const t = db.prepare('SELECT table_id, columns_json FROM source_tables').get() as { table_id: number; columns_json: string };
          for (const r of cachedRows(db, 'events', t.table_id, tenant, JSON.parse(t.columns_json) as MappedColumn[])) content.add(r.values, r.digest);
          const old = db.prepare('SELECT statement FROM chain_hashed_rows').pluck().get() as string;
          const statement = JSON.stringify({ ...(JSON.parse(old) as object), content: content.current() });
          const signer = cases[i] === 'statement re-signed with the auditor key' ? testAuditorKey() : other;
          // The auditor key's id either way: only the signature tells them apart.
          db.prepare('UPDATE chain_hashed_rows SET statement = ?, signature = ?').run(statement, signText(signer, statement));
        }
      }
      const verdicts = [];
      for (const db of dbs) {
        const kept = new FetchedChains();
        const third = await sync(db, [tenant], kept, { mapping });
        assert.equal(third.summary.changes.length, 0, 'the recheck found the cache as the source');
        verdicts.push([third.report!.verdict, third.report!.tenants[0]!.breaks.map((b) => `${b.kind}@${b.seq}`).join(' '), kept.of(1, tenant)!.skippedHashes > 0]);
      }
      assert.deepEqual(verdicts, [
        ['broken', 'modified@12', true], // skipped while reading, then the content did not match: read back
        ['broken', 'modified@12', false],
        ['intact', '', true], // the stated limit: whoever holds the auditor key can vouch for any rows
      ]);
    } finally {
      for (const db of dbs) db.close();
    }
  },
);

test('a statement of rows hashed as stored holds for its profile only: a sync under another profile hashes every row again', { timeout: 120_000 }, async () => {
  const tenant = 'reprofiled';
  await source.insert(tenant, chain(20, 3, tenant));
  const other = { all: parseProfile({ name: 'pipe-separated', separator: '|' }) };
  await source.twoCaches(async (a, b) => {
    for (const db of [a, b]) {
      await sync(db, [tenant], 'read-back', { mapping });
      await sync(db, [tenant], new FetchedChains(), { mapping });
    }
    const kept = new FetchedChains();
    const fromKept = await sync(a, [tenant], kept, { mapping, profiles: other });
    const readBack = await sync(b, [tenant], 'read-back', { mapping, profiles: other });
    assert.equal(readBack.report!.verdict, 'broken', 'under the other profile no row hashes as stored');
    assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!));
    assert.equal(kept.of(1, tenant)!.skippedHashes, 0);
  });
});

test(
  'a chain damaged on more rows than a statement lists is recorded up to the first row past the limit: the next sync hashes from there, with the read-back report',
  { timeout: 120_000 },
  async () => {
    const tenant = 'many-exceptions';
    // Four edited rows (places 4, 9, 14, 19), each a recomputed hash that is not the stored one.
    await source.insert(
      tenant,
      damage(
        chain(24, 3, tenant),
        [4, 9, 14, 19].map((at) => ({ kind: 'edit' as const, at })),
      ),
    );
    const listing = (n: number) => new FetchedChains({ rows: FETCHED_ROWS_BUDGET, oddRows: ODD_ROWS_LIMIT, hashExceptions: n });
    await source.twoCaches(async (a, b) => {
      await sync(a, [tenant], 'read-back', { mapping });
      await sync(b, [tenant], 'read-back', { mapping });
      await sync(a, [tenant], listing(2), { mapping });
      await sync(b, [tenant], 'read-back', { mapping });
      const kept = listing(2);
      const fromKept = await sync(a, [tenant], kept, { mapping });
      const readBack = await sync(b, [tenant], 'read-back', { mapping });
      assert.equal(comparableReport(fromKept.report!), comparableReport(readBack.report!));
      assert.deepEqual(
        readBack.report!.tenants[0]!.breaks.map((x) => `${x.kind}@${x.seq}`),
        ['modified@5', 'modified@10', 'modified@15', 'modified@20'],
      );
      const chainKept = kept.of(1, tenant)!;
      // Two exceptions listed: the statement ends before the third edited row (place 14).
      assert.equal(chainKept.skippedHashes, 14);
      assert.equal(chainKept.skippedExceptions, 2);
    });
  },
);
