// The timeline list and its row count. Pages come ordered by (ts, rid), which the
// (column, ts) indexes deliver without sorting; counts are cached per filter until
// the cache changes, so scrolling and re-rendering never recount a million rows.
import type { CacheDb } from '../cache/open.js';
import type { RecordCount, RecordPage, RecordPageCursor, RecordSummary, TextSegment } from '../contract/records.js';
import { buildWhere, ftsQuery, impliedKind, type RecordFilter } from './filter.js';
import { rollupCovers } from './rollup.js';
import { textCount, walkIndexFor } from './text.js';
import { snippetSegments } from './highlight.js';
import { DATED_SQL, SUMMARY_COLUMNS, cacheGeneration, perDb, stmt, toSummary, type SummaryRow } from './sql.js';

export interface QueryInput {
  filter: RecordFilter;
  offset: number;
  limit: number;
  order: 'asc' | 'desc';
  after?: RecordPageCursor | undefined;
}

/**
 * The page query's SQL and parameters (also used by the query-plan tests). `indexedBy`
 * makes SQLite walk that ts-ordered index instead of sorting (see text.ts).
 */
export function pageSql(input: QueryInput, indexedBy?: 'records_ts' | 'records_kind_ts'): { sql: string; params: unknown[] } {
  const where = buildWhere(input.filter);
  const parts = where.sql ? [where.sql.slice('WHERE '.length)] : [];
  const params = [...where.params];
  const desc = input.order === 'desc';
  if (input.after) {
    // NULL ts sorts first ascending (last descending), as ORDER BY ts does.
    const { ts, rid } = input.after;
    if (ts === null) {
      parts.push(desc ? '(r.ts IS NULL AND r.rid < ?)' : '((r.ts IS NULL AND r.rid > ?) OR r.ts IS NOT NULL)');
      params.push(rid);
    } else {
      parts.push(desc ? '(r.ts < ? OR (r.ts = ? AND r.rid < ?) OR r.ts IS NULL)' : '(r.ts > ? OR (r.ts = ? AND r.rid > ?))');
      params.push(ts, ts, rid);
    }
  }
  const dir = desc ? 'DESC' : 'ASC';
  const offset = input.after ? 0 : input.offset;
  // Only rid (and ts) here: the (column, ts) indexes cover it, and when SQLite must sort
  // (full-text matches) it sorts narrow rows. Summaries are fetched for the page only.
  const sql = `SELECT r.rid AS rid FROM records r ${indexedBy ? `INDEXED BY ${indexedBy}` : ''} ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''}
    ORDER BY r.ts ${dir}, r.rid ${dir} LIMIT ? OFFSET ?`;
  return { sql, params: [...params, input.limit + 1, offset] };
}

export function queryRecords(db: CacheDb, input: QueryInput): RecordPage {
  const { sql, params } = pageSql(input, walkIndexFor(db, input.filter));
  const rids = (stmt(db, sql).all(...params) as { rid: number }[]).map((r) => r.rid);
  const hasMore = rids.length > input.limit;
  if (hasMore) rids.pop();
  const byRid = new Map((stmt(db, `SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.rid IN (SELECT value FROM json_each(?))`).all(JSON.stringify(rids)) as SummaryRow[]).map((r) => [r.rid, r]));
  const rows = rids.map((rid) => byRid.get(rid)).filter((r): r is SummaryRow => r !== undefined);
  const snippets = input.filter.text
    ? matchSnippets(
        db,
        input.filter.text,
        rows.map((r) => r.rid),
      )
    : new Map();
  const summaries: RecordSummary[] = rows.map((r) => toSummary(r, snippets.get(r.rid)));
  const last = rows[rows.length - 1];
  return {
    rows: summaries,
    offset: input.after ? null : input.offset,
    nextCursor: hasMore && last ? { ts: last.ts, rid: last.rid } : null,
    hasMore,
  };
}

/**
 * Snippets around the full-text matches for the given rows, as `{text, match}`
 * segments (highlight.ts): the UI never receives markup.
 */
export function matchSnippets(db: CacheDb, text: string, rids: number[]): Map<number, TextSegment[]> {
  const out = new Map<number, TextSegment[]>();
  if (!ftsQuery(text) || !rids.length) return out;
  const rows = stmt(
    db,
    `SELECT rid, prompt, response, action_details, entity_type, entity_id, event_type, user_id FROM records
      WHERE rid IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(rids)) as ({ rid: number } & Record<string, string | null>)[];
  for (const r of rows) {
    const fields = [r.prompt, r.response, r.action_details, r.entity_type, r.entity_id, r.event_type, r.user_id];
    const segments = snippetSegments(
      fields.map((f) => f ?? null),
      text,
    );
    if (segments) out.set(r.rid, segments);
  }
  return out;
}

const countCache = perDb<RecordCount>();

/** Counts from records_rollup when the filter allows (migration 003), else from records. */
export function countSql(filter: RecordFilter): { sql: string; params: unknown[] } {
  const where = buildWhere(filter);
  if (rollupCovers(filter)) {
    return {
      sql: `SELECT r.kind AS kind, sum(r.n) AS n, sum(CASE WHEN ${DATED_SQL} THEN 0 ELSE r.n END) AS undated
         FROM records_rollup r ${where.sql} GROUP BY r.kind`,
      params: where.params,
    };
  }
  // When the filter decides the kind (a user, a model, a temperature…), no row needs
  // its kind read: the (column, ts) index alone answers, without visiting the table.
  const kind = impliedKind(filter);
  if (kind) {
    return {
      sql: `SELECT ? AS kind, count(*) AS n, coalesce(sum(CASE WHEN ${DATED_SQL} THEN 0 ELSE 1 END), 0) AS undated
         FROM records r ${where.sql}`,
      params: [kind, ...where.params],
    };
  }
  return {
    sql: `SELECT r.kind AS kind, count(*) AS n, sum(CASE WHEN ${DATED_SQL} THEN 0 ELSE 1 END) AS undated
       FROM records r ${where.sql} GROUP BY r.kind`,
    params: where.params,
  };
}

export function countRecords(db: CacheDb, filter: RecordFilter): RecordCount {
  const where = buildWhere(filter);
  const key = JSON.stringify([where.sql, where.params]);
  const generation = cacheGeneration(db);
  const cached = countCache(db).get(generation, key);
  if (cached) return cached;
  const fromFts = textCount(db, filter);
  if (fromFts) {
    countCache(db).set(generation, key, fromFts);
    return fromFts;
  }
  const q = countSql(filter);
  const rows = stmt(db, q.sql).all(...q.params) as { kind: 'event' | 'conversation'; n: number; undated: number }[];
  const result = { total: 0, events: 0, conversations: 0, undated: 0 };
  for (const r of rows) {
    result.total += r.n;
    result.undated += r.undated;
    if (r.kind === 'event') result.events = r.n;
    else result.conversations = r.n;
  }
  countCache(db).set(generation, key, result);
  return result;
}
