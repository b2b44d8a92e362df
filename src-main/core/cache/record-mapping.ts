// How a source row becomes a cache row and back. Sync writes with toRecord();
// offline verification and exports rebuild the exact source values with
// fromRecord(), so the hash payload computed from the cache equals the one
// computed from the source.
import { canonicalTimestamp, typeCategory, type ColumnType } from '../chain/canonical.js';

import type { TableKind } from '../contract/connection-profile.js';
import { UserError } from '../util/errors.js';
import { REBUILD_HINT } from '../util/storage-errors.js';

// Re-exported: the table kinds are named in the contract (a leaf, issue 12).
export type { TableKind };

/** A source column as stored in source_tables.columns_json. */
export interface MappedColumn extends ColumnType {
  /** The cache column that holds it; null means it is kept in `extra`. */
  field: string | null;
}

/** Our field names per table kind. `source_key` holds the row id, `ts` the canonical time. */
export const KNOWN_FIELDS: Record<TableKind, Record<string, string>> = {
  events: {
    id: 'source_key',
    seq: 'seq',
    tenant_id: 'tenant_id',
    event_type: 'event_type',
    entity_type: 'entity_type',
    entity_id: 'entity_id',
    severity: 'severity',
    user_id: 'user_id',
    action_details: 'action_details',
    ip_address: 'ip_address',
    created_at: 'ts',
    prev_hash: 'prev_hash',
    hash: 'hash',
  },
  conversations: {
    id: 'source_key',
    tenant_id: 'tenant_id',
    agent_id: 'agent_id',
    session_id: 'session_id',
    channel: 'channel',
    prompt: 'prompt',
    response: 'response',
    model_info: 'model_info',
    timestamp: 'ts',
    model_provider: 'model_provider',
    model_name: 'model_name',
    model_version: 'model_version',
    deployment_id: 'deployment_id',
    temperature: 'temperature',
    safety_mode: 'safety_mode',
    model_config: 'model_config',
  },
  anomalies: {
    id: 'source_key',
    audit_event_id: 'audit_event_id',
    tenant_id: 'tenant_id',
    anomaly_score: 'score_text',
    detected_at: 'detected_at',
    detector: 'detector',
    features: 'features',
    model_version: 'model_version',
  },
  access: {
    id: 'source_key',
    tenant_id: 'tenant_id',
    user_id: 'user_id',
    access_type: 'access_type',
    query_parameters: 'query_parameters',
    accessed_at: 'accessed_at',
  },
};

/** Fields stored as canonical UTC time text rather than as printed. */
const TIME_FIELDS = new Set(['ts', 'detected_at', 'accessed_at']);

/**
 * Whether the cache stores a column's values as canonical UTC time text rather than as
 * printed: the rule the insert, the read-back form, the first fill's statement and the
 * server's recheck text all follow.
 */
export function storedAsUtcTime(field: string | null, type: string): boolean {
  return field !== null && TIME_FIELDS.has(field) && typeCategory(type) === 'timestamp';
}

/**
 * Assigns each source column its cache field: the profile's explicit mapping first
 * (e.g. {"occurred_at": "created_at"} for a customer's own column names), then our
 * known names; anything else is kept as an extra field.
 */
export function mapColumns(kind: TableKind, columns: readonly ColumnType[], rename: Record<string, string> = {}): MappedColumn[] {
  const known = KNOWN_FIELDS[kind];
  const used = new Set<string>();
  return columns.map((c) => {
    const ourName = rename[c.name] ?? c.name;
    const field = known[ourName] ?? null;
    if (field && used.has(field)) return { ...c, field: null };
    if (field) used.add(field);
    return { name: c.name, type: c.type, field };
  });
}

export type CacheRow = Record<string, string | number | bigint | null>;

/** Source values (text as PostgreSQL printed, or null) → cache columns. */
export function toRecord(columns: readonly MappedColumn[], values: readonly (string | null)[]): CacheRow {
  const row: CacheRow = {};
  let extra: Record<string, string | null> | null = null;
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!;
    const v = values[i] ?? null;
    if (!col.field) {
      (extra ??= {})[col.name] = v;
      continue;
    }
    if (v === null) row[col.field] = null;
    else if (storedAsUtcTime(col.field, col.type)) row[col.field] = canonicalTimestamp(v);
    else if (col.field === 'seq') row[col.field] = BigInt(v);
    else row[col.field] = v;
  }
  row.extra = extra ? JSON.stringify(extra) : null;
  if ('temperature' in row) row.temperature_num = numericOrNull(row.temperature);
  if ('score_text' in row) row.anomaly_score = numericOrNull(row.score_text);
  return row;
}

/**
 * Cache columns → the source values in source column order. Read rows with
 * `stmt.safeIntegers(true)` so a bigint seq comes back exact.
 */
export function fromRecord(columns: readonly MappedColumn[], row: Readonly<CacheRow>): (string | null)[] {
  let extra: Record<string, string | null> | undefined;
  return columns.map((col) => {
    if (!col.field) {
      extra ??= row.extra ? parseExtraColumns(row.extra, () => cachedRowRef(row.seq, row.source_key)) : {};
      return extra[col.name] ?? null;
    }
    const v = row[col.field];
    return v === null || v === undefined ? null : String(v);
  });
}

/**
 * A cached row whose stored values cannot be read back (its extra columns are not the JSON
 * object the sync wrote): the cache file was damaged, and no value of the row can be trusted.
 */
export class UnreadableCachedRow extends UserError {
  constructor(readonly row: string | null) {
    super(`the local cache is damaged: ${row ? `row ${row}` : 'a row'} holds extra columns that are not the JSON the sync wrote.`, 'E_CACHE_CORRUPT', REBUILD_HINT);
  }
}

/** A cached row's extra columns ({"name": "text as printed"}); `rowRef` names the row if they cannot be read. */
export function parseExtraColumns(text: unknown, rowRef: () => string | null): Record<string, string | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(text));
  } catch {
    parsed = null;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, string | null>;
  throw new UnreadableCachedRow(rowRef());
}

/**
 * How a cached row is named in a damage report and in cache_damage: "seq N" for a chained
 * row, else "id K" (its source key); null when neither is known.
 */
export function cachedRowRef(seq: unknown, key: unknown): string | null {
  if (seq !== null && seq !== undefined) return `seq ${String(seq)}`;
  return key !== null && key !== undefined ? `id ${String(key)}` : null;
}

/**
 * The values a row read back from the cache gives (fromRecord of toRecord) from the values
 * as PostgreSQL printed them, without the round trip: times in canonical UTC text, the seq
 * as its integer prints, and where two columns fill one field or one extra name, the later
 * one's value for both. A first fill states its rows in this form (verify/hashed-rows.ts),
 * so the next read of the cache finds the same content.
 */
export function cachedFormOf(columns: readonly MappedColumn[]): (values: readonly (string | null)[]) => (string | null)[] {
  const lastOf = new Map<string, number>();
  columns.forEach((col, i) => lastOf.set(col.field ? `f:${col.field}` : `x:${col.name}`, i));
  const read = columns.map((col) => {
    const from = lastOf.get(col.field ? `f:${col.field}` : `x:${col.name}`)!;
    if (!col.field) return (v: readonly (string | null)[]) => v[from] ?? null;
    const source = columns[from]!;
    if (storedAsUtcTime(col.field, source.type)) return (v: readonly (string | null)[]) => (v[from] == null ? null : canonicalTimestamp(v[from]!));
    if (col.field === 'seq') return (v: readonly (string | null)[]) => (v[from] == null ? null : BigInt(v[from]!).toString());
    return (v: readonly (string | null)[]) => v[from] ?? null;
  });
  return (values) => read.map((get) => get(values));
}

function numericOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(String(v).trim());
  return String(v).trim() !== '' && Number.isFinite(n) ? n : null;
}
