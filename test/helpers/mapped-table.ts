// A customer's own events table next to the demo's: roche_audit_logs with renamed
// columns and a uuid tenant, created as the cluster's admin in test setup (never
// through the app, whose role is read-only), readable by auditor_ro under RLS.
import pg from 'pg';

/** Upper case on purpose: PostgreSQL prints a uuid in lower case, and that is what the app must match. */
export const MAPPED_TENANT = 'C0FFEE00-0000-4000-8000-0000000000AA';
export const MAPPED_ROWS = 120;

export async function createMappedEventsTable(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
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
         FROM generate_series(1, $2::int) g`,
      [MAPPED_TENANT, MAPPED_ROWS],
    );
  } finally {
    await admin.end();
  }
}
