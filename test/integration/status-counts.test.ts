// The status line's per-tenant counts come from the rollup, so they must equal
// what the cache really holds — also after rows are removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordsFixture } from '../helpers/records-fixture.js';
import { tenantCounts } from '../../src-main/core/app/handlers/status.js';

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

test('status counts per tenant equal the rows in the cache, before and after a deletion', () => {
  const f = createRecordsFixture({ events: 900, conversations: 300, anomalies: 40 });
  try {
    const strip = (rows: object[]) =>
      rows.map((r) => {
        const { lastSyncAt: _l, ...rest } = r as Record<string, unknown>;
        return rest;
      });
    assert.deepEqual(strip(tenantCounts(f.db)), direct(f.db));
    assert.ok(tenantCounts(f.db).length >= 2, 'the fixture spans several tenants');
    f.db.prepare("DELETE FROM records WHERE rid IN (SELECT rid FROM records WHERE kind = 'conversation' LIMIT 25)").run();
    assert.deepEqual(strip(tenantCounts(f.db)), direct(f.db));
  } finally {
    f.close();
  }
});
