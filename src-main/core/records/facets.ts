// Facet counts. Each facet is counted under every filter except its own selection
// (so the values a user could still add stay visible), one GROUP BY per facet on
// its (column, ts) index. Results are cached per facet and effective filter: a
// change to one facet recounts the others, never itself, and nothing after a sync.
import type { CacheDb } from '../cache/open.js';
import type { FacetResult, FacetsResult, RangeBucket, RangeFacetName } from '../contract/records.js';
import { FACET_COLUMNS, FACET_NAMES, buildWhere, type FacetName, type RecordFilter } from './filter.js';
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
    if (!value) {
      value = computeFacet(db, facet, where.sql, where.params, input.limit);
      cache.set(generation, key, value);
    }
    if (facet === 'kind') result.kind = value as { event: number; conversation: number };
    else if (facet === 'temperature') result.temperature = value as RangeBucket[];
    else if (facet === 'anomalyScore') result.anomalyScore = value as RangeBucket[];
    else result.facets[facet] = value as FacetResult;
  }
  return result;
}

function computeFacet(db: CacheDb, facet: FacetName | RangeFacetName, whereSql: string, params: unknown[], limit: number): Cached {
  const and = whereSql ? `${whereSql} AND` : 'WHERE';
  if (facet === 'kind') {
    const rows = stmt(db, `SELECT r.kind AS v, count(*) AS n FROM records r ${whereSql} GROUP BY r.kind`).all(...params) as {
      v: 'event' | 'conversation';
      n: number;
    }[];
    const out = { event: 0, conversation: 0 };
    for (const r of rows) out[r.v] = r.n;
    return out;
  }
  if (facet === 'temperature') {
    return rangeCounts(db, TEMPERATURE_BUCKETS, 'r.temperature_num', `FROM records r ${and} r.temperature_num IS NOT NULL`, params);
  }
  if (facet === 'anomalyScore') {
    // Anomalies are few: start from them, then keep the events the filter admits.
    return rangeCounts(
      db,
      ANOMALY_SCORE_BUCKETS,
      'm.score',
      `FROM (SELECT ev.rid AS rid, max(a.anomaly_score) AS score FROM anomalies a
               JOIN records ev ON ev.table_id IN (SELECT table_id FROM source_tables WHERE kind = 'events')
                AND ev.tenant_id = a.tenant_id AND ev.source_key = a.audit_event_id
              WHERE a.anomaly_score IS NOT NULL GROUP BY ev.rid) m
         JOIN records r ON r.rid = m.rid ${whereSql}`,
      params,
    );
  }
  const column = FACET_COLUMNS[facet];
  const rows = stmt(
    db,
    `SELECT r.${column} AS value, count(*) AS count FROM records r ${whereSql}
      GROUP BY r.${column} ORDER BY count DESC, value LIMIT ?`,
  ).all(...params, limit + 1) as { value: string | null; count: number }[];
  const truncated = rows.length > limit;
  if (truncated) rows.pop();
  return { values: rows, truncated };
}

function rangeCounts(
  db: CacheDb,
  buckets: readonly [number | null, number | null, string][],
  expr: string,
  fromWhere: string,
  params: unknown[],
): RangeBucket[] {
  const cases = buckets
    .map(([min, max], i) => {
      const conds = [min === null ? null : `${expr} >= ${min}`, max === null ? null : `${expr} < ${max}`].filter(Boolean);
      return `WHEN ${conds.join(' AND ')} THEN ${i}`;
    })
    .join(' ');
  const rows = stmt(db, `SELECT CASE ${cases} END AS b, count(*) AS n ${fromWhere} GROUP BY b`).all(...params) as {
    b: number | null;
    n: number;
  }[];
  const counts = new Map(rows.map((r) => [r.b, r.n]));
  return buckets.map(([min, max, label], i) => ({ min, max, label, count: counts.get(i) ?? 0 }));
}
