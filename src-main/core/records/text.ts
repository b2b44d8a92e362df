// Full-text search on a million rows. A common word matches hundreds of thousands
// of rows; looking each one up in the table to sort or count it is what makes
// search slow. So, when text is the only selection (besides kind and time):
// - the page walks the ts index newest-first and keeps rows in the match set
//   (a common word fills a page after a few hundred index entries), while a rare
//   word is sorted (few rows) — chosen by the FTS match count, which is cheap;
// - counts and histogram bins read kind and ts of each match from the narrow
//   (rid, kind, ts, tenant_id) index (migration 004), in the rowid order FTS5
//   returns them; a tenant selection is answered from the same index.
import type { CacheDb } from '../cache/open.js';
import type { RecordCount } from '../contract/records.js';
import { FACET_NAMES, buildWhere, ftsQuery, type RecordFilter } from './filter.js';
import { DATED_SQL, PAIR_COUNTS, cacheGeneration, pairCounts, perDb, stmt } from './sql.js';

/** Above this many matches, walking the ts index beats sorting the matches. */
export const WALK_THRESHOLD = 2000;

/** Text is the only selection (time bounds and kind allowed): the FTS index can answer alone. */
export function textOnly(filter: RecordFilter, allowTenant = false): boolean {
  if (!filter.text?.trim()) return false;
  if (FACET_NAMES.some((f) => (filter[f]?.length ?? 0) > 0 && !(allowTenant && f === 'tenant'))) return false;
  return filter.temperatureMin === undefined && filter.temperatureMax === undefined && filter.minAnomalyScore === undefined;
}

const matchCounts = perDb<number>();

export function ftsMatchCount(db: CacheDb, ftsQ: string): number {
  const generation = cacheGeneration(db);
  const cached = matchCounts(db).get(generation, ftsQ);
  if (cached !== undefined) return cached;
  const { n } = stmt(db, 'SELECT count(*) AS n FROM records_fts WHERE records_fts MATCH ?').get(ftsQ) as { n: number };
  matchCounts(db).set(generation, ftsQ, n);
  return n;
}

/** The index to walk for a text-led page, or undefined to let SQLite sort the (few) matches. */
export function walkIndexFor(db: CacheDb, filter: RecordFilter): 'records_ts' | 'records_kind_ts' | undefined {
  if (!textOnly(filter)) return undefined;
  const q = ftsQuery(filter.text ?? '');
  if (!q || ftsMatchCount(db, q) <= WALK_THRESHOLD) return undefined;
  return filter.kind === 'all' ? 'records_ts' : 'records_kind_ts';
}

/** FTS matches joined to their kind and ts through records_rid_kind_ts; `?` = the FTS query. */
const MATCHES = `FROM records_fts f CROSS JOIN records r INDEXED BY records_rid_kind_ts ON r.rid = f.rowid
  WHERE f.records_fts MATCH ?`;

function restOf(filter: RecordFilter): { and: string; params: unknown[] } {
  const rest = buildWhere({ ...filter, text: undefined });
  return { and: rest.sql ? `AND ${rest.sql.slice('WHERE '.length)}` : '', params: rest.params };
}

export interface TextCounts {
  events: number;
  conversations: number;
  undated: { events: number; conversations: number };
  /** dated matches per day (canonical 'YYYY-MM-DD') and kind: the histogram's day bins */
  days: DayGroup[];
  /** first and last dated ts among the matches (the histogram's axis); null when none is dated */
  first: string | null;
  last: string | null;
}

export interface DayGroup {
  p: string;
  kind: 'event' | 'conversation';
  n: number;
}

const textCountCache = perDb<TextCounts>();

/**
 * Exact counts, undated rows, day bins and first/last time of a text filter (with kind, time, tenant at
 * most) in one pass over the matches' (rid, kind, ts, tenant_id); undefined for other filters.
 */
export function textCounts(db: CacheDb, filter: RecordFilter): TextCounts | undefined {
  if (!textOnly(filter, true)) return undefined;
  const q = ftsQuery(filter.text ?? '');
  const out: TextCounts = { events: 0, conversations: 0, undated: { events: 0, conversations: 0 }, days: [], first: null, last: null };
  if (!q) return q === '' ? out : undefined;
  const sql = textCountSql(filter, q);
  const generation = cacheGeneration(db);
  const key = JSON.stringify(sql);
  const cached = textCountCache(db).get(generation, key);
  if (cached) return cached;
  const row = stmt(db, sql.sql).get(...sql.params) as { groups: string | null; first: string | null; last: string | null };
  out.first = row.first;
  out.last = row.last;
  for (const [kind, day, n] of pairCounts<'event' | 'conversation', string | null>(row.groups)) {
    const k = kind === 'event' ? 'events' : 'conversations';
    out[k] += n;
    if (day === null) out.undated[k] += n;
    else out.days.push({ p: day, kind, n });
  }
  textCountCache(db).set(generation, key, out);
  return out;
}

/** The one-pass query of textCounts (exported for the query-plan test). */
export function textCountSql(filter: RecordFilter, q: string): { sql: string; params: unknown[] } {
  const rest = restOf(filter);
  return {
    sql: `SELECT ${PAIR_COUNTS}(r.kind, CASE WHEN ${DATED_SQL} THEN substr(r.ts, 1, 10) END) AS groups,
         min(CASE WHEN ${DATED_SQL} THEN r.ts END) AS first, max(CASE WHEN ${DATED_SQL} THEN r.ts END) AS last
       ${MATCHES} ${rest.and}`,
    params: [q, ...rest.params],
  };
}

/**
 * The timeline count of a text filter. Without tenant or time bounds it comes from the
 * FTS index alone — all matches, and those in conversation columns (events leave
 * prompt/response empty; events are the rest) — in tens of milliseconds even for a
 * word in every fifth row; `undated` is then left to the histogram (null).
 */
export function textCount(db: CacheDb, filter: RecordFilter): RecordCount | undefined {
  if (!textOnly(filter, true)) return undefined;
  const q = ftsQuery(filter.text ?? '');
  if (q === '') return { total: 0, events: 0, conversations: 0, undated: 0 };
  if (q && !filter.tenant?.length && filter.from === undefined && filter.to === undefined) {
    const conversations = ftsMatchCount(db, `{prompt response} : (${q})`);
    const events = ftsMatchCount(db, q) - conversations;
    const e = filter.kind === 'conversation' ? 0 : events;
    const c = filter.kind === 'event' ? 0 : conversations;
    return { total: e + c, events: e, conversations: c, undated: null };
  }
  if (!q) return undefined;
  // The histogram's one pass (per kind and day) answers too when it already ran; else one
  // aggregate row, which needs no sort of the matches: the count is what the rows wait for.
  const generation = cacheGeneration(db);
  const grouped = textCountCache(db).get(generation, JSON.stringify(textCountSql(filter, q)));
  if (grouped) {
    return {
      total: grouped.events + grouped.conversations,
      events: grouped.events,
      conversations: grouped.conversations,
      undated: grouped.undated.events + grouped.undated.conversations,
    };
  }
  const rest = restOf(filter);
  const row = stmt(
    db,
    `SELECT count(*) AS n, coalesce(sum(r.kind = 'event'), 0) AS events, coalesce(sum(CASE WHEN ${DATED_SQL} THEN 0 ELSE 1 END), 0) AS undated
       ${MATCHES} ${rest.and}`,
  ).get(q, ...rest.params) as { n: number; events: number; undated: number };
  return { total: row.n, events: row.events, conversations: row.n - row.events, undated: row.undated };
}

/** Histogram groups (time-prefix, kind) of a text filter's dated matches (see textCounts). */
export function textGroups(db: CacheDb, filter: RecordFilter, prefixLength: number): { p: string; kind: 'event' | 'conversation'; n: number }[] {
  const q = ftsQuery(filter.text ?? '');
  if (!q) return [];
  const rest = restOf(filter);
  const json = stmt(db, `SELECT ${PAIR_COUNTS}(substr(r.ts, 1, ?), r.kind) AS groups ${MATCHES} AND ${DATED_SQL} ${rest.and}`)
    .pluck()
    .get(prefixLength, q, ...rest.params) as string | null;
  return pairCounts<string, 'event' | 'conversation'>(json).map(([p, kind, n]) => ({ p, kind, n }));
}
