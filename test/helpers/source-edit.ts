// Changes made at the demo source behind the app's back, the way an insider with the
// table owner's rights would: each edit in one transaction with the immutability trigger
// set aside, so the tests that need a tampered or rewritten source read as what was done.
import pg from 'pg';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import type { ChainProfile } from '../../src-main/core/chain/profile.js';
import { tableColumns } from '../../src-main/core/demo/generate.js';

export type Admin = pg.Client;

/** Runs `work` on a connection of the cluster's admin: for tables a test creates beside the demo's. */
export async function asAdmin<T>(adminUrl: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Runs `edit` as the owner; values come back as text so hashes are computed from exactly what is stored. */
export async function editAsOwner<T>(adminUrl: string, edit: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, options: '-c TimeZone=UTC -c DateStyle=ISO,YMD', types: { getTypeParser: () => (v: string) => v } });
  await admin.connect();
  try {
    await admin.query('BEGIN');
    await admin.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_immutable');
    const result = await edit(admin);
    await admin.query('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_immutable');
    await admin.query('COMMIT');
    return result;
  } catch (e) {
    await admin.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await admin.end();
  }
}

/** Deletes the tenant's newest `count` events (keeping any an anomaly points at, as the schema requires). */
export async function deleteTail(admin: Admin, tenant: string, count: number): Promise<void> {
  await admin.query(
    'DELETE FROM audit_logs a WHERE tenant_id = $1 AND seq > (SELECT max(seq) - $2 FROM audit_logs WHERE tenant_id = $1) AND NOT EXISTS (SELECT 1 FROM audit_anomalies n WHERE n.audit_event_id = a.id)',
    [tenant, count],
  );
}

export async function lastSeqOf(admin: Admin, tenant: string): Promise<string> {
  return (await admin.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_logs WHERE tenant_id = $1', [tenant])).rows[0]!.seq;
}

/** The hash the row at `seq` would carry if it were written now with its current content under `profile`. */
export async function hashOfRow(admin: Admin, tenant: string, seq: string, profile?: ChainProfile): Promise<string> {
  const columns = await tableColumns(admin, 'audit_logs');
  const row = (
    await admin.query<(string | null)[]>({
      text: `SELECT ${columns.map((c) => `"${c.name}"::text`).join(', ')} FROM audit_logs WHERE tenant_id = $1 AND seq = $2`,
      values: [tenant, seq],
      rowMode: 'array',
    })
  ).rows[0]!;
  return chainHash(row[columns.findIndex((c) => c.name === 'prev_hash')]!, makePayloadBuilder(columns, profile)(row), profile);
}
