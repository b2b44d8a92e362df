// The timeline histogram: events and conversations per time bin over the filtered
// range. Rows with missing or sentinel timestamps are counted apart ("undated") so a
// 1970 or 1601 placeholder never stretches the axis across centuries.
import type { CacheDb } from '../cache/open.js';
import type { Histogram, HistogramBin } from '../contract/records.js';
import { buildWhere, type RecordFilter } from './filter.js';
import { textCounts, textGroups, walkIndexFor } from './text.js';
import { DATED_SQL, cacheGeneration, perDb, stmt } from './sql.js';
import { rollupCovers } from './rollup.js';

/** Bin widths in seconds, "nice" for a time axis. Months/years are fixed 30/365-day steps. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000, 7776000, 15552000, 31536000];

/** Grouping in SQL is by canonical-text prefix (cheap); bins are folded from the groups. */
const PREFIXES: { seconds: number; length: number; pad: string }[] = [
  { seconds: 86400, length: 10, pad: 'T00:00:00Z' },
  { seconds: 3600, length: 13, pad: ':00:00Z' },
  { seconds: 60, length: 16, pad: ':00Z' },
  { seconds: 1, length: 19, pad: 'Z' },
];

const histogramCache = perDb<Histogram>();

export function chooseStep(spanSeconds: number, buckets: number): number {
  const raw = spanSeconds / buckets;
  return STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 31536000) * 31536000;
}

export function recordHistogram(db: CacheDb, filter: RecordFilter, buckets: number): Histogram {
  const where = buildWhere(filter);
  const generation = cacheGeneration(db);
  const key = JSON.stringify([where.sql, where.params, buckets]);
  const cached = histogramCache(db).get(generation, key);
  if (cached) return cached;

  const and = where.sql ? `${where.sql} AND` : 'WHERE';
  const rolled = rollupCovers(filter);
  const walk = walkIndexFor(db, filter);
  const src = rolled ? { table: 'records_rollup', count: 'sum(r.n)' } : { table: 'records', count: 'count(*)' };
  const fromText = textCounts(db, filter);
  let undated = { events: 0, conversations: 0 };
  if (fromText) undated = fromText.undated;
  else {
    const undatedRows = stmt(db, `SELECT r.kind AS kind, ${src.count} AS n FROM ${src.table} r ${and} (r.ts IS NULL OR NOT ${DATED_SQL}) GROUP BY r.kind`).all(...where.params) as {
      kind: 'event' | 'conversation';
      n: number;
    }[];
    for (const r of undatedRows) undated[r.kind === 'event' ? 'events' : 'conversations'] = r.n;
  }

  const records = walk ? `records r INDEXED BY ${walk}` : 'records r';
  // A search's one pass over its matches already saw the first and last time.
  const bound = (dir: 'ASC' | 'DESC', known: string | null | undefined) =>
    fromText
      ? known === null || known === undefined
        ? undefined
        : { ts: known }
      : (stmt(db, `SELECT r.ts AS ts FROM ${records} ${and} ${DATED_SQL} ORDER BY r.ts ${dir} LIMIT 1`).get(...where.params) as { ts: string } | undefined);
  const first = bound('ASC', fromText?.first);
  const last = bound('DESC', fromText?.last);
  if (!first || !last) {
    const empty: Histogram = { bins: [], bucketSeconds: 0, from: null, to: null, undated };
    histogramCache(db).set(generation, key, empty);
    return empty;
  }

  const minMs = Date.parse(first.ts);
  const maxMs = Date.parse(last.ts);
  const step = chooseStep(Math.max(1, (maxMs - minMs) / 1000), buckets);
  const stepMs = step * 1000;
  const prefix = PREFIXES.find((p) => step % p.seconds === 0) ?? PREFIXES[PREFIXES.length - 1]!;
  const startMs = Math.floor(minMs / stepMs) * stepMs;
  const count = Math.floor((maxMs - startMs) / stepMs) + 1;
  const bins: HistogramBin[] = Array.from({ length: count }, (_, i) => ({
    start: canonicalMs(startMs + i * stepMs),
    end: canonicalMs(startMs + (i + 1) * stepMs),
    events: 0,
    conversations: 0,
  }));

  // Day-wide (or wider) bins add up from the per-day rollup when the filter allows.
  const groupSrc = rolled && prefix.length === 10 ? src : { table: 'records', count: 'count(*)' };
  const groups = fromText
    ? prefix.length === 10
      ? fromText.days
      : textGroups(db, filter, prefix.length)
    : (stmt(
        db,
        `SELECT substr(r.ts, 1, ?) AS p, r.kind AS kind, ${groupSrc.count} AS n FROM ${groupSrc.table} r ${and} ${DATED_SQL}
          GROUP BY p, r.kind`,
      ).all(prefix.length, ...where.params) as { p: string; kind: 'event' | 'conversation'; n: number }[]);
  for (const g of groups) {
    const t = Date.parse(g.p + prefix.pad);
    const bin = bins[Math.floor((t - startMs) / stepMs)];
    if (!bin) continue;
    if (g.kind === 'event') bin.events += g.n;
    else bin.conversations += g.n;
  }
  const result: Histogram = { bins, bucketSeconds: step, from: first.ts, to: last.ts, undated };
  histogramCache(db).set(generation, key, result);
  return result;
}

function canonicalMs(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.000000Z`;
}
