// Everything that happens inside the running demo cluster: database, schema, data,
// tampering, statistics. Runs in a worker thread (build-worker.ts) so the heavy
// generation neither blocks the caller's event loop nor suffers from the default
// young-generation size (the generator makes many short strings; GC was ~20% of it).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsDir } from '../util/paths.js';
import { ADMIN_USER } from './cluster.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1 } from '../chain/profile.js';
import { EXACT_PROFILE_TENANT, TAMPERED_TENANT, TENANTS } from './catalog.js';
import { GENERATOR, WINDOW_END_MS, WINDOW_START_MS, generateDemoData, type GenerateProgress } from './generate.js';
import { DEMO_TABLES, type GroundTruth } from './ground-truth.js';
import { plantTampering } from './tamper.js';
import { plantControlCases } from './controls-plant.js';

export const DEMO_DATABASE = 'auditdesk_demo';
export const DEMO_READONLY_ROLE = 'auditor_ro';

export interface FillOptions {
  port: number;
  adminPassword: string;
  auditorPassword: string;
  events: number;
  seed: number;
}

export interface FillProgress {
  phase: string;
  message: string;
  done?: number;
  total?: number;
}

/** A superuser session whose values come back exactly as PostgreSQL prints them. */
export async function adminClient(port: number, password: string, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: ADMIN_USER,
    password,
    database,
    options: '-c TimeZone=UTC -c DateStyle=ISO,YMD',
    types: { getTypeParser: () => (v: string) => v },
  });
  await client.connect();
  return client;
}

/** Runs migrations/demo/NNN_*.sql in order, inside the caller's transaction. */
async function applySchema(client: pg.Client): Promise<string[]> {
  const dir = migrationsDir('demo');
  const files = (await readdir(dir)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no demo schema files in ${dir}`);
  for (const f of files) await client.query(await readFile(join(dir, f), 'utf8'));
  return files;
}

/** Legacy conversation rows as stored (the controls planting describes one tenant's). */
async function conversationsWithoutMetadata(client: pg.Client): Promise<number> {
  const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM conversation_audit_logs WHERE model_provider IS NULL AND model_config IS NULL`);
  return Number(r.rows[0]!.n);
}

async function storedCounts(client: pg.Client): Promise<GroundTruth['counts']> {
  const empty = () => ({ conversation_audit_logs: 0, audit_logs: 0, audit_anomalies: 0, audit_access_log: 0 });
  const counts: GroundTruth['counts'] = {};
  for (const t of TENANTS) counts[t.id] = empty();
  for (const table of DEMO_TABLES) {
    const res = await client.query<{ tenant_id: string; n: string }>(`SELECT tenant_id, count(*)::text AS n FROM ${table} GROUP BY tenant_id`);
    for (const r of res.rows) (counts[r.tenant_id] ??= empty())[table] = Number(r.n);
  }
  return counts;
}

/**
 * Takes the demo tables' indexes and key constraints off for the bulk load and gives back
 * a function that puts the very same definitions back (as the migration declared them).
 * Building an index once over sorted data costs far less than maintaining it row by row
 * (the uuid primary keys especially); this was most of PostgreSQL's share of the load.
 */
async function deferIndexes(client: pg.Client): Promise<() => Promise<void>> {
  const tables = [...DEMO_TABLES];
  const constraints = await client.query<{ tbl: string; name: string; def: string; contype: string }>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def, contype::text AS contype
       FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u', 'f')`,
    [tables],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index i
      WHERE indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  const foreign = constraints.rows.filter((c) => c.contype === 'f');
  const keys = constraints.rows.filter((c) => c.contype !== 'f');
  const ident = (n: string) => client.escapeIdentifier(n);
  for (const c of [...foreign, ...keys]) await client.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${ident(c.name)}`);
  for (const i of indexes.rows) await client.query(`DROP INDEX ${i.name}`);
  return async () => {
    for (const c of keys) await client.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${ident(c.name)} ${c.def}`);
    for (const i of indexes.rows) await client.query(i.def);
    for (const c of foreign) await client.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${ident(c.name)} ${c.def}`);
  };
}

export async function fillDemoDatabase(opts: FillOptions, say: (p: FillProgress) => void): Promise<GroundTruth> {
  const { port, adminPassword, events, seed } = opts;
  let client = await adminClient(port, adminPassword, 'postgres');
  try {
    await client.query(`CREATE DATABASE ${DEMO_DATABASE}`);
  } finally {
    await client.end();
  }
  client = await adminClient(port, adminPassword, DEMO_DATABASE);
  try {
    // Schema and data in ONE transaction: with wal_level=minimal PostgreSQL skips WAL
    // for tables created in the same transaction, and a failure leaves nothing behind.
    await client.query('BEGIN');
    const files = await applySchema(client);
    await client.query(`ALTER ROLE ${DEMO_READONLY_ROLE} PASSWORD ${client.escapeLiteral(opts.auditorPassword)}`);
    say({ phase: 'schema', message: `schema applied (${files.join(', ')})` });
    const restoreIndexes = await deferIndexes(client);
    const generated = await generateDemoData(client, {
      events,
      seed,
      onProgress: (p: GenerateProgress) => say({ phase: p.phase, message: `${p.phase}: ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')} rows`, done: p.done, total: p.total }),
    });
    say({ phase: 'indexes', message: 'building indexes and keys' });
    await restoreIndexes();
    await client.query('COMMIT');

    say({ phase: 'tamper', message: `planting tampering in tenant ${TAMPERED_TENANT}` });
    const reassignTo = TENANTS.find((t) => t.id === TAMPERED_TENANT)!.serviceAccount;
    const { anchor, tampering } = await plantTampering(client, TAMPERED_TENANT, reassignTo);
    say({ phase: 'controls', message: 'planting control failures' });
    const controls = await plantControlCases(client, generated.incidents, TAMPERED_TENANT);
    generated.incidents.metadataMissing.rows = await conversationsWithoutMetadata(client);
    // No explicit ANALYZE: it took seconds at 1M rows, and autovacuum analyzes the freshly
    // loaded tables within its first minute anyway.

    const heads = await client.query<{ tenant_id: string; seq: string; hash: string }>(
      `SELECT DISTINCT ON (a.tenant_id) a.tenant_id, a.seq::text AS seq, a.hash FROM audit_logs a ORDER BY a.tenant_id, a.seq DESC`,
    );
    const groundTruth: GroundTruth = {
      generator: GENERATOR,
      seed,
      events,
      database: DEMO_DATABASE,
      window: { from: new Date(WINDOW_START_MS).toISOString(), to: new Date(WINDOW_END_MS).toISOString() },
      tenants: TENANTS.map((t) => t.id),
      counts: await storedCounts(client),
      chainHeads: Object.fromEntries(heads.rows.map((r) => [r.tenant_id, { last_seq: Number(r.seq), hash: r.hash }])),
      tamperedTenant: TAMPERED_TENANT,
      chainProfiles: Object.fromEntries(TENANTS.map((t) => [t.id, t.id === EXACT_PROFILE_TENANT ? JCS_EXACT_SHA256_V2.name : JCS_SHA256_V1.name])),
      anchor,
      tampering,
      incidents: generated.incidents,
      controls,
    };
    await client.query('CHECKPOINT');
    return groundTruth;
  } finally {
    await client.end().catch(() => undefined);
  }
}
