// A cache filled with deterministic events, conversations and anomalies for the
// timeline/anomaly tests and the UI query bench. Rows go through the same mapping
// sync uses (toRecord), so the cache looks exactly as after a real sync. The source
// rows are returned too, so tests compute expected counts independently of SQL.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { openCache, type CacheDb, type Migration } from '../../src-main/core/cache/open.js';
import { mapColumns, toRecord, type CacheRow } from '../../src-main/core/cache/record-mapping.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';

// The demo-shaped source columns are shared with the package fixture.
export { EVENT_COLUMNS, CONVERSATION_COLUMNS, ANOMALY_COLUMNS } from './cache-fixture.js';
import { EVENT_COLUMNS, CONVERSATION_COLUMNS, ANOMALY_COLUMNS } from './cache-fixture.js';
import { scratchDir } from './scratch.js';

export const HOSTILE = {
  sql: "'; DROP TABLE records; --",
  html: '<img src=x onerror=alert(1)>',
  fts: 'NEAR( "quoted" * OR',
};

export const TENANTS = ['acme-health', 'globex-bank', 'initech'];
export const EVENT_TYPES = ['login', 'login_failed', 'read', 'update', 'delete', 'export', 'permission_change', 'config_change', 'model_deploy'];
export const SEVERITIES = ['info', 'low', 'medium', 'high'];
export const CHANNELS = ['api', 'web', 'slack', 'voice'];
/** agent → [provider, model, versions (first is common), deployment, temperature, safety] */
export const AGENTS: [string, string, string, string[], string | null, string, string][] = [
  ['support-bot', 'openai', 'gpt-4o', ['2024-08-06', '2024-05-13'], null, '0.7', 'strict'],
  ['claims-triage', 'anthropic', 'claude-3-5-sonnet', ['20241022'], null, '0.2', 'balanced'],
  ['fraud-analyst', 'azure', 'gpt-4', ['0613'], 'prod-eastus-01', '1.4', 'balanced'],
  ['sales-assist', 'cohere', 'command-r', ['08-2024'], null, '0.9', 'relaxed'],
  [HOSTILE.sql, 'openai', 'gpt-4o-mini', ['2024-07-18'], null, 'warm', 'strict'],
];
export const WORDS = ['refund', 'password', 'reset', 'invoice', 'diagnosis', 'policy', 'transfer', 'account', 'premium', 'claim', 'résumé', 'naïve'];

export interface SourceRow {
  kind: 'event' | 'conversation';
  values: (string | null)[];
  /** the source columns by name, for computing expectations in tests */
  byName: Record<string, string | null>;
}

export interface FixtureOptions {
  events?: number;
  conversations?: number;
  anomalies?: number;
  seed?: number;
  path?: string;
  /** sha256 of the JCS row (what sync stores) or a cheap stand-in for the 1M-row bench */
  digest?: 'real' | 'fast';
  /** keep the generated source rows in memory (tests) or not (bench) */
  keepRows?: boolean;
  /**
   * bench: build the records indexes and the FTS index once at the end instead of per
   * row (the facet rollup triggers stay: they must see every row)
   */
  bulkFts?: boolean;
  /** build an older cache (migration tests): only these migrations are applied */
  migrations?: Migration[];
}

export interface RecordsFixture {
  db: CacheDb;
  path: string;
  rows: SourceRow[];
  anomalies: Record<string, string | null>[];
  close(): void;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START_MS = Date.parse('2026-08-01T00:00:00Z');
const SPAN_MS = 90 * 86400_000;

function uuid(n: number, salt: string): string {
  const h = createHash('sha1').update(`${salt}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function pgTimestamp(ms: number): string {
  // PostgreSQL's text form with microseconds and an explicit offset.
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 23)}${String(ms % 7).padStart(3, '0')}+00`;
}

/**
 * Sentinel and missing timestamps are planted at fixed positions so tests know them:
 * every 499th event has NULL, 1970-01-01, 1601-01-01 or 'infinity' in turn.
 */
export function sentinelFor(i: number): string | null | undefined {
  if (i % 499 !== 250) return undefined;
  return [null, '1970-01-01 00:00:00+00', '1601-01-01 00:00:00+00', 'infinity'][Math.floor(i / 499) % 4] ?? null;
}

export function createRecordsFixture(opts: FixtureOptions = {}): RecordsFixture {
  const nEvents = opts.events ?? 3000;
  const nConversations = opts.conversations ?? 2000;
  const nAnomalies = opts.anomalies ?? 40;
  const rand = prng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const path = opts.path ?? join(scratchDir('auditdesk-records-'), 'cache.sqlite');
  const db = openCache(path, opts.migrations ? { migrations: opts.migrations } : {});
  const fast = opts.digest === 'fast';
  const keep = opts.keepRows ?? true;

  const eventsMap = mapColumns('events', EVENT_COLUMNS);
  const convMap = mapColumns('conversations', CONVERSATION_COLUMNS);
  const anomalyMap = mapColumns('anomalies', ANOMALY_COLUMNS);
  db.prepare(
    `INSERT INTO sources (source_id, fingerprint, system_identifier, database_name, server_version, label, first_seen_at)
     VALUES (1, 'fp-fixture', '7000000000000000001', 'auditdesk_demo', '18.0', '127.0.0.1:5432/auditdesk_demo', '2026-11-01T00:00:00Z')`,
  ).run();
  const table = db.prepare(`INSERT INTO source_tables (table_id, source_id, kind, schema_name, table_name, columns_json) VALUES (?, 1, ?, 'public', ?, ?)`);
  table.run(1, 'events', 'audit_logs', JSON.stringify(eventsMap));
  table.run(2, 'conversations', 'conversation_audit_logs', JSON.stringify(convMap));
  table.run(3, 'anomalies', 'audit_anomalies', JSON.stringify(anomalyMap));
  db.prepare(`INSERT INTO syncs (sync_id, source_id, started_at, finished_at, status) VALUES (1, 1, '2026-11-01T00:00:00Z', '2026-11-01T00:01:00Z', 'done')`).run();

  const inserters = new Map<string, ReturnType<CacheDb['prepare']>>();
  const insert = (target: 'records' | 'anomalies', row: CacheRow) => {
    const cols = Object.keys(row);
    const key = `${target}:${cols.join(',')}`;
    let s = inserters.get(key);
    if (!s) {
      s = db.prepare(`INSERT INTO ${target} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
      inserters.set(key, s);
    }
    s.run(row);
  };
  const digestOf = (columns: typeof EVENT_COLUMNS, values: (string | null)[]) => (fast ? createHash('sha1').update(values.join('\u0001')).digest('hex') : rowDigest(columns, values));

  const rows: SourceRow[] = [];
  const eventIds: [string, string][] = [];
  const seqByTenant = new Map<string, number>();
  const prevByTenant = new Map<string, string>();
  const total = nEvents + nConversations;
  let ev = 0;
  let conv = 0;
  let session = 0;
  let turnsLeft = 0;
  let sessionAgent = AGENTS[0]!;
  let sessionTenant = TENANTS[0]!;
  let sessionChannel = CHANNELS[0]!;
  let sessionMs = START_MS;

  const writeBatch = db.transaction((count: number) => {
    for (let k = 0; k < count && ev + conv < total; k++) {
      // interleave: events and conversations in proportion
      const isEvent = conv >= nConversations || (ev < nEvents && rand() * total < nEvents);
      if (isEvent) {
        const tenant = pick(TENANTS);
        const seq = (seqByTenant.get(tenant) ?? 0) + 1;
        seqByTenant.set(tenant, seq);
        const ms = START_MS + Math.floor(rand() * SPAN_MS);
        const sentinel = sentinelFor(ev);
        const ts = sentinel === undefined ? pgTimestamp(ms) : sentinel;
        const type = pick(EVENT_TYPES);
        const user = ev % 211 === 7 ? HOSTILE.html : `user-${Math.floor(rand() * 40)}`;
        const words = `${pick(WORDS)} ${pick(WORDS)}`;
        const details = ev % 401 === 3 ? JSON.stringify({ note: HOSTILE.sql, html: HOSTILE.html, fts: HOSTILE.fts }) : JSON.stringify({ action: type, words, rows: Math.floor(rand() * 1000) });
        const id = uuid(ev, 'event');
        const prev = prevByTenant.get(tenant) ?? '0'.repeat(64);
        const hash = createHash('sha256').update(`${prev}\n${id}`).digest('hex');
        prevByTenant.set(tenant, hash);
        const values = [
          id,
          String(seq),
          tenant,
          type,
          'patient_record',
          `ent-${Math.floor(rand() * 500)}`,
          pick(SEVERITIES),
          user,
          details,
          `10.0.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
          ts,
          ev % 3 === 0 ? 'eu-west' : null,
          prev,
          hash,
        ];
        const rec = toRecord(eventsMap, values);
        insert('records', { ...rec, table_id: 1, kind: 'event', digest: digestOf(EVENT_COLUMNS, values), sync_id: 1 });
        if (keep) rows.push({ kind: 'event', values, byName: byName(EVENT_COLUMNS, values) });
        if (eventIds.length < 5000) eventIds.push([tenant, id]);
        ev++;
      } else {
        if (turnsLeft === 0) {
          session++;
          turnsLeft = 1 + Math.floor(rand() * 6);
          sessionAgent = pick(AGENTS);
          sessionTenant = pick(TENANTS);
          sessionChannel = pick(CHANNELS);
          sessionMs = START_MS + Math.floor(rand() * SPAN_MS);
        }
        turnsLeft--;
        sessionMs += 1000 + Math.floor(rand() * 60_000);
        const [agent, provider, model, versions, deployment, temperature, safety] = sessionAgent;
        // a rare second version makes an "unapproved" candidate (< 5% of the model's calls)
        const version = versions.length > 1 && conv % 50 === 0 ? versions[1]! : versions[0]!;
        const secret = agent === 'support-bot' && conv % 97 === 0;
        const config = JSON.stringify({
          max_tokens: 1024,
          top_p: 0.9,
          ...(secret ? { api_key: 'sk-proj-abcdefghijklmnopqrstuvwx0123456789' } : {}),
        });
        const hostile = conv % 173 === 11;
        const prompt = hostile ? `Please ${HOSTILE.html} then ${HOSTILE.sql} and ${HOSTILE.fts}` : `Customer asks about ${pick(WORDS)} and ${pick(WORDS)} (turn ${conv})`;
        const values = [
          uuid(conv, 'conversation'),
          sessionTenant,
          agent,
          `sess-${session}`,
          sessionChannel,
          prompt,
          `Answer regarding ${pick(WORDS)}.`,
          JSON.stringify({ provider, model }),
          pgTimestamp(sessionMs),
          provider,
          model,
          version,
          deployment,
          temperature,
          safety,
          config,
        ];
        const rec = toRecord(convMap, values);
        insert('records', { ...rec, table_id: 2, kind: 'conversation', digest: digestOf(CONVERSATION_COLUMNS, values), sync_id: 1 });
        if (keep) rows.push({ kind: 'conversation', values, byName: byName(CONVERSATION_COLUMNS, values) });
        conv++;
      }
    }
  });
  const deferred = opts.bulkFts
    ? (db
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL
            AND (type = 'index' OR (type = 'trigger' AND name = 'records_fts_insert'))`,
        )
        .all() as { name: string; sql: string }[])
    : [];
  for (const d of deferred) db.exec(`DROP ${d.sql.startsWith('CREATE TRIGGER') ? 'TRIGGER' : 'INDEX'} ${d.name}`);
  // Seventeen indexes on a million rows: a large page cache keeps the build off the disk.
  if (opts.bulkFts) db.pragma('cache_size = -262144');
  while (ev + conv < total) writeBatch(20_000);
  if (deferred.length) {
    for (const d of deferred) db.exec(d.sql);
    db.exec("INSERT INTO records_fts(records_fts) VALUES ('rebuild')");
  }

  const anomalies: Record<string, string | null>[] = [];
  db.transaction(() => {
    for (let a = 0; a < nAnomalies && eventIds.length; a++) {
      const [tenant, eventId] = eventIds[(a * 37) % eventIds.length]!;
      const score = (a % 10) / 10 + 0.05; // 0.05, 0.15, … 0.95: both sides of 0.7
      const values = [
        uuid(a, 'anomaly'),
        a === nAnomalies - 1 ? uuid(999_999, 'missing-event') : eventId,
        tenant,
        score.toFixed(2),
        pgTimestamp(START_MS + a * 3_600_000),
        a % 2 ? 'isolation-forest' : 'rules',
        JSON.stringify({ z: score * 5, note: HOSTILE.html }),
        'det-1.2',
      ];
      insert('anomalies', { ...toRecord(anomalyMap, values), table_id: 3, digest: digestOf(ANOMALY_COLUMNS, values), sync_id: 1 });
      anomalies.push(byName(ANOMALY_COLUMNS, values));
    }
  })();
  return { db, path, rows, anomalies, close: () => db.close() };
}

function byName(columns: { name: string }[], values: (string | null)[]): Record<string, string | null> {
  const o: Record<string, string | null> = {};
  columns.forEach((c, i) => (o[c.name] = values[i] ?? null));
  return o;
}
