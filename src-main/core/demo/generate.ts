// Fills the demo database: deterministic rows streamed as CSV through COPY FROM STDIN
// (row inserts would be ~50x slower), with each tenant's audit_logs hash chain computed
// by the production chain functions over the exact text we send.
//
// Text we send must canonicalise to what PostgreSQL prints back: timestamps are written
// with 6 fraction digits and +00, uuids lowercase, jsonb as JSON text whose parsed value
// PostgreSQL keeps (no duplicate keys, plain decimals), seq as an integer.
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { chainHash, genesisOf, makePayloadBuilder } from '../chain/hash.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1 } from '../chain/profile.js';
import type { ColumnType } from '../chain/canonical.js';
import { EXACT_PROFILE_TENANT, TENANTS, USER_AGENTS, type Agent, type Tenant } from './catalog.js';
import { Rng, cumulativeWeights } from './prng.js';
import type { DemoTable, GroundTruth, PlantedConfigChange } from './ground-truth.js';

export const GENERATOR = 'auditdesk-demo/1';

const DAY_MS = 86_400_000;
const HOUR_US = 3_600_000_000;
/** The data window is fixed (never "now") so the same seed always gives the same rows. */
export const WINDOW_END_MS = Date.UTC(2026, 9, 1);
export const WINDOW_DAYS = 90;
export const WINDOW_START_MS = WINDOW_END_MS - WINDOW_DAYS * DAY_MS;
const START_US = WINDOW_START_MS * 1000;
const HOURS = WINDOW_DAYS * 24;
/** Conversation rows before this had no model metadata (the columns were added later). */
const METADATA_MIGRATION_US = START_US + 25 * 24 * HOUR_US;

export interface GenerateProgress {
  phase: string;
  done: number;
  total: number;
}

export interface GenerateOptions {
  events: number;
  seed: number;
  onProgress?: (p: GenerateProgress) => void;
}

// ---------------------------------------------------------------------------
// Text formatting for COPY (CSV)

const P2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayCache = new Map<number, string>();

function dayText(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayCache.set(day, s);
  }
  return s;
}

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS.ffffff+00` (what PostgreSQL prints in UTC, padded). */
export function timestampText(us: number): string {
  const day = Math.floor(us / 86_400_000_000);
  let rem = us - day * 86_400_000_000;
  const h = Math.floor(rem / HOUR_US);
  rem -= h * HOUR_US;
  const m = Math.floor(rem / 60_000_000);
  rem -= m * 60_000_000;
  const s = Math.floor(rem / 1_000_000);
  const f = rem - s * 1_000_000;
  return `${dayText(day)} ${P2[h]}:${P2[m]}:${P2[s]}.${String(f).padStart(6, '0')}+00`;
}

function isoOf(us: number): string {
  return timestampText(us).replace(' ', 'T').replace('+00', 'Z');
}

const NEEDS_QUOTES = /[",\n\r\\]/;

function csvField(v: string | null): string {
  if (v === null) return '';
  if (v === '') return '""';
  if (NEEDS_QUOTES.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

// ---------------------------------------------------------------------------
// COPY plumbing

export async function tableColumns(client: pg.Client, table: string): Promise<ColumnType[]> {
  const res = await client.query<{ name: string; type: string }>(
    `SELECT column_name AS name, udt_name AS type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  if (res.rows.length === 0) throw new Error(`demo schema has no table ${table}`);
  return res.rows;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Rows of one table in the table's own column order, streamed to COPY in ~1 MB chunks.
 * FREEZE (legal because the table was created in this transaction) writes the rows
 * already frozen, so the first readers and autovacuum need not rewrite every page.
 */
class CopyWriter {
  private readonly index: Map<string, number>;
  readonly row: (string | null)[];
  private lines: string[] = [];
  private size = 0;
  private stream: ReturnType<typeof copyFrom> | undefined;
  rows = 0;

  constructor(
    private readonly client: pg.Client,
    readonly table: string,
    readonly columns: readonly ColumnType[],
  ) {
    this.index = new Map(columns.map((c, i) => [c.name, i]));
    this.row = new Array<string | null>(columns.length).fill(null);
  }

  /** Position of a column; every column the generator fills must exist. */
  at(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`demo table ${this.table} lacks column ${name}`);
    return i;
  }

  private open(): ReturnType<typeof copyFrom> {
    if (!this.stream) {
      const cols = this.columns.map((c) => quoteIdent(c.name)).join(', ');
      this.stream = this.client.query(copyFrom(`COPY ${quoteIdent(this.table)} (${cols}) FROM STDIN WITH (FORMAT csv, FREEZE)`));
    }
    return this.stream;
  }

  /** Appends the current `row`; call flushIfFull() regularly to keep memory flat. */
  push(): void {
    const r = this.row;
    let line = csvField(r[0]!);
    for (let i = 1; i < r.length; i++) line += ',' + csvField(r[i]!);
    this.lines.push(line);
    this.size += line.length;
    this.rows++;
  }

  async flushIfFull(): Promise<void> {
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('\n') + '\n';
    this.lines = [];
    this.size = 0;
    const stream = this.open();
    if (!stream.write(chunk)) await once(stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    const stream = this.open();
    const done = new Promise<void>((resolve, reject) => {
      stream.once('finish', resolve);
      stream.once('error', reject);
    });
    stream.end();
    await done;
  }
}

// ---------------------------------------------------------------------------
// Time: office-hours rhythm with some night activity

function hourWeight(hourIndex: number): number {
  const dayOfWeek = new Date(WINDOW_START_MS + Math.floor(hourIndex / 24) * DAY_MS).getUTCDay();
  const h = hourIndex % 24;
  let w: number;
  if (h < 6) w = 0.03;
  else if (h === 6) w = 0.15;
  else if (h === 7) w = 0.5;
  else if (h === 12) w = 0.7;
  else if (h >= 8 && h <= 16) w = 1;
  else if (h === 17) w = 0.6;
  else if (h <= 19) w = 0.25;
  else w = 0.06;
  if (dayOfWeek === 0 || dayOfWeek === 6) w *= 0.12;
  return w;
}

const HOUR_WEIGHTS: number[] = Array.from({ length: HOURS }, (_, i) => hourWeight(i));
const HOUR_WEIGHT_SUM = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

/**
 * Calls `emit` for n timestamps (µs), ascending, spread over the window by hour weight,
 * and `afterHour` after each hour.
 * Counts per hour use a running carry, so the total is exactly n.
 */
async function forEachTimestamp(rng: Rng, n: number, emit: (us: number) => void, afterHour: () => Promise<void>): Promise<void> {
  let carry = 0;
  let emitted = 0;
  const offsets: number[] = [];
  for (let h = 0; h < HOURS; h++) {
    carry += (n * HOUR_WEIGHTS[h]!) / HOUR_WEIGHT_SUM;
    const upto = h === HOURS - 1 ? n : Math.min(n, Math.floor(carry + 1e-9));
    const count = upto - emitted;
    if (count <= 0) continue;
    offsets.length = 0;
    for (let i = 0; i < count; i++) offsets.push(Math.floor(rng.next() * HOUR_US));
    offsets.sort((a, b) => a - b);
    const base = START_US + h * HOUR_US;
    for (const off of offsets) emit(base + off);
    emitted = upto;
    // Flushing per hour keeps chunks near 1 MB without a promise per row.
    await afterHour();
  }
}

function at(day: number, hh: number, mm: number, ss = 0): number {
  return START_US + day * 24 * HOUR_US + hh * HOUR_US + mm * 60_000_000 + ss * 1_000_000;
}

const hourOf = (us: number) => Math.floor(us / HOUR_US) % 24;

// ---------------------------------------------------------------------------
// The planted story (UTC throughout)

const BURST = { tenant: 'initech-ai', start: at(61, 14, 7, 13), attempts: 42, ip: '203.0.113.47', target: 'm.okafor@initech-ai.example' };
const NIGHT_EXPORT = { tenant: 'acme-pharma', start: at(47, 3, 4, 0), exports: 14, ip: '198.51.100.23', user: 'd.richter@acme-pharma.example' };
const HIGH_TEMP = { tenant: 'initech-ai', agent: 'code-review-copilot-prod', from: at(70, 10, 15), to: at(71, 22, 40), temperature: '1.4' };
const RELAXED = { tenant: 'initech-ai', agent: 'support-bot-prod', from: at(55, 16, 42) };
const API_KEY = { tenant: 'acme-pharma', agent: 'lab-notes-summariser-staging', from: at(66, 11, 20), to: at(68, 9, 0) };

interface PlannedEvent {
  us: number;
  tag: 'burst' | 'burst-success' | 'export' | 'config';
  values: Partial<Record<'event_type' | 'entity_type' | 'entity_id' | 'severity' | 'user_id' | 'action_details' | 'ip_address', string>>;
  anomaly?: { score: string; detector: string; features: Record<string, number | string> };
  config?: Omit<PlantedConfigChange, 'id' | 'seq' | 'at'>;
}

function plannedEvents(tenant: Tenant, rng: Rng): PlannedEvent[] {
  const out: PlannedEvent[] = [];
  const admin = tenant.admins[0]!;
  const adminIp = `${tenant.officeNet}.1.10`;
  if (tenant.id === BURST.tenant) {
    let us = BURST.start;
    for (let k = 1; k <= BURST.attempts; k++) {
      us += 2_000_000 + Math.floor(rng.next() * 7_000_000);
      out.push({
        us,
        tag: 'burst',
        values: {
          event_type: 'login_failed',
          entity_type: 'user',
          entity_id: BURST.target,
          severity: k > 30 ? 'high' : 'medium',
          user_id: BURST.target,
          action_details: JSON.stringify({ method: 'password', reason: 'invalid_password', attempt: k, user_agent: 'python-requests/2.31' }),
          ip_address: BURST.ip,
        },
        ...(k === 10 ? { anomaly: { score: '0.9612', detector: 'login-velocity', features: { failures_10min: 10, distinct_ips: 1, user_baseline: 0.2 } } } : {}),
      });
    }
    out.push({
      us: us + 41_000_000,
      tag: 'burst-success',
      values: {
        event_type: 'login',
        entity_type: 'user',
        entity_id: BURST.target,
        severity: 'medium',
        user_id: BURST.target,
        action_details: JSON.stringify({ method: 'password', mfa: false, user_agent: 'python-requests/2.31' }),
        ip_address: BURST.ip,
      },
      anomaly: { score: '0.9135', detector: 'login-velocity', features: { failures_before: BURST.attempts, new_ip: 1, mfa: 0 } },
    });
    out.push(
      configEvent(HIGH_TEMP.from, admin, adminIp, HIGH_TEMP.agent, 'temperature', '0.2', HIGH_TEMP.temperature, `temperature of ${HIGH_TEMP.agent} raised to ${HIGH_TEMP.temperature}`),
      configEvent(HIGH_TEMP.to, admin, adminIp, HIGH_TEMP.agent, 'temperature', HIGH_TEMP.temperature, '0.2', `temperature of ${HIGH_TEMP.agent} back to 0.2`),
      configEvent(RELAXED.from, tenant.users[3]!, `${tenant.officeNet}.4.21`, RELAXED.agent, 'safety_mode', 'balanced', 'relaxed', `production agent ${RELAXED.agent} switched to safety_mode relaxed`),
    );
  }
  if (tenant.id === NIGHT_EXPORT.tenant) {
    let us = NIGHT_EXPORT.start;
    for (let k = 1; k <= NIGHT_EXPORT.exports; k++) {
      out.push({
        us,
        tag: 'export',
        values: {
          event_type: 'export',
          entity_type: 'patient_record',
          entity_id: `PT-BATCH-${String(k).padStart(3, '0')}`,
          severity: 'high',
          user_id: NIGHT_EXPORT.user,
          action_details: JSON.stringify({ format: 'csv', rows: 25000, destination: 'https://files.example.net/upload', batch: k }),
          ip_address: NIGHT_EXPORT.ip,
        },
        ...(k === 1 || k === NIGHT_EXPORT.exports
          ? { anomaly: { score: k === 1 ? '0.9734' : '0.9311', detector: 'off-hours-export', features: { hour_of_day: 3, rows: 25000, exports_last_hour: k, user_baseline_rows: 120 } } }
          : {}),
      });
      us += 55_000_000 + Math.floor(rng.next() * 40_000_000);
    }
    out.push(
      configEvent(
        API_KEY.from,
        tenant.users[6]!,
        `${tenant.officeNet}.6.33`,
        API_KEY.agent,
        'model_config',
        '{"max_tokens":512}',
        '{"max_tokens":512,"api_key":"(redacted)"}',
        `model_config of ${API_KEY.agent} edited to carry a provider API key`,
      ),
      configEvent(
        API_KEY.to,
        admin,
        adminIp,
        API_KEY.agent,
        'model_config',
        '{"max_tokens":512,"api_key":"(redacted)"}',
        '{"max_tokens":512}',
        `API key removed from model_config of ${API_KEY.agent}`,
      ),
    );
  }
  return out.sort((a, b) => a.us - b.us);

  function configEvent(us: number, user: string, ip: string, agentId: string, setting: string, from: string, to: string, description: string): PlannedEvent {
    return {
      us,
      tag: 'config',
      values: {
        event_type: 'config_change',
        entity_type: 'agent',
        entity_id: agentId,
        severity: setting === 'temperature' ? 'medium' : 'high',
        user_id: user,
        action_details: JSON.stringify({ agent: agentId, setting, from, to, environment: 'prod' }),
        ip_address: ip,
      },
      config: { tenant: tenant.id, agent_id: agentId, description },
    };
  }
}

// ---------------------------------------------------------------------------
// Ordinary activity

const EVENT_TYPES = ['read', 'login', 'login_failed', 'update', 'delete', 'export', 'permission_change', 'config_change', 'model_deploy'] as const;
const EVENT_CUM = cumulativeWeights([40, 14, 3, 16, 2, 5, 1.5, 2, 0.8]);
const SERVICE_TYPES = ['read', 'read', 'read', 'update', 'export'] as const;
const ROLES = ['viewer', 'analyst', 'reviewer', 'admin'];
const FIELDS = ['status', 'owner', 'notes', 'due_date', 'priority', 'assignee'];

interface EventDraft {
  event_type: string;
  entity_type: string | null;
  entity_id: string | null;
  severity: string;
  user_id: string | null;
  action_details: string | null;
  ip_address: string | null;
}

class ActivityModel {
  private readonly userIps: Map<string, string>;

  constructor(private readonly tenant: Tenant) {
    this.userIps = new Map(tenant.users.map((u, i) => [u, `${tenant.officeNet}.${((i * 7) % 250) + 1}.${((i * 13) % 250) + 2}`]));
  }

  private entity(rng: Rng): { type: string; id: string } {
    const e = rng.pick(this.tenant.entities);
    return { type: e.type, id: e.prefix + String(rng.int(1, 10 ** e.digits - 1)).padStart(e.digits, '0') };
  }

  draft(rng: Rng, us: number): EventDraft {
    const t = this.tenant;
    const hour = hourOf(us);
    const night = hour < 6 || hour >= 21;
    const service = night ? rng.chance(0.7) : rng.chance(0.04);
    const user = service ? t.serviceAccount : t.users[Math.floor(rng.next() ** 1.6 * t.users.length)]!;
    const type = service ? rng.pick(SERVICE_TYPES) : rng.weighted(EVENT_TYPES, EVENT_CUM);
    const ip = service ? '10.0.5.12' : rng.chance(0.15) ? `100.64.${rng.int(0, 63)}.${rng.int(1, 254)}` : this.userIps.get(user)!;
    let entityType: string | null;
    let entityId: string | null;
    let severity: string;
    let details: unknown;
    switch (type) {
      case 'login':
        entityType = 'user';
        entityId = user;
        severity = 'info';
        details = service ? { method: 'client_credentials' } : { method: 'sso', mfa: true, user_agent: rng.pick(USER_AGENTS) };
        break;
      case 'login_failed':
        entityType = 'user';
        entityId = user;
        severity = rng.chance(0.8) ? 'low' : 'medium';
        details = { method: rng.chance(0.7) ? 'sso' : 'password', reason: rng.pick(['invalid_password', 'mfa_timeout', 'account_locked', 'expired_token']), attempt: rng.int(1, 3) };
        break;
      case 'read': {
        const e = this.entity(rng);
        entityType = e.type;
        entityId = e.id;
        severity = rng.chance(0.97) ? 'info' : 'low';
        details = { view: rng.pick(['detail', 'list', 'search', 'audit_trail']), rows: rng.int(1, 200) };
        break;
      }
      case 'update': {
        const e = this.entity(rng);
        entityType = e.type;
        entityId = e.id;
        severity = rng.chance(0.7) ? 'low' : 'info';
        details = { fields: [rng.pick(FIELDS)], reason: rng.pick(['correction', 'workflow', 'customer request', 'review outcome']) };
        break;
      }
      case 'delete': {
        const e = this.entity(rng);
        entityType = e.type;
        entityId = e.id;
        severity = rng.chance(0.8) ? 'medium' : 'high';
        details = { rows: 1, reason: rng.pick(['retention_policy', 'gdpr_erasure', 'duplicate']) };
        break;
      }
      case 'export': {
        const e = this.entity(rng);
        entityType = e.type;
        entityId = null;
        const rows = rng.chance(0.9) ? rng.int(10, 2000) : rng.int(2000, 15000);
        severity = rows > 5000 ? 'high' : 'medium';
        details = { format: rng.pick(['csv', 'xlsx', 'pdf']), rows, filter: `${e.type}:${rng.pick(['open', 'closed', 'q3', 'flagged'])}` };
        break;
      }
      case 'permission_change': {
        const target = rng.pick(t.users);
        entityType = 'user';
        entityId = target;
        const to = rng.pick(ROLES);
        severity = to === 'admin' ? (rng.chance(0.3) ? 'critical' : 'high') : 'high';
        details = { role_from: rng.pick(ROLES.filter((r) => r !== to)), role_to: to, ticket: `CHG-${rng.int(1000, 9999)}` };
        break;
      }
      case 'config_change': {
        const a = rng.pick(t.agents);
        entityType = 'agent';
        entityId = a.id;
        severity = 'medium';
        details = { agent: a.id, setting: 'max_tokens', from: String(rng.int(2, 8) * 128), to: String(rng.int(2, 8) * 128), environment: a.env };
        break;
      }
      default: {
        const a = rng.pick(t.agents);
        entityType = 'model';
        entityId = `${a.provider}/${a.model}@${a.version}`;
        severity = 'medium';
        details = { agent: a.id, environment: a.env, provider: a.provider, deployment_id: a.deploymentId };
      }
    }
    return { event_type: type, entity_type: entityType, entity_id: entityId, severity, user_id: user, action_details: JSON.stringify(details), ip_address: ip };
  }
}

// ---------------------------------------------------------------------------
// Generation

export type Counts = Record<string, Record<DemoTable, number>>;

export interface GenerateResult {
  counts: Counts;
  incidents: GroundTruth['incidents'];
}

function splitByShare(total: number): number[] {
  const out = TENANTS.map((t) => Math.floor(total * t.share));
  out[0]! += total - out.reduce((a, b) => a + b, 0);
  return out;
}

const ANOMALY_MODEL = 'iforest-2026.09.1';

export async function generateDemoData(client: pg.Client, opts: GenerateOptions): Promise<GenerateResult> {
  const { events, seed, onProgress } = opts;
  const profile = JCS_SHA256_V1;
  const auditCols = await tableColumns(client, 'audit_logs');
  const buildV1 = makePayloadBuilder(auditCols, profile);
  const buildV2 = makePayloadBuilder(auditCols, JCS_EXACT_SHA256_V2);
  const counts: Counts = Object.fromEntries(TENANTS.map((t) => [t.id, { conversation_audit_logs: 0, audit_logs: 0, audit_anomalies: 0, audit_access_log: 0 }]));

  const incidents: GenerateResult['incidents'] = {
    failedLoginBurst: {
      tenant: BURST.tenant,
      description: `${BURST.attempts} failed logins for one account from one IP within minutes, then a successful login from that IP`,
      ids: [],
      seqs: [],
      from: '',
      to: '',
      ip: BURST.ip,
      target_user: BURST.target,
      success_after: { id: '', seq: 0 },
    },
    nightExport: {
      tenant: NIGHT_EXPORT.tenant,
      description: `${NIGHT_EXPORT.exports} exports of 25,000 patient records each between 03:00 and 03:30 UTC to an external address`,
      ids: [],
      seqs: [],
      from: '',
      to: '',
      user_id: NIGHT_EXPORT.user,
      ip: NIGHT_EXPORT.ip,
    },
    configChanges: [],
    highTemperature: {
      tenant: HIGH_TEMP.tenant,
      agent_id: HIGH_TEMP.agent,
      description: `production agent answered with temperature ${HIGH_TEMP.temperature}`,
      count: 0,
      ids: [],
      from: isoOf(HIGH_TEMP.from),
      to: isoOf(HIGH_TEMP.to),
      temperature: HIGH_TEMP.temperature,
    },
    relaxedProductionAgent: {
      tenant: RELAXED.tenant,
      agent_id: RELAXED.agent,
      description: 'production agent running with safety_mode relaxed',
      count: 0,
      ids: [],
      from: isoOf(RELAXED.from),
      to: isoOf(WINDOW_END_MS * 1000),
      safety_mode: 'relaxed',
    },
    apiKeyInModelConfig: {
      tenant: API_KEY.tenant,
      agent_id: API_KEY.agent,
      description: 'a provider API key stored inside model_config',
      count: 0,
      ids: [],
      from: isoOf(API_KEY.from),
      to: isoOf(API_KEY.to),
      key_prefix: 'sk-',
    },
    anomalies: { threshold: 0.7, above: 0, below: 0, incident_anomaly_ids: [] },
    metadataMissing: { before: isoOf(METADATA_MIGRATION_US), rows: 0 },
  };

  // --- audit_logs (+ anomalies gathered on the way, written after: they reference audit_logs.id)
  const audit = new CopyWriter(client, 'audit_logs', auditCols);
  const anomalies = new CopyWriter(client, 'audit_anomalies', await tableColumns(client, 'audit_anomalies'));
  const A = {
    id: audit.at('id'),
    seq: audit.at('seq'),
    tenant: audit.at('tenant_id'),
    type: audit.at('event_type'),
    etype: audit.at('entity_type'),
    eid: audit.at('entity_id'),
    sev: audit.at('severity'),
    user: audit.at('user_id'),
    details: audit.at('action_details'),
    ip: audit.at('ip_address'),
    created: audit.at('created_at'),
    prev: audit.at(profile.prevHashColumn),
    hash: audit.at(profile.hashColumn),
  };
  const N = {
    id: anomalies.at('id'),
    event: anomalies.at('audit_event_id'),
    tenant: anomalies.at('tenant_id'),
    score: anomalies.at('anomaly_score'),
    detected: anomalies.at('detected_at'),
    detector: anomalies.at('detector'),
    features: anomalies.at('features'),
    model: anomalies.at('model_version'),
  };
  const eventShares = splitByShare(events);
  const progressEvery = Math.max(1000, Math.floor(events / 50));
  let eventsDone = 0;

  for (let t = 0; t < TENANTS.length; t++) {
    const tenant = TENANTS[t]!;
    const rng = new Rng(seed, 100 + t);
    const anomalyRng = new Rng(seed, 400 + t);
    const planned = plannedEvents(tenant, new Rng(seed, 500 + t));
    const regular = Math.max(0, eventShares[t]! - planned.length);
    const model = new ActivityModel(tenant);
    const buildPayload = tenant.id === EXACT_PROFILE_TENANT ? buildV2 : buildV1;
    const tenantProfile = tenant.id === EXACT_PROFILE_TENANT ? JCS_EXACT_SHA256_V2 : profile;
    let prev = genesisOf(profile);
    let seq = 0;
    let next = 0;
    const row = audit.row;
    row[A.tenant] = tenant.id;

    const addAnomaly = (eventId: string, us: number, score: string, detector: string, features: Record<string, number | string>, incident: boolean) => {
      const r = anomalies.row;
      const id = anomalyRng.uuid();
      r[N.id] = id;
      r[N.event] = eventId;
      r[N.tenant] = tenant.id;
      r[N.score] = score;
      r[N.detected] = timestampText(us + (5 + anomalyRng.int(0, 50)) * 60_000_000 + anomalyRng.int(0, 999_999));
      r[N.detector] = detector;
      r[N.features] = JSON.stringify(features);
      r[N.model] = ANOMALY_MODEL;
      anomalies.push();
      counts[tenant.id]!.audit_anomalies++;
      if (Number(score) > incidents.anomalies.threshold) incidents.anomalies.above++;
      else incidents.anomalies.below++;
      if (incident) incidents.anomalies.incident_anomaly_ids.push(id);
    };

    const emit = (us: number, d: EventDraft | PlannedEvent['values']): string => {
      seq++;
      const id = rng.uuid();
      const created = timestampText(us);
      row[A.id] = id;
      row[A.seq] = String(seq);
      row[A.type] = d.event_type ?? null;
      row[A.etype] = d.entity_type ?? null;
      row[A.eid] = d.entity_id ?? null;
      row[A.sev] = d.severity ?? null;
      row[A.user] = d.user_id ?? null;
      row[A.details] = d.action_details ?? null;
      row[A.ip] = d.ip_address ?? null;
      row[A.created] = created;
      row[A.prev] = prev;
      row[A.hash] = null;
      const hash = chainHash(prev, buildPayload(row), tenantProfile);
      row[A.hash] = hash;
      audit.push();
      prev = hash;
      return id;
    };

    const emitPlanned = (p: PlannedEvent) => {
      const id = emit(p.us, p.values);
      const when = isoOf(p.us);
      if (p.tag === 'burst' || p.tag === 'export') {
        const target = p.tag === 'burst' ? incidents.failedLoginBurst : incidents.nightExport;
        target.ids.push(id);
        target.seqs.push(seq);
        if (!target.from) target.from = when;
        target.to = when;
      } else if (p.tag === 'burst-success') {
        incidents.failedLoginBurst.success_after = { id, seq };
      } else if (p.config) {
        incidents.configChanges.push({ ...p.config, id, seq, at: when });
      }
      if (p.anomaly) addAnomaly(id, p.us, p.anomaly.score, p.anomaly.detector, p.anomaly.features, true);
    };

    await forEachTimestamp(
      rng,
      regular,
      (us) => {
        while (next < planned.length && planned[next]!.us <= us) emitPlanned(planned[next++]!);
        const draft = model.draft(rng, us);
        const id = emit(us, draft);
        if (anomalyRng.chance(0.004)) {
          // Mostly noise below the 0.7 review threshold, some false positives above it.
          const high = anomalyRng.chance(0.15);
          const score = high ? 0.7001 + anomalyRng.next() * 0.2 : 0.05 + anomalyRng.next() * 0.6;
          addAnomaly(id, us, score.toFixed(4), 'isolation-forest', { hour_of_day: hourOf(us), event_type: draft.event_type, user_events_24h: anomalyRng.int(1, 400) }, false);
        }
        if (++eventsDone % progressEvery === 0) onProgress?.({ phase: 'audit_logs', done: eventsDone, total: events });
      },
      () => audit.flushIfFull(),
    );
    while (next < planned.length) emitPlanned(planned[next++]!);
    eventsDone += planned.length;
    counts[tenant.id]!.audit_logs = seq;
    await audit.flush();
  }
  await audit.end();
  await anomalies.end();
  onProgress?.({ phase: 'audit_logs', done: events, total: events });

  // --- conversations: about one per four events, multi-turn sessions
  const convCols = await tableColumns(client, 'conversation_audit_logs');
  const conv = new CopyWriter(client, 'conversation_audit_logs', convCols);
  const C = {
    id: conv.at('id'),
    tenant: conv.at('tenant_id'),
    agent: conv.at('agent_id'),
    session: conv.at('session_id'),
    channel: conv.at('channel'),
    prompt: conv.at('prompt'),
    response: conv.at('response'),
    info: conv.at('model_info'),
    ts: conv.at('timestamp'),
    provider: conv.at('model_provider'),
    name: conv.at('model_name'),
    version: conv.at('model_version'),
    deployment: conv.at('deployment_id'),
    temperature: conv.at('temperature'),
    safety: conv.at('safety_mode'),
    config: conv.at('model_config'),
  };
  const convTotal = Math.round(events / 4);
  const convShares = splitByShare(convTotal);
  let convDone = 0;
  const recordCapped = (target: { count: number; ids: string[] }, id: string) => {
    target.count++;
    if (target.ids.length < 1000) target.ids.push(id);
  };

  for (let t = 0; t < TENANTS.length; t++) {
    const tenant = TENANTS[t]!;
    const rng = new Rng(seed, 200 + t);
    const agentCum = cumulativeWeights(tenant.agents.map((a) => a.weight));
    const r = conv.row;
    r[C.tenant] = tenant.id;
    const apiKey = `sk-proj-${Array.from({ length: 40 }, () => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[rng.int(0, 61)]).join('')}`;

    const writeTurn = (agent: Agent, session: string, channel: string, us: number) => {
      const id = rng.uuid();
      const topic = rng.pick(tenant.topics);
      r[C.id] = id;
      r[C.agent] = agent.id;
      r[C.session] = session;
      r[C.channel] = channel;
      r[C.prompt] = topic.prompt(rng);
      r[C.response] = topic.response(rng);
      r[C.info] = `${agent.provider}/${agent.model}`;
      r[C.ts] = timestampText(us);
      const legacy = us < METADATA_MIGRATION_US || (channel === 'api' && rng.chance(0.03));
      if (legacy) {
        r[C.provider] = r[C.name] = r[C.version] = r[C.deployment] = r[C.temperature] = r[C.safety] = r[C.config] = null;
        incidents.metadataMissing.rows++;
      } else {
        r[C.provider] = agent.provider;
        r[C.name] = agent.model;
        r[C.version] = agent.version;
        r[C.deployment] = agent.deploymentId;
        r[C.temperature] = agent.temperature;
        r[C.safety] = agent.safetyMode;
        r[C.config] = agent.modelConfig;
        if (tenant.id === HIGH_TEMP.tenant && agent.id === HIGH_TEMP.agent && us >= HIGH_TEMP.from && us < HIGH_TEMP.to) {
          r[C.temperature] = HIGH_TEMP.temperature;
          recordCapped(incidents.highTemperature, id);
        }
        if (tenant.id === RELAXED.tenant && agent.id === RELAXED.agent && us >= RELAXED.from) {
          r[C.safety] = 'relaxed';
          recordCapped(incidents.relaxedProductionAgent, id);
        }
        if (tenant.id === API_KEY.tenant && agent.id === API_KEY.agent && us >= API_KEY.from && us < API_KEY.to) {
          r[C.config] = JSON.stringify({ ...(JSON.parse(agent.modelConfig) as object), api_key: apiKey });
          recordCapped(incidents.apiKeyInModelConfig, id);
        }
      }
      conv.push();
      counts[tenant.id]!.conversation_audit_logs++;
      if (++convDone % progressEvery === 0) onProgress?.({ phase: 'conversation_audit_logs', done: convDone, total: Math.max(convDone, convTotal) });
    };

    const session = (agent: Agent, start: number, turns: number) => {
      const id = `sess-${rng.uuid().slice(0, 8)}${rng.uuid().slice(24)}`;
      const channel = rng.pick(agent.channels);
      let us = start;
      for (let k = 0; k < turns && us < WINDOW_END_MS * 1000; k++) {
        writeTurn(agent, id, channel, us);
        us += (15 + rng.int(0, 165)) * 1_000_000 + rng.int(0, 999_999);
      }
    };

    // Sessions that make sure every planted conversation incident exists even in a small demo.
    const agentById = (id: string) => tenant.agents.find((a) => a.id === id)!;
    if (tenant.id === HIGH_TEMP.tenant) session(agentById(HIGH_TEMP.agent), HIGH_TEMP.from + 47 * 60_000_000, 3);
    if (tenant.id === RELAXED.tenant) session(agentById(RELAXED.agent), RELAXED.from + 12 * 60_000_000, 4);
    if (tenant.id === API_KEY.tenant) session(agentById(API_KEY.agent), API_KEY.from + 15 * 60_000_000, 2);

    // Sessions start on the office-hours rhythm; each brings 1–6 turns a few minutes apart
    // (3.5 on average), which keeps the total near events/4.
    await forEachTimestamp(
      rng,
      Math.round(convShares[t]! / 3.5),
      (us) => {
        session(rng.weighted(tenant.agents, agentCum), us, rng.int(1, 6));
      },
      () => conv.flushIfFull(),
    );
  }
  await conv.end();
  onProgress?.({ phase: 'conversation_audit_logs', done: convDone, total: convDone });

  // --- access log: auditors and admins looking at the logs
  const access = new CopyWriter(client, 'audit_access_log', await tableColumns(client, 'audit_access_log'));
  const X = { id: access.at('id'), tenant: access.at('tenant_id'), user: access.at('user_id'), type: access.at('access_type'), params: access.at('query_parameters'), at: access.at('accessed_at') };
  const accessShares = splitByShare(Math.round(events / 20));
  for (let t = 0; t < TENANTS.length; t++) {
    const tenant = TENANTS[t]!;
    const rng = new Rng(seed, 300 + t);
    const r = access.row;
    r[X.tenant] = tenant.id;
    await forEachTimestamp(
      rng,
      accessShares[t]!,
      (us) => {
        r[X.id] = rng.uuid();
        r[X.user] = rng.chance(0.6) ? rng.pick(tenant.admins) : rng.pick(tenant.users);
        const type = rng.pick(['dashboard_view', 'log_search', 'log_search', 'compliance_export', 'api_query']);
        r[X.type] = type;
        const day = Math.floor(us / 86_400_000_000);
        r[X.params] =
          type === 'dashboard_view'
            ? JSON.stringify({ dashboard: rng.pick(['overview', 'anomalies', 'models']) })
            : JSON.stringify({ from: dayText(day - rng.int(1, 30)), to: dayText(day), event_type: rng.pick(['export', 'login_failed', 'delete', null]), limit: rng.pick([50, 100, 500]) });
        r[X.at] = timestampText(us);
        access.push();
        counts[tenant.id]!.audit_access_log++;
      },
      () => access.flushIfFull(),
    );
  }
  await access.end();
  return { counts, incidents };
}
