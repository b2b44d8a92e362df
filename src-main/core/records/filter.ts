// The filter every front door shares: the timeline, facet counts, the CLI's
// export flags and the manifest all speak this one shape. SQL is built only from
// fixed column names; every user value is a bound parameter.
import { z } from 'zod';

const list = z.array(z.string().max(500)).max(200).optional();

export const recordFilterSchema = z
  .object({
    tenant: list,
    kind: z.enum(['all', 'event', 'conversation']).default('all'),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    agent: list,
    session: list,
    channel: list,
    eventType: list,
    severity: list,
    user: list,
    modelProvider: list,
    modelName: list,
    modelVersion: list,
    deploymentId: list,
    safetyMode: list,
    temperatureMin: z.number().finite().optional(),
    temperatureMax: z.number().finite().optional(),
    minAnomalyScore: z.number().min(0).max(1).optional(),
    text: z.string().max(500).optional(),
  })
  .strict();

export type RecordFilter = z.output<typeof recordFilterSchema>;
export type RecordFilterInput = z.input<typeof recordFilterSchema>;

/** Facet name → the records column it filters and counts. */
export const FACET_COLUMNS = {
  tenant: 'tenant_id',
  agent: 'agent_id',
  session: 'session_id',
  channel: 'channel',
  eventType: 'event_type',
  severity: 'severity',
  user: 'user_id',
  modelProvider: 'model_provider',
  modelName: 'model_name',
  modelVersion: 'model_version',
  deploymentId: 'deployment_id',
  safetyMode: 'safety_mode',
} as const;

export type FacetName = keyof typeof FACET_COLUMNS;
export const FACET_NAMES = Object.keys(FACET_COLUMNS) as FacetName[];

/** Turns free text into an FTS5 query of quoted terms, so operators and quotes in user input stay literal. */
export function ftsQuery(text: string): string | null {
  const terms = text
    .split(/\s+/)
    .map((t) => t.replace(/"/g, '""'))
    .filter((t) => t.length > 0)
    .slice(0, 20);
  if (!terms.length) return null;
  return terms.map((t) => `"${t}"`).join(' ');
}

export interface WhereClause {
  sql: string; // "" or "WHERE …"
  params: unknown[];
}

/**
 * WHERE over `records r`. `skipFacet` leaves one facet out, which is how facet
 * counts show the other values the user could still pick.
 */
export function buildWhere(filter: RecordFilter, skipFacet?: FacetName): WhereClause {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.kind !== 'all') {
    parts.push('r.kind = ?');
    params.push(filter.kind);
  }
  for (const facet of FACET_NAMES) {
    if (facet === skipFacet) continue;
    const values = filter[facet];
    if (!values || values.length === 0) continue;
    parts.push(`r.${FACET_COLUMNS[facet]} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  }
  if (filter.from) {
    parts.push('r.ts >= ?');
    params.push(normaliseBound(filter.from));
  }
  if (filter.to) {
    parts.push('r.ts < ?');
    params.push(normaliseBound(filter.to));
  }
  if (filter.temperatureMin !== undefined) {
    parts.push('r.temperature_num >= ?');
    params.push(filter.temperatureMin);
  }
  if (filter.temperatureMax !== undefined) {
    parts.push('r.temperature_num <= ?');
    params.push(filter.temperatureMax);
  }
  if (filter.minAnomalyScore !== undefined) {
    parts.push(
      'r.kind = \'event\' AND EXISTS (SELECT 1 FROM anomalies a WHERE a.audit_event_id = r.source_key AND a.tenant_id = r.tenant_id AND a.anomaly_score >= ?)',
    );
    params.push(filter.minAnomalyScore);
  }
  if (filter.text) {
    const q = ftsQuery(filter.text);
    if (q) {
      parts.push('r.rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)');
      params.push(q);
    }
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/**
 * Accepts an ISO date or date-time and returns the canonical UTC text the cache
 * stores (lexicographic order = time order). Rejects anything else by name.
 */
export function normaliseBound(value: string): string {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00:00.000000Z`;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(d.getTime())) {
    throw new Error(`"${value}" is not an ISO date or date-time; use e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  }
  const micro = /\.(\d{1,6})/.exec(v)?.[1]?.padEnd(6, '0') ?? '000000';
  return `${d.toISOString().slice(0, 19)}.${micro}Z`;
}
