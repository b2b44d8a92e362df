// Model/config findings over a tenant's conversation logs: risky temperatures,
// relaxed safety modes, secrets inside model_config (reported REDACTED, never the
// secret), and model versions outside the approved set. Shared by the UI and export.
import type { CacheDb } from '../cache/open.js';
import type { Finding } from '../contract/anomalies.js';
import { buildWhere, type RecordFilter, type RecordFilterInput } from '../records/filter.js';
import { stmt } from '../records/sql.js';
import { rollupCovers } from '../records/rollup.js';

export const HIGH_TEMPERATURE = 0.8;
/** Safety modes that weaken the provider's guardrails. */
export const RELAXED_SAFETY_MODES = ['relaxed', 'off', 'none', 'disabled', 'permissive'];

export interface FindingsOptions {
  filter?: RecordFilter | undefined;
  /** "provider/model" → approved versions. Models not listed use `minShare`. */
  approvedVersions?: Record<string, string[]> | undefined;
  /** Without a list, a version seen in fewer than this share of its model's calls is unapproved. */
  minShare?: number | undefined;
}

interface GroupRow {
  agent_id: string | null;
  model_provider: string | null;
  model_name: string | null;
  model_version: string | null;
  deployment_id: string | null;
  n: number;
}

export function findings(db: CacheDb, tenant: string, opts: FindingsOptions = {}): Finding[] {
  const base = scope(tenant, opts.filter);
  // Group counts come from the per-day rollup when the filter allows (migration 003):
  // a tenant's conversations are not read row by row for every kind of finding.
  const src: Source = !opts.filter || rollupCovers(opts.filter) ? { table: 'records_rollup', n: 'sum(r.n)' } : { table: 'records', n: 'count(*)' };
  const out: Finding[] = [];

  // Temperatures above 0.8 (stored as text; temperature_num is the numeric view).
  const hot = stmt(
    db,
    `SELECT ${GROUP_BY}, r.temperature_num AS t, ${src.n} AS n FROM ${src.table} r ${base.sql} AND r.temperature_num > ?
      GROUP BY ${GROUP_BY}, r.temperature_num HAVING n > 0 ORDER BY t DESC, n DESC`,
  ).all(...base.params, HIGH_TEMPERATURE) as (GroupRow & { t: number })[];
  for (const g of hot) {
    const f = finding(db, base, 'high_temperature', g.t > 1 ? 'high' : 'medium', tenant, g, '', null, {
      sql: 'r.temperature_num = ?',
      params: [g.t],
      filter: { temperatureMin: g.t, temperatureMax: g.t },
    });
    f.title = `temperature ${f.printed ?? g.t} ${where(g)}`;
    out.push(strip(f));
  }

  const relaxed = stmt(
    db,
    `SELECT ${GROUP_BY}, r.safety_mode AS mode, ${src.n} AS n FROM ${src.table} r ${base.sql}
        AND lower(r.safety_mode) IN (SELECT value FROM json_each(?)) GROUP BY ${GROUP_BY}, r.safety_mode HAVING n > 0 ORDER BY n DESC`,
  ).all(...base.params, JSON.stringify(RELAXED_SAFETY_MODES)) as (GroupRow & { mode: string })[];
  for (const g of relaxed) {
    out.push(
      strip(
        finding(db, base, 'relaxed_safety', 'medium', tenant, g, `safety mode "${g.mode}" ${where(g)}`, null, {
          sql: 'r.safety_mode IS ?',
          params: [g.mode],
          filter: { safetyMode: [g.mode] },
        }),
      ),
    );
  }

  // model_config is not rolled up: one pass over the tenant's conversations with a cheap
  // LIKE prefilter, exact detection in JS on the (few) distinct configs.
  const configs = stmt(
    db,
    `SELECT ${GROUP_BY}, count(*) AS n, r.model_config AS config FROM records r ${base.sql}
        AND (r.model_config LIKE '%sk-%' OR r.model_config LIKE '%key%' OR r.model_config LIKE '%token%'
             OR r.model_config LIKE '%secret%' OR r.model_config LIKE '%passw%')
      GROUP BY ${GROUP_BY}, r.model_config ORDER BY n DESC`,
  ).all(...base.params) as (GroupRow & { config: string })[];
  for (const g of configs) {
    const secrets = findSecrets(g.config);
    if (!secrets.length) continue;
    out.push(
      strip(
        finding(db, base, 'secret_in_config', 'high', tenant, g, `secret in model_config ${where(g)}`, secrets.join('; '), {
          sql: 'r.model_config IS ?',
          params: [g.config],
        }),
      ),
    );
  }

  out.push(...unapprovedVersions(db, base, src, tenant, opts));
  return out;
}

interface Source {
  table: 'records' | 'records_rollup';
  n: string;
}

const GROUP_BY = 'r.agent_id, r.model_provider, r.model_name, r.model_version, r.deployment_id';

interface Scope {
  sql: string;
  params: unknown[];
  /** the same scope in the timeline's filter language */
  filter?: RecordFilterInput;
}

/** The filter's conditions (column names shared by records and records_rollup) plus tenant and kind. */
function scope(tenant: string, filter?: RecordFilter): Scope {
  const w = filter ? buildWhere(filter) : { sql: '', params: [] };
  const parts = [w.sql ? `(${w.sql.slice('WHERE '.length)})` : null, 'r.tenant_id = ?', "r.kind = 'conversation'"].filter(Boolean);
  return { sql: `WHERE ${parts.join(' AND ')}`, params: [...w.params, tenant], filter: { ...filter, tenant: [tenant], kind: 'conversation' } };
}

type Draft = Finding & { printed?: string | null };

function strip(f: Draft): Finding {
  const { printed: _printed, ...finding } = f;
  return finding;
}

/** A finding for one group, with sample rows and exact first/last times read from records. */
function finding(db: CacheDb, base: Scope, kind: Finding['kind'], severity: Finding['severity'], tenant: string, g: GroupRow, title: string, excerpt: string | null, extra: Scope): Draft {
  const related: RecordFilterInput = { ...base.filter, ...extra.filter };
  // A facet narrows to a known value only: a group without an agent (NULL) stays wider.
  if (g.agent_id !== null) related.agent = [g.agent_id];
  if (g.model_provider !== null) related.modelProvider = [g.model_provider];
  if (g.model_name !== null) related.modelName = [g.model_name];
  if (g.model_version !== null) related.modelVersion = [g.model_version];
  if (g.deployment_id !== null) related.deploymentId = [g.deployment_id];
  const cond = `${base.sql} AND r.agent_id IS ? AND r.model_provider IS ? AND r.model_name IS ? AND r.model_version IS ?
      AND r.deployment_id IS ? AND ${extra.sql}`;
  const params = [...base.params, g.agent_id, g.model_provider, g.model_name, g.model_version, g.deployment_id, ...extra.params];
  const first = stmt(db, `SELECT r.rid, r.ts, r.temperature FROM records r ${cond} ORDER BY r.ts, r.rid LIMIT 5`).all(...params) as {
    rid: number;
    ts: string | null;
    temperature: string | null;
  }[];
  const last = stmt(db, `SELECT r.ts FROM records r ${cond} ORDER BY r.ts DESC, r.rid DESC LIMIT 1`).get(...params) as { ts: string | null } | undefined;
  return {
    kind,
    severity,
    tenant,
    title,
    agentId: g.agent_id,
    modelProvider: g.model_provider,
    modelName: g.model_name,
    modelVersion: g.model_version,
    deploymentId: g.deployment_id,
    count: g.n,
    firstTs: first[0]?.ts ?? null,
    lastTs: last?.ts ?? null,
    sampleRids: first.map((r) => r.rid),
    related,
    excerpt,
    printed: first[0]?.temperature ?? null,
  };
}

function where(g: GroupRow): string {
  const model = [g.model_provider, g.model_name, g.model_version].filter(Boolean).join(' ');
  const deployment = g.deployment_id ? `, deployment ${g.deployment_id}` : '';
  return `on agent ${g.agent_id ?? '(none)'}${model ? ` (${model}${deployment})` : ''}`;
}

function unapprovedVersions(db: CacheDb, base: Scope, src: Source, tenant: string, opts: FindingsOptions): Finding[] {
  const minShare = opts.minShare ?? 0.05;
  const versions = stmt(
    db,
    `SELECT r.model_provider AS provider, r.model_name AS model, r.model_version AS version, ${src.n} AS n
       FROM ${src.table} r ${base.sql} AND r.model_name IS NOT NULL
      GROUP BY r.model_provider, r.model_name, r.model_version HAVING n > 0`,
  ).all(...base.params) as { provider: string | null; model: string; version: string | null; n: number }[];
  const totals = new Map<string, number>();
  for (const v of versions) totals.set(modelKey(v.provider, v.model), (totals.get(modelKey(v.provider, v.model)) ?? 0) + v.n);
  const out: Finding[] = [];
  for (const v of versions) {
    const key = modelKey(v.provider, v.model);
    const approved = opts.approvedVersions?.[key];
    const isApproved = approved ? v.version !== null && approved.includes(v.version) : v.n / totals.get(key)! >= minShare;
    if (isApproved) continue;
    const reason = approved ? 'not in the approved list' : `${((v.n / totals.get(key)!) * 100).toFixed(1)}% of ${key} calls`;
    const groups = stmt(
      db,
      `SELECT ${GROUP_BY}, ${src.n} AS n FROM ${src.table} r ${base.sql}
          AND r.model_provider IS ? AND r.model_name IS ? AND r.model_version IS ?
        GROUP BY ${GROUP_BY} HAVING n > 0 ORDER BY n DESC`,
    ).all(...base.params, v.provider, v.model, v.version) as GroupRow[];
    for (const g of groups) {
      const title = `unapproved version ${v.version ?? '(none)'} of ${key} (${reason}) ${where(g)}`;
      out.push(strip(finding(db, base, 'unapproved_model_version', 'medium', tenant, g, title, null, { sql: '1', params: [] })));
    }
  }
  return out;
}

function modelKey(provider: string | null, model: string): string {
  return `${provider ?? '(none)'}/${model}`;
}

const SECRET_KEY = /(^|[_-])(api[_-]?key|apikey|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|bearer[_-]?token|token|secret|client[_-]?secret|password|passwd)$/i;
const SECRET_VALUE = /\b(sk-[A-Za-z0-9_-]{6,}|sk_live_[A-Za-z0-9]{6,}|xox[abpr]-[A-Za-z0-9-]{6,}|AKIA[0-9A-Z]{12,}|gh[pousr]_[A-Za-z0-9]{12,})/g;

/**
 * Secrets in a model_config text, as REDACTED excerpts (`api_key: "sk-…[REDACTED 48 chars]"`).
 * Only a recognisable prefix survives; the secret itself never leaves this function.
 */
export function findSecrets(config: string | null): string[] {
  if (!config) return [];
  const out: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(config);
  } catch {
    parsed = undefined;
  }
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      const name = path.split('.').pop() ?? '';
      if (SECRET_KEY.test(name) && value.trim() && !isPlaceholder(value)) out.push(`${path}: "${redact(value)}"`);
      else for (const m of value.matchAll(SECRET_VALUE)) out.push(`${path}: "${redact(m[0])}"`);
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  if (parsed !== undefined) walk(parsed, '');
  else for (const m of config.matchAll(SECRET_VALUE)) out.push(`"${redact(m[0])}"`);
  return out;
}

function isPlaceholder(v: string): boolean {
  return /^(\$\{[^}]+\}|\$[A-Z_]+|<[^>]+>|\*+|redacted|\[redacted\]|env:.+|vault:.+)$/i.test(v.trim());
}

export function redact(secret: string): string {
  const prefix = /^(sk-|sk_live_|xox[abpr]-|AKIA|gh[pousr]_)/.exec(secret)?.[0] ?? '';
  return `${prefix}…[REDACTED ${secret.length} chars]`;
}
