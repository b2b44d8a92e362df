// A customer's own names: an events table called roche_audit_logs with renamed
// columns, a uuid tenant id and a column AuditDesk does not know. A mapping makes
// it sync; the unknown column is kept (and hashed), not dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { createMappedEventsTable, MAPPED_TENANT as TENANT } from '../helpers/mapped-table.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { fromRecord, type MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';

let demo: DemoDb;
let dir: string;

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-mapping-'));
  await createMappedEventsTable(demo.adminUrl);
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('without a mapping the table is not found; with one it syncs, keeping unknown columns', async () => {
  const session = await connectSource(demo.url);
  const db = openCache(join(dir, 'cache.sqlite'));
  try {
    await assert.rejects(session.discover({ events: 'roche_audit_logs' }), (e: unknown) => isUserError(e) && e.code === 'E_UNKNOWN_COLUMN' && /no row id column/.test(e.message));
    const mapping = { events: 'roche_audit_logs', columns: { events: { event_uuid: 'id', occurred_at: 'created_at' } } };
    // A tenant named by slug cannot be in a uuid column: one clear error, not PostgreSQL's cast failure.
    await assert.rejects(
      syncToCache(session, db, { tenants: ['acme-pharma'], mapping, kinds: ['events'] }),
      (e: unknown) =>
        isUserError(e) &&
        e.code === 'E_TENANT_FORMAT' &&
        e.message.startsWith('tenant "acme-pharma" cannot be in public.roche_audit_logs: its tenant_id column holds uuids.') &&
        /remove "acme-pharma" from the connection's tenants/.test(e.message),
    );
    // A uuid tenant is matched the way PostgreSQL prints it (lower case).
    const summary = await syncToCache(session, db, { tenants: [TENANT], mapping, kinds: ['events'] });
    assert.equal(summary.rowsFetched, 120);
    assert.equal(summary.tables[0]!.table, 'public.roche_audit_logs');
    assert.equal(summary.tables[0]!.tenant, TENANT.toLowerCase());
    assert.equal(summary.tables[0]!.seal.headSeq, '120');

    const t = db.prepare(`SELECT table_id, columns_json FROM source_tables WHERE table_name = 'roche_audit_logs'`).get() as { table_id: number; columns_json: string };
    const columns = JSON.parse(t.columns_json) as MappedColumn[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.field]),
      [
        ['event_uuid', 'source_key'],
        ['seq', 'seq'],
        ['tenant_id', 'tenant_id'],
        ['event_type', 'event_type'],
        ['severity', 'severity'],
        ['occurred_at', 'ts'],
        ['region', null],
        ['risk', null],
        ['prev_hash', 'prev_hash'],
        ['hash', 'hash'],
      ],
    );
    const row = db.prepare(`SELECT * FROM records WHERE table_id = ? AND seq = 2`).safeIntegers(true).get(t.table_id) as Record<string, string | bigint | null>;
    assert.equal(row.ts, '2026-01-01T00:02:00.000000Z');
    assert.deepEqual(JSON.parse(String(row.extra)), { region: 'eu-west', risk: '0.28571428571428571429' });
    const values = fromRecord(columns, row);
    assert.equal(values[6], 'eu-west');
    assert.equal(row.digest, rowDigest(columns, values));
  } finally {
    db.close();
    await session.close();
  }
});
