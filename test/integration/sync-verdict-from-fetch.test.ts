// The verdict at the end of a first fill is computed from the rows as they were fetched
// (issue 17, goal 3), not by reading the chain back. It must be the report reading the
// cache back gives, to the byte: on random chains with random damage written into a real
// PostgreSQL table, and on the demo's tampered tenant, row by row and in bulk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { asAdmin } from '../helpers/source-edit.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import type { SourceRow } from '../helpers/cache-fixture.js';
import { chainedTableSource, comparableReport, smallPages, withBulk } from '../helpers/chained-table.js';
import { chain, damage, damageArb, payload, valuesOf } from '../helpers/damaged-chains.js';
import { chainHash } from '../../src-main/core/chain/hash.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { syncAndCheckpoint, type SyncAndCheckpointOptions } from '../../src-main/core/verify/sync-verdict.js';
import { FetchedChains } from '../../src-main/core/verify/fetched-chain.js';
import type { TableMapping } from '../../src-main/core/source/discover.js';
import { createRichTenant, RICH_MAPPING, RICH_TABLE, RICH_TENANT } from '../bench/rich-tenant.js';

const TABLE = 'chained_audit_logs';
let runs = 0;
const source = chainedTableSource(TABLE, 'auditdesk-verdict-from-fetch-');

/** Row k carries a JSON number a double cannot hold, hashed into the chain: the report names it as unprotected. */
function withUnprotectedValue(rows: SourceRow[], k: number): SourceRow[] {
  let prev = k < rows.length && k > 0 ? rows[k - 1]!.hash! : '0'.repeat(64);
  return rows.map((r, i) => {
    if (i < k) return r;
    const row: SourceRow = { ...r, prev_hash: prev, action_details: i === k ? '{"amount": 12345678901234567890.123}' : r.action_details };
    row.hash = chainHash(prev, payload(valuesOf(row)));
    prev = row.hash;
    return row;
  });
}

/** One sync into a fresh cache; the verdict from the fetched rows, or read back. */
async function verdictOf(tenants: string[], from: 'fetch' | 'read-back', extra: Partial<SyncAndCheckpointOptions> = {}, kept = new FetchedChains()) {
  const db = openCache(join(source.dir, `cache-${++runs}.sqlite`));
  try {
    const { report } = await syncAndCheckpoint(source.session, db, {
      tenants,
      kinds: ['events'],
      key: testAuditorKey(),
      cachePath: db.name,
      verdictRows: from === 'fetch' ? kept : 'read-back',
      ...extra,
    });
    return { report: report!, kept };
  } finally {
    db.close();
  }
}

test('random damaged chains: the verdict from the fetched rows is the read-back one, row by row and in bulk', { timeout: 600_000 }, async () => {
  const mapping: TableMapping = { events: TABLE };
  let fromFetch = 0;
  let treeTaken = 0;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.array(damageArb, { maxLength: 4 }), fc.boolean(), async (n, list, bulk) => {
      const tenant = `t${runs}`;
      await source.insert(tenant, damage(withUnprotectedValue(chain(n, 3, tenant), 7), list));
      // Pages of 7 rows: every chain but the shortest crosses pages (a sync keeps 65,536 rows a page).
      const [fetched, readBack] = await withBulk(bulk, async () => [await verdictOf([tenant], 'fetch', { mapping }, smallPages()), await verdictOf([tenant], 'read-back', { mapping })]);
      assert.equal(comparableReport(fetched.report), comparableReport(readBack.report), JSON.stringify({ n, list, bulk }));
      if (fetched.kept.of(1, tenant)?.fed) fromFetch++;
      if (fetched.kept.of(1, tenant)?.sealedTreeTaken) treeTaken++;
    }),
    { numRuns: 25, seed: 1217 },
  );
  assert.ok(treeTaken >= 3, `the seal's tree taken for chains linked without a break: ${treeTaken} of 25`);
  // Chains whose seqs stay in order (most of them) were verified from the fetch.
  assert.ok(fromFetch >= 10, `verified from the fetched rows: ${fromFetch} of 25`);
});

test("the demo's tenants, one tampered: the same report from the fetched rows as read back, row by row and in bulk", { timeout: 300_000 }, async () => {
  const tenants = source.demo.groundTruth.tenants;
  for (const bulk of [false, true]) {
    const [fetched, readBack] = await withBulk(bulk, async () => [await verdictOf(tenants, 'fetch', {}, smallPages()), await verdictOf(tenants, 'read-back')]);
    assert.equal(fetched.report.verdict, 'broken', 'the tampered tenant is found');
    assert.equal(comparableReport(fetched.report), comparableReport(readBack.report), `bulk: ${bulk}`);
    const kept = tenants.filter((t) => fetched.kept.of(1, t)?.fed);
    assert.deepEqual(kept, tenants, 'every demo chain was verified from the fetched rows');
    assert.deepEqual(
      tenants.filter((t) => fetched.kept.of(1, t)?.sealedTreeTaken),
      tenants.filter((t) => t !== source.demo.groundTruth.tamperedTenant),
      "the seal's tree taken for each intact chain, not for the tampered one",
    );
  }
});

test('a tenant with nested JSON, inet, numerics, arrays and unknown columns, edited and cut at the source: the same report both ways', { timeout: 300_000 }, async () => {
  await createRichTenant(source.demo.adminUrl, source.demo.url, 3000);
  await asAdmin(source.demo.adminUrl, async (admin) => {
    await admin.query(`UPDATE ${RICH_TABLE} SET amount = amount + 1 WHERE seq = 700`);
    await admin.query(`UPDATE ${RICH_TABLE} SET device = '{"os": "edited", "n": 1.10}' WHERE seq = 1500`);
    await admin.query(`DELETE FROM ${RICH_TABLE} WHERE seq = 2200`);
    // A number JSON cannot hold exactly: the report names what the profile cannot protect.
    await admin.query(`UPDATE ${RICH_TABLE} SET action_details = '{"amount": 12345678901234567890.123}' WHERE seq = 2600`);
  });
  for (const bulk of [false, true]) {
    const [fetched, readBack] = await withBulk(bulk, async () => [
      await verdictOf([RICH_TENANT], 'fetch', { mapping: RICH_MAPPING }),
      await verdictOf([RICH_TENANT], 'read-back', { mapping: RICH_MAPPING }),
    ]);
    assert.equal(fetched.report.verdict, 'broken');
    assert.equal(comparableReport(fetched.report), comparableReport(readBack.report), `bulk: ${bulk}`);
    assert.ok(fetched.kept.of(1, RICH_TENANT)?.fed, 'verified from the fetched rows');
  }
});

test('a fill larger than the rows kept, or damaged on more rows than are kept, is read back: the same report, not a partial one', { timeout: 120_000 }, async () => {
  const mapping: TableMapping = { events: TABLE };
  await source.insert('big', chain(40, 3, 'big'));
  await source.insert(
    'damaged',
    damage(chain(40, 3, 'damaged'), [
      { kind: 'forge', at: 3 },
      { kind: 'forge', at: 9 },
      { kind: 'edit', at: 20 },
    ]),
  );
  const cases = [
    { tenant: 'big', limits: { rows: 30, oddRows: 100 }, why: /larger than the rows kept/ },
    { tenant: 'damaged', limits: { rows: 1000, oddRows: 2 }, why: /more rows are damaged/ },
  ];
  for (const { tenant, limits, why } of cases) {
    const readBack = await verdictOf([tenant], 'read-back', { mapping });
    const kept = new FetchedChains(limits);
    const fetched = await verdictOf([tenant], 'fetch', { mapping }, kept);
    assert.equal(comparableReport(fetched.report), comparableReport(readBack.report), tenant);
    assert.match(kept.of(1, tenant)?.dropped ?? '', why);
    assert.equal(kept.of(1, tenant)?.fed, false, `${tenant}: read back`);
  }
});

test('a second writer that edits a cached row between the fill and the verdict: the row is read back and the damage named, never "intact"', { timeout: 120_000 }, async () => {
  const mapping: TableMapping = { events: TABLE };
  await source.insert('second-writer', chain(30, 3, 'second-writer'));
  const path = join(source.dir, `cache-${++runs}.sqlite`);
  const db = openCache(path);
  const kept = new FetchedChains();
  let edited = false;
  try {
    const run = syncAndCheckpoint(source.session, db, {
      tenants: ['second-writer'],
      mapping,
      kinds: ['events'],
      key: testAuditorKey(),
      cachePath: path,
      verdictRows: kept,
      onProgress: (p) => {
        // Another process with the file open edits a row once the rows are written.
        if (p.phase !== 'sealing' || edited) return;
        const other = new Database(path);
        other.prepare(`UPDATE records SET severity = 'edited elsewhere' WHERE seq = 12`).run();
        other.close();
        edited = true;
      },
    });
    await assert.rejects(run, (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /seq 12/.test(e.message));
    assert.ok(edited);
    assert.equal(kept.of(1, 'second-writer')?.fed, false, 'read back, not taken from the fetch');
  } finally {
    db.close();
  }
});
