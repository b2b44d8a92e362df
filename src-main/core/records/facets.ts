// Facet counts. Each facet is counted under every filter except its own selection
// (so the values a user could still add stay visible), one GROUP BY per facet:
// on records_rollup when the filter allows (tens of thousands of rows instead of a
// million), else on records through its (column, ts) index. Results are cached per
// facet and effective filter until the cache changes: a change to one facet
// recounts the others, never itself.
import type { CacheDb } from '../cache/open.js';
import type { FacetResult, FacetsResult, RangeBucket, RangeFacetName } from '../contract/records.js';
import { FACET_COLUMNS, FACET_NAMES, buildWhere, type FacetName, type RecordFilter } from './filter.js';
import { ROLLUP_FACETS, rollupCovers } from './rollup.js';
import { countRecords } from './query.js';
import { cacheGeneration, perDb, stmt } from './sql.js';

export interface FacetsInput {
  filter: RecordFilter;
  facets?: (FacetName | RangeFacetName)[] | undefined;
  limit: number;
}

type Cached = FacetResult | RangeBucket[] | { event: number; conversation: number };
const facetCache = perDb<Cached>();

export const TEMPERATURE_BUCKETS: readonly [number | null, number | null, string][] = [
  [null, 0.3, '< 0.3'],
  [0.3, 0.7, '0.3 – 0.7'],
  [0.7, 0.8, '0.7 – 0.8'],
  [0.8, 1.0, '0.8 – 1.0'],
  [1.0, null, '≥ 1.0'],
];

export const ANOMALY_SCORE_BUCKETS: readonly [number | null, number | null, string][] = [
  [0.9, null, '≥ 0.9'],
  [0.7, 0.9, '0.7 – 0.9'],
  [0.5, 0.7, '0.5 – 0.7'],
  [null, 0.5, '< 0.5'],
];

export function recordFacets(db: CacheDb, input: FacetsInput): FacetsResult {
  const wanted = input.facets ?? [...FACET_NAMES, 'kind', 'temperature', 'anomalyScore'];
  const generation = cacheGeneration(db);
  const cache = facetCache(db);
  const result: FacetsResult = { facets: {} };
  for (const facet of new Set(wanted)) {
    const where = buildWhere(input.filter, facet);
    const key = JSON.stringify([facet, input.limit, where.sql, where.params]);
    let value = cache.get(generation, key);
    if (!value && isFacetName(facet)) value = emptyByKind(db, input.filter, facet);
    if (!value) {
      const rolled =
        facet !== 'anomalyScore' && (!isFacetName(facet) || ROLLUP_FACETS.has(facet)) && rollupCovers(input.filter, facet);
      value = computeFacet(db, facet, where.sql, where.params, input.limit, rolled ? ROLLUP : RECORDS);
      cache.set(generation, key, value);
    }
    if (facet === 'kind') result.kind = value as { event: number; conversation: number };
    else if (facet === 'temperature') result.temperature = value as RangeBucket[];
    else if (facet === 'anomalyScore') result.anomalyScore = value as RangeBucket[];
    else result.facets[facet] = value as FacetResult;
  }
  return result;
}

/** Columns only one kind of record has (record-mapping gives each kind its own fields). */
const EVENT_ONLY: ReadonlySet<FacetName> = new Set(['eventType', 'severity', 'user']);
const CONVERSATION_ONLY: ReadonlySet<FacetName> = new Set([
  'agent', 'session', 'channel', 'modelProvider', 'modelName', 'modelVersion', 'deploymentId', 'safetyMode',
]);

/** The kind every row matching the filter (minus `skip`) must have, if the filter decides it. */
export function impliedKind(filter: RecordFilter, skip: FacetName): 'event' | 'conversation' | null {
  const selected = (f: FacetName) => f !== skip && (filter[f]?.length ?? 0) > 0;
  if (filter.kind !== 'all') return filter.kind;
  if ([...CONVERSATION_ONLY].some(selected) || filter.temperatureMin !== undefined || filter.temperatureMax !== undefined) {
    return 'conversation';
  }
  if ([...EVENT_ONLY].some(selected) || filter.minAnomalyScore !== undefined) return 'event';
  return null;
}

/**
 * A facet of the other kind's column (user under a model filter, session under an
 * event-type filter) is empty on every matching row: one cheap count, no scan.
 */
function emptyByKind(db: CacheDb, filter: RecordFilter, facet: FacetName): FacetResult | undefined {
  const kind = impliedKind(filter, facet);
  const otherKind = (kind === 'conversation' && EVENT_ONLY.has(facet)) || (kind === 'event' && CONVERSATION_ONLY.has(facet));
  if (!otherKind) return undefined;
  const { total } = countRecords(db, { ...filter, [facet]: undefined });
  return { values: total ? [{ value: null, count: total }] : [], truncated: false };
}

/** Where counts come from: records (one row each) or records_rollup (n rows each). */
interface CountSource {
  table: 'records' | 'records_rollup';
  count: string;
}
const RECORDS: CountSource = { table: 'records', count: 'count(*)' };
const ROLLUP: CountSource = { table: 'records_rollup', count: 'sum(r.n)' };

function isFacetName(f: string): f is FacetName {
  return (FACET_NAMES as string[]).includes(f);
}

function computeFacet(
  db: CacheDb,
  facet: FacetName | RangeFacetName,
  whereSql: string,
  params: unknown[],
  limit: number,
  src: CountSource,
): Cached {
  const and = whereSql ? `${whereSql} AND` : 'WHERE';
  if (facet === 'kind') {
    const rows = stmt(db, `SELECT r.kind AS v, ${src.count} AS n FROM ${src.table} r ${whereSql} GROUP BY r.kind`).all(...params) as {
      v: 'event' | 'conversation';
      n: number;
    }[];
    const out = { event: 0, conversation: 0 };
    for (const r of rows) out[r.v] = r.n;
    return out;
  }
  if (facet === 'temperature') {
    return rangeCounts(db, TEMPERATURE_BUCKETS, 'r.temperature_num', src.count, `FROM ${src.table} r ${and} r.temperature_num IS NOT NULL`, params);
  }
  if (facet === 'anomalyScore') {
    // Anomalies are few: start from them, then keep the events the filter admits.
    return rangeCounts(
      db,
      ANOMALY_SCORE_BUCKETS,
      'm.score',
      'count(*)',
      `FROM (SELECT ev.rid AS rid, max(a.anomaly_score) AS score FROM anomalies a
               CROSS JOIN records ev
              WHERE a.anomaly_score IS NOT NULL
                AND ev.table_id IN (SELECT table_id FROM source_tables WHERE kind = 'events')
                AND ev.tenant_id = a.tenant_id AND ev.source_key = a.audit_event_id
              GROUP BY ev.rid) m
         CROSS JOIN records r ON r.rid = m.rid ${whereSql}`,
      params,
    );
  }
  const rows = stmt(db, facetValuesSql(facet, whereSql, src)).all(...params, limit + 1) as { value: string | null; count: number }[];
  const truncated = rows.length > limit;
  if (truncated) rows.pop();
  return { values: rows, truncated };
}

/** GROUP BY one facet column; the one parameter after the WHERE's is the row limit. */
export function facetValuesSql(facet: FacetName, whereSql: string, src: CountSource = RECORDS): string {
  const column = FACET_COLUMNS[facet];
  return `SELECT r.${column} AS value, ${src.count} AS count FROM ${src.table} r ${whereSql}
      GROUP BY r.${column} HAVING count > 0 ORDER BY count DESC, value LIMIT ?`;
}

function rangeCounts(
  db: CacheDb,
  buckets: readonly [number | null, number | null, string][],
  expr: string,
  count: string,
  fromWhere: string,
  params: unknown[],
): RangeBucket[] {
  const cases = buckets
    .map(([min, max], i) => {
      const conds = [min === null ? null : `${expr} >= ${min}`, max === null ? null : `${expr} < ${max}`].filter(Boolean);
      return `WHEN ${conds.join(' AND ')} THEN ${i}`;
    })
    .join(' ');
  const rows = stmt(db, `SELECT CASE ${cases} END AS b, ${count} AS n ${fromWhere} GROUP BY b`).all(...params) as {
    b: number | null;
    n: number;
  }[];
  const counts = new Map(rows.map((r) => [r.b, r.n]));
  return buckets.map(([min, max, label], i) => ({ min, max, label, count: counts.get(i) ?? 0 }));
}
