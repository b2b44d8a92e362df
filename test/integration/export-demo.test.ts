// End to end on the demo tenant database: sync into a cache, export signed packages,
// verify them offline. An intact tenant's package carries the chain head and the
// Merkle roots the sync sealed; the tampered tenant's package reports exactly what
// was planted (a modified row, a deleted row, and — against the checkpoint taken on
// the earlier visit — the rewritten tail), and still verifies as an authentic package.
// docs/verify_package.py checks each package too and must agree (intact, broken, filtered).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import { recordCheckpoint } from '../../src-main/core/verify/checkpoints.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage, type ExportResult } from '../../src-main/core/export/package.js';
import { closeVerifyPageBrowser, verifyWithAll } from '../helpers/verify-all.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

let demo: DemoDb;
let dir: string;
let db: CacheDb;
let id: LoadedIdentity;
let intactTenant: string;
let tamperedTenant: string;

before(async () => {
  demo = await startDemoDb();
  tamperedTenant = demo.groundTruth.tamperedTenant;
  intactTenant = demo.groundTruth.tenants.find((t) => t !== tamperedTenant)!;
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-export-demo-'));
  db = openCache(join(dir, 'cache.sqlite'));
  const session = await connectSource(demo.url);
  try {
    await syncToCache(session, db, { tenants: [intactTenant, tamperedTenant] });
  } finally {
    await session.close();
  }
  // The head the same auditor saved on an earlier visit, before the tail was rewritten
  // (signed with the key the export runs under: another key's head is not compared).
  const anchor = demo.groundTruth.anchor;
  const fingerprint = (db.prepare('SELECT fingerprint FROM sources').pluck().get() as string) ?? null;
  recordCheckpoint(db, testAuditorKey(), {
    origin: 'external',
    sourceFingerprint: fingerprint,
    tableName: anchor.table,
    tenantId: anchor.tenant,
    lastSeq: BigInt(anchor.last_seq),
    headHash: anchor.head_hash,
    merkleRoot: null,
    rowCount: anchor.row_count,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  createIdentity({ name: 'Demo Auditor', org: 'Audit LLP', email: 'demo@audit.example', password: 'demo-password', out: join(dir, 'id.p12') });
  id = loadIdentity(join(dir, 'id.p12'), 'demo-password');
});

after(async () => {
  await closeVerifyPageBrowser();
  db?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('packages from the demo tenant database', () => {
  let intact: ExportResult;

  test("an intact tenant's package verifies and names the sync's chain head", async () => {
    intact = await writePackage({ auditorKey: testAuditorKey(), db, filter: { tenant: [intactTenant] }, identity: id, out: join(dir, 'intact.zip') });
    const head = demo.groundTruth.chainHeads[intactTenant]!;
    const counts = demo.groundTruth.counts[intactTenant]!;
    assert.equal(intact.counts.events, counts.audit_logs);
    assert.equal(intact.counts.conversations, counts.conversation_audit_logs);
    assert.equal(intact.integrity.intact, true);
    const r = await verifyWithAll(join(dir, 'intact.zip'), { trust: id.info.fingerprint });
    assert.deepEqual(r.failures, []);
    assert.equal(r.chain?.intact, true);
    assert.equal(String(r.chain?.lastSeq), String(head.last_seq));
    assert.equal(r.chain?.headHash, head.hash);
    // The rows in audit_events.csv give the Merkle root the sync sealed.
    const seal = db
      .prepare(`SELECT s.merkle_root FROM seals s JOIN source_tables t USING (table_id) WHERE t.kind = 'events' AND s.tenant_id = ? ORDER BY s.seal_id DESC LIMIT 1`)
      .pluck()
      .get(intactTenant);
    const eventsFile = intact.files.find((f) => f.name === 'audit_events.csv')!;
    assert.equal(eventsFile.merkleRoot, seal);
  });

  test("the tampered tenant's package lists every planted break and is still an authentic package", async () => {
    const res = await writePackage({ auditorKey: testAuditorKey(), db, filter: { tenant: [tamperedTenant] }, identity: id, out: join(dir, 'tampered.zip') });
    assert.equal(res.integrity.intact, false);
    const r = await verifyWithAll(join(dir, 'tampered.zip'), { trust: id.info.fingerprint });
    assert.deepEqual(r.failures, [], 'the package itself is intact: the breaks are findings about the data');
    assert.ok(r.notes.some((n) => /hash-chain break/.test(n)));
    const found = r.chain!.breaks.map((b) => `${b.kind}@${b.seq}`);
    for (const t of demo.groundTruth.tampering) {
      // A rewrite is seen where the earlier head no longer matches (the anchor's seq).
      const seq = t.kind === 'rewritten' ? demo.groundTruth.anchor.last_seq : t.seq;
      assert.ok(found.includes(`${t.kind}@${seq}`), `planted ${t.kind} at seq ${seq} not in ${found.join(', ')}`);
    }
    assert.ok(
      r.chain!.checkpoints.some((c) => c.outcome === 'rewritten'),
      'the earlier head shows the rewrite',
    );
  });

  test('a filtered export (one event type, one week) verifies too', async () => {
    const from = demo.groundTruth.window.from.slice(0, 10);
    const to = new Date(Date.parse(from) + 7 * 86_400_000).toISOString().slice(0, 10);
    await writePackage({ auditorKey: testAuditorKey(), db, filter: { tenant: [intactTenant], eventType: ['login_failed', 'login'], from, to }, identity: id, out: join(dir, 'filtered.zip') });
    const r = await verifyWithAll(join(dir, 'filtered.zip'));
    assert.deepEqual(r.failures, []);
    assert.equal(r.chain?.intact, true);
  });
});
