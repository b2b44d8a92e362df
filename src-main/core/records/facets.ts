// Facet counts. Each facet is counted under every filter except its own selection
// (so the values a user could still add stay visible), one GROUP BY per facet:
// on records_rollup when the filter allows (tens of thousands of rows instead of a
// million), else on records through its (column, ts) index. Results are cached per
// facet and effective filter until the cache changes: a change to one facet
// recounts the others, never itself.
import type { CacheDb } from '../cache/open.js';
import type { FacetResult, FacetsResult, RangeBucket, RangeFacetName } from '../contract/records.js';
import { CONVERSATION_ONLY, EVENT_ONLY, FACET_COLUMNS, FACET_NAMES, buildWhere, impliedKind, type FacetName, type RecordFilter } from './filter.js';
import { ROLLUP_FACETS, rollupCovers } from './rollup.js';
import { countRecords, pageSql } from './query.js';
import { walkIndexFor } from './text.js';
import { cacheGeneration, perDb, stmt } from './sql.js';

export interface FacetsInput {
  filter: RecordFilter;
  facets?: (FacetName | RangeFacetName)[] | undefined;
  limit: number;
}

type Cached = FacetResult | (RangeBucket[] & { sampled?: { rows: number; of: number } }) | { event: number; conversation: number };
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

/**
 * Above this many matching rows, a facet that must read the records table (user,
 * session, or any facet under a text/user/session/anomaly filter) is counted over
 * the newest rows only, and says so (`sampled`). Exact counts would look up every
 * matching row: seconds on a million rows, for a side panel.
 */
export const FACET_SAMPLE_ROWS = 5_000;

type AnyFacet = FacetName | RangeFacetName;

export function recordFacets(db: CacheDb, input: FacetsInput, sampleSize: number = FACET_SAMPLE_ROWS): FacetsResult {
  const wanted = new Set<AnyFacet>(input.facets ?? [...FACET_NAMES, 'kind', 'temperature', 'anomalyScore']);
  const generation = cacheGeneration(db);
  const cache = facetCache(db);
  const values = new Map<AnyFacet, Cached>();
  // facets to count from a sample, grouped by the filter they are counted under
  const sampled = new Map<string, { scoped: RecordFilter; total: number; facets: { facet: AnyFacet; key: string }[] }>();

  for (const facet of wanted) {
    const where = buildWhere(input.filter, facet);
    const key = JSON.stringify([facet, input.limit, where.sql, where.params]);
    let value = cache.get(generation, key);
    if (!value && isFacetName(facet)) value = emptyByKind(db, input.filter, facet);
    if (!value && facet === 'kind' && !rollupCovers(input.filter, facet)) {
      const c = countRecords(db, { ...input.filter, kind: 'all' });
      value = { event: c.events, conversation: c.conversations };
    }
    if (!value) {
      const rolled = facet !== 'anomalyScore' && (!isFacetName(facet) || ROLLUP_FACETS.has(facet)) && rollupCovers(input.filter, facet);
      if (!rolled && facet !== 'anomalyScore' && where.sql) {
        const scoped = withoutFacet(input.filter, facet);
        const total = countRecords(db, scoped).total;
        if (total > sampleSize) {
          const group = JSON.stringify(buildWhere(scoped));
          const entry = sampled.get(group) ?? { scoped, total, facets: [] };
          entry.facets.push({ facet, key });
          sampled.set(group, entry);
          continue;
        }
      }
      value = computeFacet(db, facet, where.sql, where.params, input.limit, rolled ? ROLLUP : RECORDS);
    }
    cache.set(generation, key, value);
    values.set(facet, value);
  }

  for (const { scoped, total, facets } of sampled.values()) {
    const rows = sampleRows(db, scoped, sampleSize);
    for (const { facet, key } of facets) {
      const value = countSample(rows, facet, input.limit, { rows: rows.length, of: total });
      cache.set(generation, key, value);
      values.set(facet, value);
    }
  }

  const result: FacetsResult = { facets: {} };
  for (const [facet, value] of values) {
    if (facet === 'kind') result.kind = value as { event: number; conversation: number };
    else if (facet === 'temperature') {
      const v = value as RangeBucket[] & { sampled?: { rows: number; of: number } };
      result.temperature = [...v];
      if (v.sampled) result.temperatureSampled = v.sampled;
    } else if (facet === 'anomalyScore') result.anomalyScore = value as RangeBucket[];
    else result.facets[facet] = value as FacetResult;
  }
  return result;
}

/** The filter a facet is counted under: everything but its own selection. */
function withoutFacet(filter: RecordFilter, facet: AnyFacet): RecordFilter {
  if (facet === 'kind') return { ...filter, kind: 'all' };
  if (facet === 'temperature') return { ...filter, temperatureMin: undefined, temperatureMax: undefined };
  if (facet === 'anomalyScore') return { ...filter, minAnomalyScore: undefined };
  return { ...filter, [facet]: undefined };
}

const SAMPLE_COLUMNS = [...Object.values(FACET_COLUMNS), 'temperature_num'] as const;
type SampleRow = Record<(typeof SAMPLE_COLUMNS)[number], string | number | null>;

/** The newest `size` rows of the filter, with their facet columns. */
function sampleRows(db: CacheDb, filter: RecordFilter, size: number): SampleRow[] {
  // pageSql fetches limit + 1 rows (to tell whether more exist): ask for size - 1.
  const page = pageSql({ filter, offset: 0, limit: size - 1, order: 'desc' }, walkIndexFor(db, filter));
  const rids = (stmt(db, page.sql).all(...page.params) as { rid: number }[]).map((r) => r.rid);
  return stmt(db, `SELECT ${SAMPLE_COLUMNS.join(', ')} FROM records WHERE rid IN (SELECT value FROM json_each(?))`).all(JSON.stringify(rids)) as SampleRow[];
}

function countSample(rows: SampleRow[], facet: AnyFacet, limit: number, sampled: { rows: number; of: number }): Cached {
  if (facet === 'temperature') {
    const buckets = TEMPERATURE_BUCKETS.map(([min, max, label]) => ({
      min,
      max,
      label,
      count: rows.filter((r) => {
        const t = r.temperature_num as number | null;
        return t !== null && (min === null || t >= min) && (max === null || t < max);
      }).length,
    }));
    return Object.assign(buckets, { sampled });
  }
  const column = FACET_COLUMNS[facet as FacetName];
  const counts = new Map<string | null, number>();
  for (const r of rows) {
    const v = r[column] === null ? null : String(r[column]);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const sorted = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
  return { values: sorted.slice(0, limit), truncated: sorted.length > limit, sampled };
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
  return (FACET_NAMES as readonly string[]).includes(f);
}

function computeFacet(db: CacheDb, facet: FacetName | RangeFacetName, whereSql: string, params: unknown[], limit: number, src: CountSource): Cached {
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

function rangeCounts(db: CacheDb, buckets: readonly [number | null, number | null, string][], expr: string, count: string, fromWhere: string, params: unknown[]): RangeBucket[] {
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
