// Where chains are read from: the cache (offline, better-sqlite3 in seq order) or a
// live source (streamed in seq order through the read-only session). Both hand the
// engine the same source values, so both reach the same verdict.
import type { CacheDb } from '../cache/open.js';
import { KNOWN_FIELDS, type MappedColumn } from '../cache/record-mapping.js';
import type { SourceSession, SourceTable } from '../source/index.js';
import { UserError } from '../util/errors.js';
import { copyChainRows, type CopySource } from './copy-stream.js';
import { toChainRow, type ChainShape } from './rows.js';
import type { ChainRow, ReferenceHashes } from './types.js';

/** How chains are named in reports and checkpoints: "audit_logs", or "schema.table" outside public. */
export function chainTableName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

export interface CachedChain {
  tableId: number;
  schema: string;
  tableName: string;
  /** chainTableName(schema, tableName) */
  name: string;
  tenant: string;
  columns: MappedColumn[];
  profileJson: string | null;
  sourceId: number;
  sourceFingerprint: string;
  sourceLabel: string;
}

/** Hash-chained (events) tables and their tenants held in the cache. */
export function listCachedChains(db: CacheDb, tenants?: readonly string[]): CachedChain[] {
  const tables = db
    .prepare(
      `SELECT st.table_id, st.schema_name, st.table_name, st.columns_json, st.profile_json, s.source_id, s.fingerprint, s.label
         FROM source_tables st JOIN sources s ON s.source_id = st.source_id
        WHERE st.kind = 'events' ORDER BY s.source_id, st.table_id`,
    )
    .all() as { table_id: number; schema_name: string; table_name: string; columns_json: string; profile_json: string | null; source_id: number; fingerprint: string; label: string }[];
  const tenantsOf = db.prepare('SELECT DISTINCT tenant_id FROM records WHERE table_id = ? ORDER BY tenant_id').pluck();
  const out: CachedChain[] = [];
  for (const t of tables) {
    for (const tenant of tenantsOf.all(t.table_id) as string[]) {
      if (tenants?.length && !tenants.includes(tenant)) continue;
      out.push({
        tableId: t.table_id,
        schema: t.schema_name,
        tableName: t.table_name,
        name: chainTableName(t.schema_name, t.table_name),
        tenant,
        columns: JSON.parse(t.columns_json) as MappedColumn[],
        profileJson: t.profile_json,
        sourceId: t.source_id,
        sourceFingerprint: t.fingerprint,
        sourceLabel: t.label,
      });
    }
  }
  return out;
}

const EVENT_FIELDS = new Set([...Object.values(KNOWN_FIELDS.events), 'extra']);

/**
 * Rows of a cached chain for progress: the latest seal's count when there is one
 * (counting a million rows costs a noticeable share of the verification itself).
 */
export function countCachedRows(db: CacheDb, tableId: number, tenant: string): number {
  const sealed = db.prepare('SELECT row_count FROM seals WHERE table_id = ? AND tenant_id = ? ORDER BY seal_id DESC LIMIT 1').pluck().get(tableId, tenant) as
    | number
    | undefined;
  if (sealed !== undefined) return sealed;
  return db.prepare(`SELECT count(*) FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event'`).pluck().get(tableId, tenant) as number;
}

/**
 * Streams a cached chain in seq order into `onRow`. Reads only the columns the
 * payload needs, as raw arrays with exact 64-bit integers, and rebuilds the
 * source values as fromRecord() does. Yields to the event loop every `yieldEvery`
 * rows, so run it on a connection of its own (an open iterator keeps a
 * better-sqlite3 connection busy).
 */
export async function readCachedChain(
  db: CacheDb,
  chain: Pick<CachedChain, 'tableId' | 'tenant' | 'columns'>,
  shape: ChainShape,
  onRow: (row: ChainRow) => void,
  opts: { signal?: AbortSignal; yieldEvery?: number; onTick?: (rows: number) => void } = {},
): Promise<number> {
  const fields: string[] = [];
  const fieldIndex = new Map<string, number>();
  const needsExtra = chain.columns.some((c) => !c.field);
  for (const c of chain.columns) {
    if (!c.field || fieldIndex.has(c.field)) continue;
    if (!EVENT_FIELDS.has(c.field)) throw new UserError(`cache column "${c.field}" is unknown to this AuditDesk.`, 'E_CACHE_COLUMNS', 'Sync into a new cache file.');
    fieldIndex.set(c.field, fields.length);
    fields.push(c.field);
  }
  const extraIdx = fields.length;
  if (needsExtra) fields.push('extra');
  const slot = chain.columns.map((c) => (c.field ? fieldIndex.get(c.field)! : -1));
  const names = chain.columns.map((c) => c.name);
  // The order column read as an exact integer straight from SQLite (only when it is the cache's seq).
  const seqSlot = chain.columns[shape.seqIdx]?.field === 'seq' ? slot[shape.seqIdx]! : -1;
  const width = chain.columns.length;
  const stmt = db
    .prepare(`SELECT ${fields.map((f) => `"${f}"`).join(', ')} FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event' ORDER BY seq`)
    .raw(true)
    .safeIntegers(true);
  const yieldEvery = opts.yieldEvery ?? 50_000;
  let n = 0;
  const it = stmt.iterate(chain.tableId, chain.tenant) as IterableIterator<unknown[]>;
  try {
    for (const r of it) {
      const values: (string | null)[] = new Array(width);
      let extra: Record<string, string | null> | null = null;
      for (let i = 0; i < width; i++) {
        const s = slot[i]!;
        if (s >= 0) {
          const v = r[s];
          values[i] = v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
        } else {
          extra ??= r[extraIdx] ? (JSON.parse(String(r[extraIdx])) as Record<string, string | null>) : {};
          values[i] = extra[names[i]!] ?? null;
        }
      }
      const seq = seqSlot >= 0 ? r[seqSlot] : undefined;
      onRow(toChainRow(values, shape, typeof seq === 'bigint' ? seq : undefined));
      if (++n % yieldEvery === 0) {
        opts.onTick?.(n);
        if (opts.signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    it.return?.();
  }
  return n;
}

/** The cached (seq, hash) pairs of a chain, as the reference a live source is compared with. */
export function cachedReference(db: CacheDb, tableId: number, tenant: string, takenAt: string | null): ReferenceHashes {
  const it = db
    .prepare(`SELECT seq, hash FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event' AND seq IS NOT NULL ORDER BY seq`)
    .raw(true)
    .safeIntegers(true)
    .iterate(tableId, tenant) as IterableIterator<[bigint, string | null]>;
  let closed = false;
  return {
    label: 'the cache',
    takenAt,
    next() {
      if (closed) return null;
      const r = it.next();
      if (r.done) {
        closed = true;
        return null;
      }
      return { seq: r.value[0], hash: r.value[1] };
    },
    close() {
      if (!closed) it.return?.();
      closed = true;
    },
  };
}

/**
 * Streams a chain from a live source in seq order into `onRow`: through the session's
 * cursor, or, given the connection details, through COPY on a connection of its own (faster).
 */
export async function readSourceChain(
  session: SourceSession,
  table: SourceTable,
  tenant: string,
  shape: ChainShape,
  onRow: (row: ChainRow) => void,
  opts: { signal?: AbortSignal; onTick?: (rows: number) => void; copy?: CopySource } = {},
): Promise<number> {
  let n = 0;
  const batches = opts.copy
    ? copyChainRows(opts.copy, table, tenant, opts.signal)
    : session.streamRows(table, tenant, { orderBy: 'seq', signal: opts.signal, batchSize: 5000 });
  for await (const batch of batches) {
    for (const values of batch) onRow(toChainRow(values, shape));
    n += batch.length;
    opts.onTick?.(n);
  }
  return n;
}
