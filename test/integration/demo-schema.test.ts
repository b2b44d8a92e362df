// The demo tenant database looks like the production sources (issue 2): the listed
// tables and columns, tenant isolation by row-level security, and a role that can read
// but never write.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';

const textTypes = { getTypeParser: () => (v: string) => v };

/** Issue 2's column list; `type` is information_schema.columns.data_type where the issue names one. */
const EXPECTED: Record<string, { name: string; type?: string; nullable?: boolean }[]> = {
  conversation_audit_logs: [
    { name: 'id', type: 'uuid' },
    { name: 'tenant_id', type: 'text' },
    { name: 'agent_id' },
    { name: 'session_id' },
    { name: 'channel' },
    { name: 'prompt' },
    { name: 'response' },
    { name: 'model_info' },
    { name: 'timestamp', type: 'timestamp with time zone' },
    { name: 'model_provider', nullable: true },
    { name: 'model_name', nullable: true },
    { name: 'model_version', nullable: true },
    { name: 'deployment_id', nullable: true },
    { name: 'temperature', type: 'text', nullable: true },
    { name: 'safety_mode', nullable: true },
    { name: 'model_config', type: 'jsonb', nullable: true },
  ],
  audit_logs: [
    { name: 'id', type: 'uuid' },
    { name: 'seq', type: 'bigint' },
    { name: 'tenant_id', type: 'text' },
    { name: 'event_type' },
    { name: 'entity_type' },
    { name: 'entity_id' },
    { name: 'severity' },
    { name: 'user_id' },
    { name: 'action_details', type: 'jsonb' },
    { name: 'ip_address' },
    { name: 'created_at', type: 'timestamp with time zone' },
    { name: 'prev_hash' },
    { name: 'hash' },
  ],
  audit_anomalies: [
    { name: 'id' },
    { name: 'audit_event_id', type: 'uuid' },
    { name: 'tenant_id', type: 'text' },
    { name: 'anomaly_score' },
    { name: 'detected_at', type: 'timestamp with time zone' },
    { name: 'detector' },
    { name: 'features', type: 'jsonb' },
    { name: 'model_version' },
  ],
  audit_access_log: [
    { name: 'id' },
    { name: 'tenant_id', type: 'text' },
    { name: 'user_id' },
    { name: 'access_type' },
    { name: 'query_parameters', type: 'jsonb' },
    { name: 'accessed_at', type: 'timestamp with time zone' },
  ],
};
const TABLES = Object.keys(EXPECTED);

describe('demo tenant database: schema, read-only role, tenant isolation', () => {
  let db: DemoDb;
  let ro: pg.Client;
  let admin: pg.Client;

  before(async () => {
    db = await startDemoDb();
    ro = new pg.Client({ connectionString: db.url, types: textTypes });
    admin = new pg.Client({ connectionString: db.adminUrl, types: textTypes });
    await ro.connect();
    await admin.connect();
  });

  after(async () => {
    await ro?.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await db?.stop();
  });

  test('the printed URL connects as auditor_ro to auditdesk_demo on 127.0.0.1', async () => {
    const url = new URL(db.url);
    assert.equal(url.username, 'auditor_ro');
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(url.pathname, '/auditdesk_demo');
    const { rows } = await ro.query<{ u: string; d: string }>('SELECT current_user AS u, current_database() AS d');
    assert.deepEqual(rows[0], { u: 'auditor_ro', d: 'auditdesk_demo' });
  });

  for (const table of TABLES) {
    test(`${table} has the columns issue 2 lists, with the stated types and nullability`, async () => {
      const { rows } = await ro.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      const actual = new Map(rows.map((r) => [r.column_name, r]));
      for (const col of EXPECTED[table]!) {
        const found = actual.get(col.name);
        assert.ok(found, `${table}.${col.name} is missing`);
        if (col.type) assert.equal(found.data_type, col.type, `${table}.${col.name} type`);
        if (col.nullable) assert.equal(found.is_nullable, 'YES', `${table}.${col.name} must be nullable`);
      }
    });
  }

  test('anomalies point at audit events through a foreign key', async () => {
    const { rows } = await admin.query<{ target: string }>(
      `SELECT confrelid::regclass::text AS target FROM pg_constraint
        WHERE conrelid = 'audit_anomalies'::regclass AND contype = 'f'`,
    );
    assert.deepEqual(
      rows.map((r) => r.target),
      ['audit_logs'],
    );
  });

  test('row-level security is enabled on every table and forced on all but the one the controls planting names', async () => {
    const { rows } = await admin.query<{ relname: string; relrowsecurity: string; relforcerowsecurity: string }>(
      `SELECT relname, relrowsecurity::text, relforcerowsecurity::text FROM pg_class
        WHERE relname = ANY($1) AND relkind = 'r' ORDER BY relname`,
      [TABLES],
    );
    assert.equal(rows.length, TABLES.length);
    const notForced = db.groundTruth.controls.notForcedTable;
    for (const r of rows) assert.deepEqual([r.relname, r.relrowsecurity, r.relforcerowsecurity], [r.relname, 'true', r.relname === notForced ? 'false' : 'true']);
  });

  const WRITES: Record<string, string> = {
    INSERT: `INSERT INTO audit_access_log (id, tenant_id, user_id, access_type, accessed_at)
             VALUES ('00000000-0000-4000-8000-000000000001', 'acme-pharma', 'x', 'y', now())`,
    UPDATE: `UPDATE audit_logs SET severity = 'info'`,
    DELETE: `DELETE FROM conversation_audit_logs`,
    TRUNCATE: `TRUNCATE audit_access_log`,
  };

  for (const [verb, sql] of Object.entries(WRITES)) {
    test(`auditor_ro is refused ${verb}: by its read-only default, and by privileges in a READ WRITE transaction`, async () => {
      await assert.rejects(ro.query(sql), (e: { code?: string }) => e.code === '25006', 'default_transaction_read_only refuses it');
      await ro.query('BEGIN READ WRITE');
      try {
        await ro.query("SELECT set_config('app.current_tenant_id', 'acme-pharma', true)");
        await assert.rejects(ro.query(sql), (e: { code?: string }) => e.code === '42501', 'no privilege even when the session asks for read-write');
      } finally {
        await ro.query('ROLLBACK');
      }
    });
  }

  test('the writes were really refused: row counts are unchanged', async () => {
    for (const table of TABLES) {
      const { rows } = await admin.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      const expected = db.groundTruth.tenants.reduce((sum, t) => sum + db.groundTruth.counts[t]![table as 'audit_logs'], 0);
      assert.equal(Number(rows[0]!.n), expected, table);
    }
  });

  test('without app.current_tenant_id, auditor_ro sees no rows at all', async () => {
    for (const table of TABLES) {
      const { rows } = await ro.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      assert.equal(rows[0]!.n, '0', table);
    }
  });

  test('with app.current_tenant_id set, auditor_ro sees exactly that tenant', async () => {
    assert.equal(db.groundTruth.tenants.length, 3);
    for (const tenant of db.groundTruth.tenants) {
      await ro.query('BEGIN');
      try {
        await ro.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
        for (const table of TABLES) {
          const { rows } = await ro.query<{ tenants: string[] | string | null; n: string }>(`SELECT array_agg(DISTINCT tenant_id)::text AS tenants, count(*)::text AS n FROM ${table}`);
          assert.equal(rows[0]!.tenants, `{${tenant}}`, `${table} as ${tenant}`);
          assert.equal(Number(rows[0]!.n), db.groundTruth.counts[tenant]![table as 'audit_logs'], `${table} rows of ${tenant}`);
        }
      } finally {
        await ro.query('COMMIT');
      }
    }
  });

  test('audit_logs is append-only even for its owner: the immutability trigger refuses UPDATE and DELETE', async () => {
    await assert.rejects(admin.query(`UPDATE audit_logs SET severity = 'info' WHERE seq = 1`), /append-only/);
    await assert.rejects(admin.query(`DELETE FROM audit_logs WHERE seq = 1`), /append-only/);
  });
});
