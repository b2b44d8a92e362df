// Fills a real SQLite cache without PostgreSQL: source rows (text as PostgreSQL
// would print it) go through the same mapping sync uses (mapColumns/toRecord),
// with hash chains computed by the chain core. For tests of everything downstream
// of sync (export, verify-package, UI queries) that need exact, controllable data.
import { createHash } from 'node:crypto';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { mapColumns, toRecord, type MappedColumn, type TableKind } from '../../src-main/core/cache/record-mapping.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import type { ColumnType } from '../../src-main/core/chain/canonical.js';
import { cachedRows } from '../../src-main/core/sync/index.js';
import { listCachedChains } from '../../src-main/core/verify/adapters.js';

export const EVENT_COLUMNS: ColumnType[] = [
  { name: 'id', type: 'uuid' },
  { name: 'seq', type: 'int8' },
  { name: 'tenant_id', type: 'text' },
  { name: 'event_type', type: 'text' },
  { name: 'entity_type', type: 'text' },
  { name: 'entity_id', type: 'text' },
  { name: 'severity', type: 'text' },
  { name: 'user_id', type: 'text' },
  { name: 'action_details', type: 'jsonb' },
  { name: 'ip_address', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'region', type: 'text' }, // a column AuditDesk does not know: kept as an extra field
  { name: 'prev_hash', type: 'text' },
  { name: 'hash', type: 'text' },
];

export const CONVERSATION_COLUMNS: ColumnType[] = [
  { name: 'id', type: 'uuid' },
  { name: 'tenant_id', type: 'text' },
  { name: 'agent_id', type: 'text' },
  { name: 'session_id', type: 'text' },
  { name: 'channel', type: 'text' },
  { name: 'prompt', type: 'text' },
  { name: 'response', type: 'text' },
  { name: 'model_info', type: 'text' },
  { name: 'timestamp', type: 'timestamptz' },
  { name: 'model_provider', type: 'text' },
  { name: 'model_name', type: 'text' },
  { name: 'model_version', type: 'text' },
  { name: 'deployment_id', type: 'text' },
  { name: 'temperature', type: 'text' },
  { name: 'safety_mode', type: 'text' },
  { name: 'model_config', type: 'jsonb' },
];

export const ANOMALY_COLUMNS: ColumnType[] = [
  { name: 'id', type: 'uuid' },
  { name: 'audit_event_id', type: 'uuid' },
  { name: 'tenant_id', type: 'text' },
  { name: 'anomaly_score', type: 'numeric' },
  { name: 'detected_at', type: 'timestamptz' },
  { name: 'detector', type: 'text' },
  { name: 'features', type: 'jsonb' },
  { name: 'model_version', type: 'text' },
];

export const ACCESS_COLUMNS: ColumnType[] = [
  { name: 'id', type: 'uuid' },
  { name: 'tenant_id', type: 'text' },
  { name: 'user_id', type: 'text' },
  { name: 'access_type', type: 'text' },
  { name: 'query_parameters', type: 'jsonb' },
  { name: 'accessed_at', type: 'timestamptz' },
];

export type SourceRow = Record<string, string | null>;

/** Deterministic uuid-shaped id from a label. */
export function uuidOf(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class CacheFixture {
  readonly db: CacheDb;
  private sourceId: number;
  private syncId: number;
  private tables = new Map<TableKind, { id: number; mapped: MappedColumn[] }>();
  private inserts = new Map<string, ReturnType<CacheDb['prepare']>>();

  constructor(
    readonly path: string,
    fingerprint = 'f'.repeat(64),
  ) {
    this.db = openCache(path);
    this.sourceId = Number(
      this.db
        .prepare(
          `INSERT INTO sources (fingerprint, system_identifier, database_name, server_version, label, first_seen_at) VALUES (?, '7000000000000000001', 'auditdesk_demo', '18.4', '127.0.0.1:5432/auditdesk_demo', '2026-01-01T00:00:00Z')`,
        )
        .run(fingerprint).lastInsertRowid,
    );
    this.syncId = Number(
      this.db.prepare(`INSERT INTO syncs (source_id, started_at, finished_at, status) VALUES (?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 'done')`).run(this.sourceId).lastInsertRowid,
    );
    const names: Record<TableKind, [string, ColumnType[]]> = {
      events: ['audit_logs', EVENT_COLUMNS],
      conversations: ['conversation_audit_logs', CONVERSATION_COLUMNS],
      anomalies: ['audit_anomalies', ANOMALY_COLUMNS],
      access: ['audit_access_log', ACCESS_COLUMNS],
    };
    for (const [kind, [name, cols]] of Object.entries(names) as [TableKind, [string, ColumnType[]]][]) {
      const mapped = mapColumns(kind, cols);
      const id = Number(
        this.db
          .prepare(`INSERT INTO source_tables (source_id, kind, schema_name, table_name, columns_json, profile_json) VALUES (?, ?, 'public', ?, ?, ?)`)
          .run(this.sourceId, kind, name, JSON.stringify(mapped), kind === 'events' ? JSON.stringify(JCS_SHA256_V1) : null).lastInsertRowid,
      );
      this.tables.set(kind, { id, mapped });
    }
  }

  private insert(table: string, row: Record<string, unknown>): void {
    const keys = Object.keys(row).sort();
    const sig = `${table}:${keys.join(',')}`;
    let stmt = this.inserts.get(sig);
    if (!stmt) {
      stmt = this.db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`);
      this.inserts.set(sig, stmt);
    }
    stmt.run(row);
  }

  private add(kind: TableKind, cacheTable: string, rows: SourceRow[], extra: Record<string, unknown> = {}): void {
    const t = this.tables.get(kind)!;
    const cols = t.mapped;
    this.db.transaction(() => {
      for (const r of rows) {
        const values = cols.map((c) => r[c.name] ?? null);
        const rec = toRecord(cols, values);
        this.insert(cacheTable, { ...rec, ...extra, table_id: t.id, digest: rowDigest(cols, values), sync_id: this.syncId });
      }
    })();
  }

  /**
   * Adds events of one tenant as a correct hash chain (seq 1..n), unless a row
   * already carries prev_hash/hash (a test planting damage).
   */
  addEvents(tenant: string, rows: SourceRow[]): SourceRow[] {
    const payload = makePayloadBuilder(EVENT_COLUMNS);
    let prev = '0'.repeat(64);
    const out: SourceRow[] = [];
    rows.forEach((r, i) => {
      const row: SourceRow = { tenant_id: tenant, seq: String(i + 1), ...r };
      if (!('prev_hash' in r)) row.prev_hash = prev;
      const values = EVENT_COLUMNS.map((c) => row[c.name] ?? null);
      if (!('hash' in r)) row.hash = chainHash(row.prev_hash!, payload(values));
      prev = row.hash!;
      out.push(row);
    });
    this.add('events', 'records', out, { kind: 'event' });
    return out;
  }

  addConversations(tenant: string, rows: SourceRow[]): SourceRow[] {
    const out = rows.map((r) => ({ tenant_id: tenant, ...r }));
    this.add('conversations', 'records', out, { kind: 'conversation' });
    return out;
  }

  addAnomalies(tenant: string, rows: SourceRow[]): void {
    this.add(
      'anomalies',
      'anomalies',
      rows.map((r) => ({ tenant_id: tenant, ...r })),
    );
  }

  addAccess(tenant: string, rows: SourceRow[]): void {
    this.add(
      'access',
      'access_log',
      rows.map((r) => ({ tenant_id: tenant, ...r })),
    );
  }

  addReview(tenant: string, anomalyKey: string, decision: 'confirmed' | 'false_positive', note: string): void {
    this.db
      .prepare(`INSERT INTO reviews (anomaly_key, tenant_id, decision, note, reviewer, meaning, reviewed_at) VALUES (?, ?, ?, ?, 'Ada Auditor', 'reviewed', '2026-02-01T00:00:00.000000Z')`)
      .run(anomalyKey, tenant, decision, note);
  }

  close(): void {
    this.db.close();
  }
}

/** A small but realistic tenant: events with a rhythm, conversations with every model finding, anomalies, access log. */
export function fillDemoLike(f: CacheFixture, tenant: string, events: number, opts: { conversations?: number; start?: Date } = {}): { events: SourceRow[]; conversations: SourceRow[] } {
  const start = opts.start ?? new Date('2026-01-05T00:00:00Z');
  const types = ['login', 'read', 'update', 'export', 'delete', 'login_failed', 'permission_change', 'config_change', 'model_deploy'];
  const sev = ['info', 'info', 'info', 'low', 'medium', 'high', 'critical'];
  const ev: SourceRow[] = [];
  for (let i = 0; i < events; i++) {
    const t = new Date(start.getTime() + i * 97_000 + (i % 13) * 1_001);
    ev.push({
      id: uuidOf(`${tenant}-ev-${i}`),
      event_type: types[i % types.length]!,
      entity_type: i % 2 ? 'document' : 'account',
      entity_id: `ent-${i % 50}`,
      severity: sev[i % sev.length]!,
      user_id: `user-${i % 7}`,
      action_details: JSON.stringify({ n: i, note: i % 11 === 0 ? 'ünïcödé, "quoted"' : 'ok' }),
      ip_address: `10.0.${i % 4}.${i % 200}`,
      created_at: `${t.toISOString().replace('T', ' ').replace('Z', '')}+00`,
      region: i % 3 ? 'eu-west' : null,
    });
  }
  const events_ = f.addEvents(tenant, ev);
  const nConv = opts.conversations ?? Math.ceil(events / 4);
  const providers = [
    ['openai', 'gpt-4o', '2024-08-06', null],
    ['anthropic', 'claude-3-sonnet', '20240229', null],
    ['azure', 'gpt-35-turbo', '0613', 'prod-gpt-deploy'],
    ['cohere', 'command-r', 'v1', null],
  ] as const;
  const conv: SourceRow[] = [];
  for (let i = 0; i < nConv; i++) {
    const [provider, model, version, deployment] = providers[i % providers.length]!;
    const t = new Date(start.getTime() + i * 331_000);
    conv.push({
      id: uuidOf(`${tenant}-cv-${i}`),
      agent_id: `agent-${i % 3}`,
      session_id: `sess-${Math.floor(i / 4)}`,
      channel: ['api', 'web', 'slack', 'voice'][i % 4]!,
      prompt: i === 1 ? '=HYPERLINK("http://evil","click")' : `Question ${i}: what about, "this"?`,
      response: `Answer ${i}\nsecond line`,
      model_info: `${model}`,
      timestamp: `${t.toISOString().replace('T', ' ').replace('Z', '')}+00`,
      model_provider: provider,
      model_name: model,
      model_version: version,
      deployment_id: deployment,
      temperature: i === 2 ? '1.4' : '0.7',
      safety_mode: i === 3 ? 'relaxed' : 'strict',
      model_config: i === 5 ? '{"api_key": "sk-live-1234567890abcdef", "top_p": 0.9}' : '{"top_p": 0.9}',
    });
  }
  const conversations = f.addConversations(tenant, conv);
  f.addAnomalies(
    tenant,
    events_
      .filter((_, i) => i % 50 === 7)
      .map((e, i) => ({
        id: uuidOf(`${tenant}-an-${i}`),
        audit_event_id: e.id!,
        anomaly_score: i % 2 ? '0.91' : '0.42',
        detected_at: e.created_at,
        detector: 'isolation-forest',
        features: '{"hour": 3}',
        model_version: 'det-1',
      })),
  );
  f.addAccess(tenant, [{ id: uuidOf(`${tenant}-ac-0`), user_id: 'auditor', access_type: 'read', query_parameters: '{"q": 1}', accessed_at: '2026-01-05 10:00:00+00' }]);
  return { events: events_, conversations };
}

/**
 * A change to cached event rows (made by `edit`) as the tenant would have made it before the
 * sync: each changed row's digest is taken again, so the cache reads as synced that way and
 * the change is a break the tenant made. Without this, an edited row is damage to the cache,
 * which verify and export refuse to blame on the tenant (verify/cache-damage.ts).
 */
export function editAsSynced(db: CacheDb, edit: () => void): void {
  edit();
  for (const chain of listCachedChains(db)) {
    const stale = [...cachedRows(db, 'events', chain.tableId, chain.tenant, chain.columns)].flatMap((r) => {
      const digest = rowDigest(chain.columns, r.values);
      return digest === r.digest ? [] : [{ key: r.key, digest }];
    });
    const update = db.prepare(`UPDATE records SET digest = ? WHERE kind = 'event' AND table_id = ? AND tenant_id = ? AND source_key = ?`);
    for (const s of stale) update.run(s.digest, chain.tableId, chain.tenant, s.key);
  }
}
