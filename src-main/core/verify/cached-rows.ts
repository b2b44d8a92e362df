// How a cached chain's rows are read back into source values: which cache columns to
// select and how a raw SQLite row becomes the values fromRecord() would give. Shared by
// the in-thread reader, the read workers and the look-up of a single row by rid, so all
// three hand the engine the same values. Kept free of pg and the source layer, because
// every read worker loads it.
import type Database from 'better-sqlite3';
import { cachedRowRef, KNOWN_FIELDS, parseExtraColumns, type MappedColumn } from '../cache/record-mapping.js';
import { makeRowDigester } from '../chain/row-digest.js';
import { UserError } from '../util/errors.js';
import type { ChainShape } from './rows.js';

const EVENT_FIELDS = new Set([...Object.values(KNOWN_FIELDS.events), 'extra']);

export interface CachedRowLayout {
  /** Cache columns to select, already quoted, in the order toValues() reads them. */
  select: string;
  /**
   * A raw row (safe integers) → source values in the table's column order; into `reuse`
   * when given (a reader that keeps no row's values between rows saves an array a row).
   */
  toValues(r: readonly unknown[], reuse?: (string | null)[]): (string | null)[];
  /** The order column as an exact integer read straight from SQLite, when it is the cache's seq. */
  seqOf(r: readonly unknown[]): bigint | undefined;
}

export function cachedRowLayout(columns: readonly MappedColumn[], shape: ChainShape): CachedRowLayout {
  const fields: string[] = [];
  const fieldIndex = new Map<string, number>();
  const needsExtra = columns.some((c) => !c.field);
  for (const c of columns) {
    if (!c.field || fieldIndex.has(c.field)) continue;
    if (!EVENT_FIELDS.has(c.field)) throw new UserError(`cache column "${c.field}" is unknown to this AuditDesk.`, 'E_CACHE_COLUMNS', 'Sync into a new cache file.');
    fieldIndex.set(c.field, fields.length);
    fields.push(c.field);
  }
  const extraIdx = fields.length;
  if (needsExtra) fields.push('extra');
  const slot = columns.map((c) => (c.field ? fieldIndex.get(c.field)! : -1));
  const names = columns.map((c) => c.name);
  const seqSlot = columns[shape.seqIdx]?.field === 'seq' ? slot[shape.seqIdx]! : -1;
  const width = columns.length;
  return {
    select: fields.map((f) => `"${f}"`).join(', '),
    toValues(r, reuse) {
      const values: (string | null)[] = reuse ?? new Array(width);
      let extra: Record<string, string | null> | null = null;
      for (let i = 0; i < width; i++) {
        const s = slot[i]!;
        if (s >= 0) {
          const v = r[s];
          values[i] = v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
        } else {
          extra ??= r[extraIdx] ? parseExtraColumns(r[extraIdx], () => cachedRowRef(seqSlot >= 0 ? r[seqSlot] : null, null)) : {};
          values[i] = extra[names[i]!] ?? null;
        }
      }
      return values;
    },
    seqOf(r) {
      const seq = seqSlot >= 0 ? r[seqSlot] : undefined;
      return typeof seq === 'bigint' ? seq : undefined;
    },
  };
}

/** A seq range of a chain: `lo` null reads the rows whose seq is NULL (they sort first); `hi` is exclusive, null for no end. */
export interface SeqRange {
  lo: bigint | null;
  hi: bigint | null;
}

/**
 * Reads one seq range of a chain in `ORDER BY seq, rid` order, as raw rows (safe
 * integers) of the layout's columns with the rid last. Rows above `maxRid` were written
 * after the run started and are left out. The read workers and the engine's thread
 * (while the workers start) read ranges with it, so both see the same rows.
 */
export function rangeReader(
  db: Database.Database,
  layout: CachedRowLayout,
  chain: { tableId: number; tenant: string },
  maxRid: number,
  /** Cache columns read after the layout's, before the rid (DIGEST_CHECK_COLUMNS). */
  also: readonly string[] = [],
): (range: SeqRange) => IterableIterator<unknown[]> {
  const base = `SELECT ${[layout.select, ...also].join(', ')}, rid FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event' AND rid <= ?`;
  const order = 'ORDER BY seq, rid';
  const nullSeq = db.prepare(`${base} AND seq IS NULL ${order}`).raw(true).safeIntegers(true);
  const bounded = db.prepare(`${base} AND seq >= ? AND seq < ? ${order}`).raw(true).safeIntegers(true);
  const open = db.prepare(`${base} AND seq >= ? ${order}`).raw(true).safeIntegers(true);
  return ({ lo, hi }) => {
    const args: unknown[] = [chain.tableId, chain.tenant, maxRid];
    const stmt = lo === null ? nullSeq : hi === null ? open : bounded;
    if (lo !== null) args.push(lo);
    if (lo !== null && hi !== null) args.push(hi);
    return stmt.iterate(...args) as IterableIterator<unknown[]>;
  };
}

/** What a digest check reads beside a layout's columns (rangeReader's `also`). */
export const DIGEST_CHECK_COLUMNS = ['seq', 'source_key', 'digest'] as const;

/**
 * The digest check of verify/cache-damage.ts over rows read by rangeReader with
 * DIGEST_CHECK_COLUMNS: the first row whose values no longer give the digest the sync
 * stored with it, as its reference ("seq 7"); null when every row matches. A row whose
 * values cannot even be rebuilt or digested was changed here too (the sync stored only
 * rows it could digest). Shared by this thread and the read workers.
 */
export function damagedRowChecker(layout: CachedRowLayout, columns: readonly MappedColumn[]): (rows: Iterable<unknown[]>) => string | null {
  const digestOf = makeRowDigester(columns);
  const values: (string | null)[] = [];
  return (rows) => {
    for (const r of rows) {
      const n = r.length;
      let digest: string | null;
      try {
        digest = digestOf(layout.toValues(r, values));
      } catch {
        digest = null;
      }
      // A row that lost both its seq and its id is still damage, never a match.
      if (digest !== r[n - 2]) return cachedRowRef(r[n - 4], r[n - 3]) ?? 'with neither seq nor id';
    }
    return null;
  };
}
