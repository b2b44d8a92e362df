// The filter every front door shares: the timeline, facet counts, the CLI's
// export flags and the manifest all speak this one shape. SQL is built only from
// fixed column names; every user value is a bound parameter.
import { UserError } from '../util/errors.js';
import { recordFilterSchema, FACET_NAMES, type FacetName, type RecordFilter, type RecordFilterInput } from '../contract/record-filter.js';

// Re-exported: the schema and the facet names moved to the contract (a leaf, issue 12).
export { recordFilterSchema, FACET_NAMES, type FacetName, type RecordFilter, type RecordFilterInput };

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
} as const satisfies Record<FacetName, string>;

/** Columns only one kind of record has (record-mapping gives each kind its own fields). */
export const EVENT_ONLY: ReadonlySet<FacetName> = new Set(['eventType', 'severity', 'user']);
export const CONVERSATION_ONLY: ReadonlySet<FacetName> = new Set(['agent', 'session', 'channel', 'modelProvider', 'modelName', 'modelVersion', 'deploymentId', 'safetyMode']);

/** The kind every row matching the filter (minus `skip`) must have, if the filter decides it. */
export function impliedKind(filter: RecordFilter, skip?: FacetName): 'event' | 'conversation' | null {
  const selected = (f: FacetName) => f !== skip && (filter[f]?.length ?? 0) > 0;
  if (filter.kind !== 'all') return filter.kind;
  if ([...CONVERSATION_ONLY].some(selected) || filter.temperatureMin !== undefined || filter.temperatureMax !== undefined) {
    return 'conversation';
  }
  if ([...EVENT_ONLY].some(selected) || filter.minAnomalyScore !== undefined) return 'event';
  return null;
}

/**
 * Turns free text into an FTS5 query of quoted terms, so operators and quotes in user
 * input stay literal. Terms without a letter or digit are dropped (the tokenizer would
 * make them empty phrases). The last term matches as a prefix, so results follow typing.
 * Returns null for blank text, and '' when the text holds nothing searchable.
 */
export function ftsQuery(text: string): string | null {
  if (!text.trim()) return null;
  const terms = text
    .split(/\s+/)
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
    .map((t) => t.replace(/"/g, '""'))
    .slice(0, 20);
  if (!terms.length) return '';
  return terms.map((t, i) => (i === terms.length - 1 ? `"${t}"*` : `"${t}"`)).join(' ');
}

/**
 * rids of cached events with an anomaly scored at or above the one bound parameter.
 * CROSS JOIN keeps the (few) anomalies as the outer loop: each finds its event through
 * the records unique key, instead of every record probing the anomalies.
 */
export const ANOMALOUS_RIDS_SQL = `SELECT ev.rid FROM anomalies a
  CROSS JOIN records ev
  WHERE a.anomaly_score >= ?
    AND ev.table_id IN (SELECT table_id FROM source_tables WHERE kind = 'events')
    AND ev.tenant_id = a.tenant_id AND ev.source_key = a.audit_event_id`;

export interface WhereClause {
  sql: string; // "" or "WHERE …"
  params: unknown[];
}

/**
 * WHERE over `records r`. `skipFacet` leaves one facet out, which is how facet
 * counts show the other values the user could still pick.
 */
export function buildWhere(filter: RecordFilter, skipFacet?: FacetName | 'kind' | 'temperature' | 'anomalyScore'): WhereClause {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.kind !== 'all' && skipFacet !== 'kind') {
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
  if (filter.temperatureMin !== undefined && skipFacet !== 'temperature') {
    parts.push('r.temperature_num >= ?');
    params.push(filter.temperatureMin);
  }
  if (filter.temperatureMax !== undefined && skipFacet !== 'temperature') {
    parts.push('r.temperature_num <= ?');
    params.push(filter.temperatureMax);
  }
  if (filter.minAnomalyScore !== undefined && skipFacet !== 'anomalyScore') {
    // Driven from the (small) anomalies table through the records unique key, not by
    // probing every record: stays fast on a million rows.
    parts.push(`r.rid IN (${ANOMALOUS_RIDS_SQL})`);
    params.push(filter.minAnomalyScore);
  }
  if (filter.text) {
    const q = ftsQuery(filter.text);
    if (q === '') parts.push('0');
    else if (q) {
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
    throw new UserError(`"${value.slice(0, 60)}" is not an ISO date or date-time.`, 'E_INPUT', 'Use e.g. 2026-01-31 or 2026-01-31T12:00:00Z.');
  }
  const micro = /\.(\d{1,6})/.exec(v)?.[1]?.padEnd(6, '0') ?? '000000';
  return `${d.toISOString().slice(0, 19)}.${micro}Z`;
}
