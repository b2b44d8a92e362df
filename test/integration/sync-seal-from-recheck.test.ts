// A later sync's recheck reads every cached row of each (table, tenant) in the seal's
// keyset order, and the seal is built from that read rather than a second one (issue 17,
// goal 3). Every seal, of every table kind, with or without the chains' verdict, must be
// exactly the seal the cache gives read back, including after the recheck rewrote rows:
// a seal no one can recompute from the cache would make every later comparison false.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { asAdmin, editAsOwner } from '../helpers/source-edit.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import type { MappedColumn, TableKind } from '../../src-main/core/cache/record-mapping.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { latestSeal, writeSeal, type SealRecord } from '../../src-main/core/sync/index.js';
import { syncAndCheckpoint } from '../../src-main/core/verify/sync-verdict.js';

const TENANTS = ['acme-pharma', 'globex-bank'];

let demo: DemoDb;
let dir: string;

before(async () => {
  demo = await startDemoDb();
  dir = scratchDir('auditdesk-seal-from-recheck-');
});

after(async () => {
  await demo?.stop();
});

const fields = (s: SealRecord) => ({ rowCount: s.rowCount, merkleRoot: s.merkleRoot, firstKey: s.firstKey, lastKey: s.lastKey, headSeq: s.headSeq, headHash: s.headHash });

/** Each (table kind, tenant)'s latest seal beside the one its cached rows give read back now. */
function sealsAndReadBacks(db: CacheDb) {
  const tables = db.prepare('SELECT table_id AS tableId, kind, columns_json AS columnsJson FROM source_tables ORDER BY table_id').all() as { tableId: number; kind: TableKind; columnsJson: string }[];
  const out: { what: string; seal: ReturnType<typeof fields>; readBack: ReturnType<typeof fields> }[] = [];
  for (const t of tables) {
    for (const tenant of TENANTS) {
      const seal = latestSeal(db, t.tableId, tenant);
      assert.ok(seal, `${t.kind} · ${tenant}: sealed`);
      db.exec('SAVEPOINT read_back');
      try {
        const columns = JSON.parse(t.columnsJson) as MappedColumn[];
        const readBack = writeSeal(db, { kind: t.kind, tableId: t.tableId, tenant, columns, syncId: seal.syncId, sourceFingerprint: seal.sourceFingerprint });
        out.push({ what: `${t.kind} · ${tenant}`, seal: fields(seal), readBack: fields(readBack) });
      } finally {
        db.exec('ROLLBACK TO read_back; RELEASE read_back');
      }
    }
  }
  return out;
}

test('every later seal, of every table kind, with and without the verdict, equals the one read back, also after the recheck rewrote rows', { timeout: 180_000 }, async () => {
  const session = await connectSource(demo.url);
  const caches = { 'without the verdict': openCache(join(dir, 'without.sqlite')), 'with the verdict': openCache(join(dir, 'with.sqlite')) };
  const syncAll = async () => {
    for (const [how, db] of Object.entries(caches)) {
      await syncAndCheckpoint(session, db, { tenants: TENANTS, key: testAuditorKey(), cachePath: db.name, verdict: how === 'with the verdict' });
    }
  };
  const assertSealsAsReadBack = (when: string) => {
    for (const [how, db] of Object.entries(caches)) {
      const compared = sealsAndReadBacks(db);
      assert.equal(compared.length, 8, `${how}: four table kinds × two tenants`);
      for (const c of compared) assert.deepEqual(c.seal, c.readBack, `${how}, ${when}: ${c.what}'s seal is the one its cached rows give`);
    }
  };
  try {
    await syncAll();
    await syncAll();
    assertSealsAsReadBack('a second sync, nothing new');

    // At the source: a conversation edited, an anomaly and an access-log row deleted, an
    // event's content rewritten behind its hash. The recheck writes each into the cache.
    await asAdmin(demo.adminUrl, async (admin) => {
      await admin.query(
        `UPDATE conversation_audit_logs SET prompt = 'edited after the first sync' WHERE id = (SELECT id FROM conversation_audit_logs WHERE tenant_id = 'acme-pharma' ORDER BY "timestamp", id LIMIT 1 OFFSET 5)`,
      );
      await admin.query(`DELETE FROM audit_anomalies WHERE id = (SELECT id FROM audit_anomalies WHERE tenant_id = 'globex-bank' ORDER BY detected_at, id LIMIT 1 OFFSET 2)`);
      await admin.query(`DELETE FROM audit_access_log WHERE id = (SELECT id FROM audit_access_log WHERE tenant_id = 'acme-pharma' ORDER BY 1 LIMIT 1 OFFSET 4)`);
    });
    await editAsOwner(demo.adminUrl, (admin) => admin.query(`UPDATE audit_logs SET event_type = 'edited' WHERE tenant_id = 'acme-pharma' AND seq = 12`));
    await syncAll();
    assertSealsAsReadBack('a third sync after edits and deletions at the source');
    const changed = caches['with the verdict'].prepare('SELECT count(*) FROM drift_findings').pluck().get() as number;
    assert.equal(changed, 4, 'the third sync found the four changes (so the recheck did rewrite rows)');
  } finally {
    for (const db of Object.values(caches)) db.close();
    await session.close();
  }
});
