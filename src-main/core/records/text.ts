// Full-text search on a million rows. A common word matches hundreds of thousands
// of rows; looking each one up to sort or count it is what makes search slow. So:
// - the page walks the ts index newest-first and keeps rows in the match set
//   (a common word fills a page after a few hundred index entries), while a rare
//   word is sorted (few rows) — chosen by the FTS match count, which is cheap;
// - counts come from the FTS index itself, split by kind with FTS column filters
//   (conversation text lives in prompt/response, event text in the other columns,
//   and each kind leaves the other's columns empty).
import type { CacheDb } from '../cache/open.js';
import type { RecordCount } from '../contract/records.js';
import { FACET_NAMES, buildWhere, ftsQuery, type RecordFilter } from './filter.js';
import { DATED_MAX, DATED_MIN, cacheGeneration, perDb, stmt } from './sql.js';

/** Above this many matches, walking the ts index beats sorting the matches. */
export const WALK_THRESHOLD = 2000;

const KIND_COLUMNS = {
  conversation: '{prompt response}',
  event: '{action_details entity_type entity_id event_type user_id}',
} as const;

/** An FTS query restricted to the columns one kind of record fills. */
export function kindFtsQuery(q: string, kind: 'event' | 'conversation'): string {
  return `${KIND_COLUMNS[kind]} : (${q})`;
}

/** Text is the only selection (time bounds and kind allowed): the FTS index can answer alone. */
export function textOnly(filter: RecordFilter): boolean {
  if (!filter.text?.trim()) return false;
  if (FACET_NAMES.some((f) => (filter[f]?.length ?? 0) > 0)) return false;
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

/** Undated rows among the matches, by kind: few rows, found through the ts index ranges. */
export function textUndated(db: CacheDb, filter: RecordFilter): { events: number; conversations: number } {
  const q = ftsQuery(filter.text ?? '');
  const out = { events: 0, conversations: 0 };
  if (!q) return out;
  const rest = buildWhere({ ...filter, text: undefined });
  const and = rest.sql ? `${rest.sql} AND` : 'WHERE';
  const rows = stmt(
    db,
    `SELECT r.kind AS kind, count(*) AS n FROM records r ${and} (r.ts IS NULL OR r.ts < ? OR r.ts >= ?)
        AND r.rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?) GROUP BY r.kind`,
  ).all(...rest.params, DATED_MIN, DATED_MAX, q) as { kind: 'event' | 'conversation'; n: number }[];
  for (const r of rows) out[r.kind === 'event' ? 'events' : 'conversations'] = r.n;
  return out;
}

/** Exact count of a text-only filter without time bounds, from the FTS index; else undefined. */
export function textCount(db: CacheDb, filter: RecordFilter): RecordCount | undefined {
  if (!textOnly(filter) || filter.from !== undefined || filter.to !== undefined) return undefined;
  const q = ftsQuery(filter.text ?? '');
  if (q === null) return undefined;
  if (q === '') return { total: 0, events: 0, conversations: 0, undated: 0 };
  const conversations = filter.kind === 'event' ? 0 : ftsMatchCount(db, kindFtsQuery(q, 'conversation'));
  const events = filter.kind === 'conversation' ? 0 : ftsMatchCount(db, kindFtsQuery(q, 'event'));
  const undated = textUndated(db, filter);
  return { total: events + conversations, events, conversations, undated: undated.events + undated.conversations };
}
