// The status line's per-tenant counts come from the rollup, so they must equal
// what the cache really holds — also after rows are removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordsFixture } from '../helpers/records-fixture.js';
import { tenantCounts } from '../../src-main/core/app/handlers/status.js';
import { enterBulkMode, restoreDeferredSchema } from '../../src-main/core/sync/deferred.js';

function direct(db: ReturnType<typeof createRecordsFixture>['db']) {
  return db
    .prepare(
      `SELECT t.tenant_id AS tenant,
              (SELECT count(*) FROM records r WHERE r.tenant_id = t.tenant_id AND r.kind = 'event') AS events,
              (SELECT count(*) FROM records r WHERE r.tenant_id = t.tenant_id AND r.kind = 'conversation') AS conversations,
              (SELECT count(*) FROM anomalies a WHERE a.tenant_id = t.tenant_id) AS anomalies
         FROM (SELECT tenant_id FROM records UNION SELECT tenant_id FROM anomalies) t ORDER BY t.tenant_id`,
    )
    .all();
}

function withoutSyncTimes(rows: object[]): object[] {
  return rows.map((r) => {
    const { lastSyncAt: _l, ...rest } = r as Record<string, unknown>;
    return rest;
  });
}

test('status counts per tenant equal the rows in the cache, before and after a deletion', () => {
  const f = createRecordsFixture({ events: 900, conversations: 300, anomalies: 40 });
  try {
    assert.deepEqual(withoutSyncTimes(tenantCounts(f.db)), direct(f.db));
    assert.ok(tenantCounts(f.db).length >= 2, 'the fixture spans several tenants');
    f.db.prepare("DELETE FROM records WHERE rid IN (SELECT rid FROM records WHERE kind = 'conversation' LIMIT 25)").run();
    assert.deepEqual(withoutSyncTimes(tenantCounts(f.db)), direct(f.db));
  } finally {
    f.close();
  }
});

test("while a bulk fill has the rollup set aside, the status gives no count rather than the rollup's stale one, and the exact count once the fill ends", () => {
  const f = createRecordsFixture({ events: 900, conversations: 300, anomalies: 40 });
  try {
    const before = tenantCounts(f.db);
    // What a fill does: set the rollup's triggers aside, write rows (here: remove some), and
    // record each batch's watermark for the tenant it reached.
    enterBulkMode(f.db);
    f.db.prepare("DELETE FROM records WHERE rid IN (SELECT rid FROM records WHERE kind = 'event' AND tenant_id = 'acme-health' LIMIT 100)").run();
    const tableId = f.db.prepare("SELECT table_id FROM records WHERE tenant_id = 'acme-health' LIMIT 1").pluck().get() as number;
    f.db.prepare(`INSERT INTO watermarks (table_id, tenant_id, last_seq, last_ts, last_key, updated_at) VALUES (?, 'acme-health', 1, NULL, NULL, ?)`).run(tableId, new Date().toISOString());

    const during = tenantCounts(f.db).find((t) => t.tenant === 'acme-health');
    assert.ok(during, 'the tenant the fill reached is listed');
    assert.equal(during.events, null, `no stale count (the rollup still says ${before.find((t) => t.tenant === 'acme-health')?.events})`);
    assert.equal(during.conversations, null);

    restoreDeferredSchema(f.db);
    assert.deepEqual(withoutSyncTimes(tenantCounts(f.db)), direct(f.db));
  } finally {
    f.close();
  }
});
