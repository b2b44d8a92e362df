// A first fill's seal and signed checkpoint are taken from the rows as they are fetched
// (issue 17: no read-back of the cache). Whatever the chain holds, they must be exactly
// what reading the cache back gives, or a later verification would compare against a
// root nobody can recompute. The chains here are ones a real source can hold: NULL and
// equal seqs, gaps and negative seqs, hashes that are not lowercase hex, of two widths.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { asAdmin } from '../helpers/source-edit.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { latestSeal, writeSeal } from '../../src-main/core/sync/index.js';
import { syncAndCheckpoint } from '../../src-main/core/verify/sync-verdict.js';
import { listCheckpoints } from '../../src-main/core/verify/checkpoints.js';
import { chainLeavesOf } from '../../src-main/core/verify/tlog-evidence.js';
import { listCachedChains } from '../../src-main/core/verify/adapters.js';

const TABLE = 'odd_audit_logs';
const sha256 = (n: number) => `encode(sha256(('r' || ${n})::bytea), 'hex')`;
const sha512 = (n: number) => `encode(sha512(('r' || ${n})::bytea), 'hex')`;

/** Each tenant is one shape of chain: rows as (seq, hash SQL). */
const CHAINS: Record<string, [seq: number | string | null, hash: string][]> = {
  'in-order': Array.from({ length: 40 }, (_, i) => [i + 1, sha256(i)]),
  'gaps-and-negative': [-7, -3, 0, 2, 3, 10, 11, 500, '9007199254740993'].map((s, i) => [s, sha256(i)]),
  'null-seq': [...Array.from({ length: 20 }, (_, i): [number, string] => [i + 1, sha256(i)]), [null, sha256(90)], [null, sha256(91)]],
  'equal-seq': Array.from({ length: 20 }, (_, i) => [i === 9 ? 9 : i + 1, sha256(i)]),
  'odd-hashes': Array.from({ length: 30 }, (_, i) => [i + 1, i % 7 === 3 ? `upper(${sha256(i)})` : i % 7 === 5 ? `'not-a-hash'` : i % 11 === 4 ? 'NULL' : i % 5 === 2 ? sha512(i) : sha256(i)]),
  'wide-first': Array.from({ length: 25 }, (_, i) => [i + 1, i % 3 === 1 ? sha256(i) : sha512(i)]),
  'no-leaf': Array.from({ length: 5 }, (_, i) => [i + 1, `'zz'`]),
};

let demo: DemoDb;
let dir: string;

before(async () => {
  demo = await startDemoDb();
  dir = scratchDir('auditdesk-checkpoint-from-fill-');
  await asAdmin(demo.adminUrl, async (admin) => {
    await admin.query(`
      CREATE TABLE ${TABLE} (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(), seq bigint, tenant_id text NOT NULL, event_type text NOT NULL,
        severity text, created_at timestamptz NOT NULL, prev_hash text, hash text);
      GRANT SELECT ON ${TABLE} TO auditor_ro;`);
    let n = 0;
    for (const [tenant, rows] of Object.entries(CHAINS)) {
      for (const [seq, hash] of rows) {
        n++;
        await admin.query(
          `INSERT INTO ${TABLE} (seq, tenant_id, event_type, severity, created_at, prev_hash, hash)
                           VALUES (${seq === null ? 'NULL' : `${seq}::bigint`}, $1, 'read', 'info', '2026-01-01'::timestamptz + ${n} * interval '1 s', NULL, ${hash})`,
          [tenant],
        );
      }
    }
  });
});

after(async () => {
  await demo?.stop();
});

/** size and root of a signed-note checkpoint ("origin\nsize\nroot\n\n— signature"). */
function treeOfNote(note: string): { size: string; root: string } {
  const [, size, root] = note.split('\n');
  return { size: size!, root: root! };
}

function expectFromReadBack(db: CacheDb, tenant: string) {
  const chain = listCachedChains(db, [tenant]).find((c) => c.name === TABLE)!;
  const seal = latestSeal(db, chain.tableId, tenant)!;
  // The same seal read back from the cache, as a sync that did not fetch the rows writes it.
  const readBack = db.transaction(() => writeSeal(db, { kind: 'events', tableId: chain.tableId, tenant, columns: chain.columns, syncId: seal.syncId, sourceFingerprint: seal.sourceFingerprint }))();
  const leaves = seal.headSeq === null ? null : chainLeavesOf(db, chain, BigInt(seal.headSeq)).leaves;
  return { chain, seal, readBack, leaves };
}

/** The newest of the `syncs` sync checkpoints of the tenant signs the tree its cached chain gives (or none, with no leaf). */
function assertCheckpointAsReadBack(db: CacheDb, tenant: string, syncs: number, leaves = expectFromReadBack(db, tenant).leaves): void {
  const recorded = listCheckpoints(db, { tableName: TABLE, tenantId: tenant }, testAuditorKey().publicKeyRaw).filter((c) => c.origin === 'sync');
  assert.equal(recorded.length, syncs, `${tenant}: one sync checkpoint per sync`);
  const note = recorded.sort((a, b) => a.checkpointId - b.checkpointId).at(-1)!.note;
  if (!leaves || leaves.size === 0) return assert.equal(note, null, `${tenant}: no leaf, so no tree to sign`);
  assert.deepEqual(treeOfNote(note!), { size: String(leaves.size), root: leaves.tree().root().toString('base64') }, `${tenant}: sync ${syncs} signed the tree the cached chain gives`);
}

for (const mode of ['row by row', 'bulk'] as const) {
  test(`${mode}: every seal and sync checkpoint equals the one read back from the cache`, { timeout: 120_000 }, async () => {
    const saved = process.env.AUDITDESK_SYNC_BULK_MIN_ROWS;
    process.env.AUDITDESK_SYNC_BULK_MIN_ROWS = mode === 'bulk' ? '1' : '100000000';
    const session = await connectSource(demo.url);
    const db = openCache(join(dir, `${mode.replace(/ /g, '-')}.sqlite`));
    try {
      const tenants = Object.keys(CHAINS);
      const key = testAuditorKey();
      const fromTheFetch: string[] = [];
      const options = { tenants, mapping: { events: TABLE }, kinds: ['events' as const], key, cachePath: db.name, verdict: false };
      await syncAndCheckpoint(session, db, { ...options, onChainTree: (c) => c.from === 'fetched rows' && fromTheFetch.push(c.tenant) });
      // The chains in strict seq order with a leaf skip the read-back; the others are read back.
      assert.deepEqual(fromTheFetch.sort(), ['gaps-and-negative', 'in-order', 'odd-hashes', 'wide-first']);
      for (const tenant of tenants) {
        const { seal, readBack, leaves } = expectFromReadBack(db, tenant);
        const fields = (s: typeof seal) => ({ rowCount: s.rowCount, merkleRoot: s.merkleRoot, firstKey: s.firstKey, lastKey: s.lastKey, headSeq: s.headSeq, headHash: s.headHash });
        assert.deepEqual(fields(seal), fields(readBack), `${tenant}: the sync's seal is the one its cached rows give`);
        assertCheckpointAsReadBack(db, tenant, 1, leaves);
      }
      // The next sync takes the NULL-seq rows again (they have no place after a watermark)
      // and finds nothing changed, moved or lost.
      const cached = () => db.prepare(`SELECT count(*) FROM records`).pluck().get();
      const before = cached();
      const again = await syncAndCheckpoint(session, db, options);
      assert.deepEqual(
        { fetched: again.summary.rowsFetched, changed: again.summary.rowsChanged, deleted: again.summary.rowsDeleted, changes: again.summary.changes, cached: cached() },
        { fetched: 2, changed: 0, deleted: 0, changes: [], cached: before },
      );
      // A later sync seals from the cache, and its checkpoint takes the tree from that read.
      for (const tenant of tenants) assertCheckpointAsReadBack(db, tenant, 2);
      // At the source, one NULL-seq row is edited, the other deleted, a third added: the
      // next sync names the first two and caches the third as a new row, not a late one.
      const [edited, deleted] = await asAdmin(demo.adminUrl, async (admin) => {
        const keys = (await admin.query(`SELECT id::text FROM ${TABLE} WHERE seq IS NULL ORDER BY hash`)).rows.map((r: { id: string }) => r.id);
        await admin.query(`UPDATE ${TABLE} SET hash = repeat('e', 64) WHERE id = $1`, [keys[0]]);
        await admin.query(`DELETE FROM ${TABLE} WHERE id = $1`, [keys[1]]);
        return keys;
      });
      const added = await asAdmin(demo.adminUrl, async (admin) => {
        const r = await admin.query(`INSERT INTO ${TABLE} (seq, tenant_id, event_type, created_at, hash) VALUES (NULL, 'null-seq', 'read', now(), ${sha256(92)}) RETURNING id::text`);
        return (r.rows[0] as { id: string }).id;
      });
      const third = await syncAndCheckpoint(session, db, options);
      assert.deepEqual(
        { fetched: third.summary.rowsFetched, changes: third.summary.changes.map((c) => [c.change, c.key]).sort() },
        {
          fetched: 2,
          changes: [
            ['deleted', deleted],
            ['modified', edited],
          ].sort(),
        },
      );
      assert.ok(db.prepare(`SELECT 1 FROM records WHERE source_key = ?`).get(added), 'the added row is cached');
      for (const tenant of tenants) assertCheckpointAsReadBack(db, tenant, 3);
    } finally {
      db.close();
      await session.close();
      if (saved === undefined) delete process.env.AUDITDESK_SYNC_BULK_MIN_ROWS;
      else process.env.AUDITDESK_SYNC_BULK_MIN_ROWS = saved;
    }
  });
}

// With the verdict, a later sync's recheck reads every cached row of each chain in seq
// order for the verdict; the seal takes its Merkle tree and checkpoint tree from that
// read instead of reading the chain a second time (issue 17, goal 3). It must still be
// exactly the seal the cache gives read back, and must not be used once the recheck
// changed the chain.
test('with the verdict, a later seal from the recheck read equals the one read back, and a changed chain is read again', { timeout: 120_000 }, async () => {
  const session = await connectSource(demo.url);
  const db = openCache(join(dir, 'with-verdict.sqlite'));
  try {
    const tenants = Object.keys(CHAINS);
    const options = { tenants, mapping: { events: TABLE }, kinds: ['events' as const], key: testAuditorKey(), cachePath: db.name };
    await syncAndCheckpoint(session, db, options);
    const fields = (s: ReturnType<typeof latestSeal> & object) => ({
      rowCount: s.rowCount,
      merkleRoot: s.merkleRoot,
      firstKey: s.firstKey,
      lastKey: s.lastKey,
      headSeq: s.headSeq,
      headHash: s.headHash,
    });
    const syncOnce = async (syncs: number) => {
      const from = new Map<string, string>();
      await syncAndCheckpoint(session, db, { ...options, onChainTree: (c) => from.set(c.tenant, c.from) });
      for (const tenant of tenants) {
        const { seal, readBack, leaves } = expectFromReadBack(db, tenant);
        assert.deepEqual(fields(seal), fields(readBack), `${tenant}: sync ${syncs}'s seal is the one its cached rows give`);
        assertCheckpointAsReadBack(db, tenant, syncs, leaves);
      }
      return Object.fromEntries([...from].sort());
    };
    const everyChainWithALeaf = (from: string) =>
      Object.fromEntries(
        tenants
          .filter((t) => t !== 'no-leaf')
          .map((t) => [t, from])
          .sort(),
      );
    assert.deepEqual(await syncOnce(2), everyChainWithALeaf('rows the recheck read'));

    // A row of one chain edited at the source: the recheck rewrites it, so that chain's
    // seal reads the cache again; the others still come from the recheck's read.
    await asAdmin(demo.adminUrl, (admin) => admin.query(`UPDATE ${TABLE} SET hash = repeat('f', 64) WHERE tenant_id = 'in-order' AND seq = 17`));
    assert.deepEqual(await syncOnce(3), { ...everyChainWithALeaf('rows the recheck read'), 'in-order': 'cached rows' });
  } finally {
    db.close();
    await session.close();
  }
});
