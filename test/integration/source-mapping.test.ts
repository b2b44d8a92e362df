// A customer's own names: an events table called roche_audit_logs with renamed
// columns, a uuid tenant id and a column AuditDesk does not know. A mapping makes
// it sync; the unknown column is kept (and hashed), not dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { fromRecord, type MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';

let demo: DemoDb;
let dir: string;
const TENANT = 'C0FFEE00-0000-4000-8000-0000000000AA';

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-mapping-'));
  const admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  try {
    await admin.query(`
      CREATE TABLE roche_audit_logs (
        event_uuid uuid PRIMARY KEY, seq bigint NOT NULL, tenant_id uuid NOT NULL, event_type text NOT NULL,
        severity text, occurred_at timestamptz NOT NULL, region text, risk numeric, prev_hash text, hash text);
      ALTER TABLE roche_audit_logs ENABLE ROW LEVEL SECURITY;
      ALTER TABLE roche_audit_logs FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON roche_audit_logs USING (tenant_id::text = current_setting('app.current_tenant_id', true));
      GRANT SELECT ON roche_audit_logs TO auditor_ro;`);
    await admin.query(
      `INSERT INTO roche_audit_logs
       SELECT gen_random_uuid(), g, $1::uuid, 'read', 'info', '2026-01-01'::timestamptz + g * interval '1 min',
              CASE WHEN g % 2 = 0 THEN 'eu-west' END, g / 7.0, repeat('0', 64), repeat('1', 64)
         FROM generate_series(1, 120) g`,
      [TENANT],
    );
  } finally {
    await admin.end();
  }
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('without a mapping the table is not found; with one it syncs, keeping unknown columns', async () => {
  const session = await connectSource(demo.url);
  const db = openCache(join(dir, 'cache.sqlite'));
  try {
    await assert.rejects(
      session.discover({ events: 'roche_audit_logs' }),
      (e: unknown) => isUserError(e) && e.code === 'E_UNKNOWN_COLUMN' && /no row id column/.test(e.message),
    );
    const mapping = { events: 'roche_audit_logs', columns: { events: { event_uuid: 'id', occurred_at: 'created_at' } } };
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
      [['event_uuid', 'source_key'], ['seq', 'seq'], ['tenant_id', 'tenant_id'], ['event_type', 'event_type'], ['severity', 'severity'],
       ['occurred_at', 'ts'], ['region', null], ['risk', null], ['prev_hash', 'prev_hash'], ['hash', 'hash']],
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
