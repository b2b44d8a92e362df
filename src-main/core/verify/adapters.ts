// Where chains are read from: the cache (offline, better-sqlite3 in seq order) or a
// live source (streamed in seq order through the read-only session). Both hand the
// engine the same source values, so both reach the same verdict.
import { chainProfileJson } from '../cache/chain-profiles.js';
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn } from '../cache/record-mapping.js';
import type { SourceSession, SourceTable } from '../source/index.js';
import { UserError } from '../util/errors.js';
import { cachedRowLayout } from './cached-rows.js';
import { copyChainRows, copyRowsOf, type CopySource } from '../source/copy-stream.js';
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
        profileJson: chainProfileJson(db, t.table_id, tenant),
        sourceId: t.source_id,
        sourceFingerprint: t.fingerprint,
        sourceLabel: t.label,
      });
    }
  }
  return out;
}

/**
 * Rows of a cached chain for progress: the latest seal's count when there is one
 * (counting a million rows costs a noticeable share of the verification itself).
 */
export function countCachedRows(db: CacheDb, tableId: number, tenant: string): number {
  const sealed = db.prepare('SELECT row_count FROM seals WHERE table_id = ? AND tenant_id = ? ORDER BY seal_id DESC LIMIT 1').pluck().get(tableId, tenant) as number | undefined;
  if (sealed !== undefined) return sealed;
  // Every record of an events table is an event, so the chain index alone can count them
  // (reading each row's kind made this a quarter of a second per 1,000,000 rows, seconds when cold).
  return db.prepare(`SELECT count(*) FROM records WHERE table_id = ? AND tenant_id = ?`).pluck().get(tableId, tenant) as number;
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
  const layout = cachedRowLayout(chain.columns, shape);
  const stmt = db.prepare(`SELECT ${layout.select} FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event' ORDER BY seq, rid`).raw(true).safeIntegers(true);
  const yieldEvery = opts.yieldEvery ?? 50_000;
  let n = 0;
  const it = stmt.iterate(chain.tableId, chain.tenant) as IterableIterator<unknown[]>;
  try {
    for (const r of it) {
      onRow(toChainRow(layout.toValues(r), shape, layout.seqOf(r)));
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
    .prepare(`SELECT seq, hash FROM records WHERE table_id = ? AND tenant_id = ? AND kind = 'event' AND seq IS NOT NULL ORDER BY seq, rid`)
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
  /** `chunks`: the chain's COPY text from elsewhere (ranges read from several URLs, source/replicas.ts). */
  opts: { signal?: AbortSignal; onTick?: (rows: number) => void; copy?: CopySource; chunks?: () => AsyncIterable<Buffer> } = {},
): Promise<number> {
  let n = 0;
  const batches = opts.chunks
    ? copyRowsOf(opts.chunks())
    : opts.copy
      ? copyChainRows(opts.copy, table, tenant, opts.signal)
      : session.streamRows(table, tenant, { orderBy: 'seq', signal: opts.signal, batchSize: 5000 });
  for await (const batch of batches) {
    for (const values of batch) onRow(toChainRow(values, shape));
    n += batch.length;
    opts.onTick?.(n);
  }
  return n;
}
