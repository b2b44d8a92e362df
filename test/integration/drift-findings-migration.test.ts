// Cache migration 008 (drift findings): a version-7 cache upgrades in place, a change
// is recorded once however often a sync sees it, a finding cannot claim a decision
// while open, and the queries verify and export run use the migration's indexes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache, loadMigrations, cacheSchemaVersion, type CacheDb } from '../../src-main/core/cache/open.js';
import { scratchDir } from '../helpers/scratch.js';

const plan = (db: CacheDb, sql: string, ...params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

function withTable(db: CacheDb): void {
  db.prepare(`INSERT INTO sources VALUES (1, 'fp', 'sys', 'db', '18', 'label', '2026-01-01T00:00:00Z')`).run();
  db.prepare(`INSERT INTO source_tables VALUES (1, 1, 'anomalies', 'public', 'audit_anomalies', '[]', NULL)`).run();
  db.prepare(`INSERT INTO syncs (sync_id, source_id, started_at, status) VALUES (1, 1, '2026-01-01T00:00:00Z', 'done'), (2, 1, '2026-01-02T00:00:00Z', 'done')`).run();
}

const insert = `INSERT INTO drift_findings (table_id, tenant_id, source_key, change, detected_sync_id, detected_at, earlier_digest, later_digest, earlier_values, later_values)
                VALUES (1, 't', ?, ?, ?, ?, ?, ?, '{}', NULL) ON CONFLICT DO NOTHING`;

test('a version-7 cache gains drift_findings and keeps its rows', () => {
  const path = join(scratchDir('auditdesk-mig008-'), 'cache.sqlite');
  const v7 = openCache(path, { migrations: loadMigrations().slice(0, 7) });
  withTable(v7);
  v7.close();
  const db = openCache(path);
  try {
    assert.ok(cacheSchemaVersion(db) >= 8);
    assert.equal(db.prepare('SELECT count(*) FROM source_tables').pluck().get(), 1);
    assert.equal(db.prepare('SELECT count(*) FROM drift_findings').pluck().get(), 0);
  } finally {
    db.close();
  }
});

test('the same change seen by two syncs is one finding, with the first detection time', () => {
  const db = openCache(':memory:');
  try {
    withTable(db);
    db.prepare(insert).run('k1', 'deleted', 1, '2026-01-01T00:00:01Z', 'aa', null);
    db.prepare(insert).run('k1', 'deleted', 2, '2026-01-02T00:00:01Z', 'aa', null);
    // Another edit of the same row is another finding.
    db.prepare(
      `INSERT INTO drift_findings (table_id, tenant_id, source_key, change, detected_sync_id, detected_at, earlier_digest, later_digest)
                VALUES (1, 't', 'k1', 'modified', 2, '2026-01-02T00:00:02Z', 'aa', 'bb')`,
    ).run();
    const rows = db.prepare('SELECT change, detected_sync_id, detected_at, status FROM drift_findings ORDER BY finding_id').all();
    assert.deepEqual(rows, [
      { change: 'deleted', detected_sync_id: 1, detected_at: '2026-01-01T00:00:01Z', status: 'open' },
      { change: 'modified', detected_sync_id: 2, detected_at: '2026-01-02T00:00:02Z', status: 'open' },
    ]);
  } finally {
    db.close();
  }
});

test('an open finding cannot carry a decision, a decided one must, and a deletion keeps the earlier digest', () => {
  const db = openCache(':memory:');
  try {
    withTable(db);
    db.prepare(insert).run('k1', 'deleted', 1, '2026-01-01T00:00:01Z', 'aa', null);
    assert.throws(() => db.prepare(`UPDATE drift_findings SET decision = 'accepted'`).run(), /CHECK constraint failed/);
    assert.throws(() => db.prepare(`UPDATE drift_findings SET status = 'decided'`).run(), /CHECK constraint failed/);
    db.prepare(`UPDATE drift_findings SET status = 'decided', decision = 'accepted', decided_by = 'x', decided_at = '2026-01-03T00:00:00Z'`).run();
    assert.throws(() => db.prepare(insert).run('k2', 'deleted', 1, '2026-01-01T00:00:01Z', null, null), /CHECK constraint failed/);
  } finally {
    db.close();
  }
});

test("a tenant's findings in detection order and the once-check are index lookups", () => {
  const db = openCache(':memory:');
  try {
    assert.match(plan(db, 'SELECT * FROM drift_findings WHERE tenant_id = ? ORDER BY finding_id', 't'), /INDEX drift_findings_tenant/);
    assert.doesNotMatch(plan(db, 'SELECT * FROM drift_findings WHERE tenant_id = ? ORDER BY finding_id', 't'), /TEMP B-TREE/);
    assert.match(plan(db, 'SELECT 1 FROM drift_findings WHERE table_id = ? AND tenant_id = ? AND source_key = ?', 1, 't', 'k'), /INDEX drift_findings_once/);
  } finally {
    db.close();
  }
});
