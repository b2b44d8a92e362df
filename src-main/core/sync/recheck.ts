// Finds rows that changed at the source after we cached them, without fetching
// every row again: the server folds a hash of each row (as the cache stores it)
// into buckets by key, the cache does the same, and only buckets that differ are
// fetched and compared row by row through their digests.
import type { CacheDb } from '../cache/open.js';
import type { SourceTable } from '../source/discover.js';
import { bucketOf, newRecheckSecret, rowHash, type BucketDigest, type KeysetPosition, type Row, type SourceSession } from '../source/session.js';
import { rowText } from '../cache/row-text.js';
import { CACHE_TABLE, cachedRows, type CachedTable, type TableWriter } from './cache-store.js';
import { cachedVersion } from './drift.js';
import { CachedRowsSeal } from './seal.js';

export interface RecheckResult {
  modified: string[];
  deleted: string[];
  /** Rows the source holds behind the watermark that the cache never saw (inserted late, out of key order). */
  late: string[];
  buckets: number;
  bucketsFetched: number;
  rowsFetched: number;
  /**
   * The seal over every cached row as this recheck read them (in keyset order, this
   * sync's rows included), when it wrote none: writeSeal takes it instead of reading
   * the rows again.
   */
  sealRead: CachedRowsSeal | null;
}

const ROWS_PER_BUCKET = 2000;

/** Where a later sync's recheck hands each cached row of a chain, read in seq order (verify/fetched-chain.ts). */
export interface CachedRowsReceiver {
  /** `digest`: the one the sync stored with the row, and `text` the row as rowText writes it, for the chain's content digest. */
  push(values: Row, link: 'here', digest: string, rid: number, text: string): void;
  /** The recheck changed the chain after reading it: these rows no longer stand for it. */
  discard(why: string): void;
}

/** The cache's side of bucketDigests: rows folded into buckets as the server folds its own. */
export class BucketFold {
  private readonly folded = new Map<number, { count: number; xor: bigint }>();

  constructor(
    readonly buckets: number,
    private readonly secret: Buffer,
  ) {}

  /** `text`: the row as rowText writes it, when the caller already has it. */
  add(key: string, values: readonly (string | null)[], text = rowText(values)): void {
    const b = bucketOf(key, this.buckets);
    const acc = this.folded.get(b) ?? { count: 0, xor: 0n };
    acc.count++;
    acc.xor ^= rowHash(text, this.secret);
    this.folded.set(b, acc);
  }

  /** The buckets whose count or hash differs, including those only one side has. */
  differingFrom(server: readonly BucketDigest[]): Set<number> {
    const differing = new Set<number>();
    const byBucket = new Map(server.map((s) => [s.bucket, s]));
    for (const [b, l] of this.folded) {
      const s = byBucket.get(b);
      if (!s || s.count !== l.count || BigInt(s.xor) !== l.xor) differing.add(b);
    }
    for (const s of server) if (!this.folded.has(s.bucket)) differing.add(s.bucket);
    return differing;
  }
}

export async function recheckCachedRows(
  session: SourceSession,
  db: CacheDb,
  args: {
    table: SourceTable;
    cached: CachedTable;
    tenant: string;
    through: KeysetPosition;
    /**
     * The running sync: the rows it fetched after the watermark are not compared (the
     * source side stops at `through`, so they would all look deleted there).
     */
    syncId: number;
    writer: TableWriter;
    signal?: AbortSignal;
    batchRows?: number;
    /** An events chain's receiver of every cached row as read, this sync's rows included (SyncOptions.onRecheckChain). */
    chainRows?: () => CachedRowsReceiver | undefined;
  },
): Promise<RecheckResult> {
  const { table, cached, tenant } = args;
  const spec = CACHE_TABLE[table.kind];
  const kindFilter = spec.recordKind ? `AND kind = '${spec.recordKind}'` : '';
  const cachedCount = (
    db.prepare(`SELECT count(*) AS n FROM ${spec.table} WHERE table_id = ? AND tenant_id = ? ${kindFilter} AND sync_id <> ?`).get(cached.tableId, tenant, args.syncId) as { n: number }
  ).n;
  const result: RecheckResult = { modified: [], deleted: [], late: [], buckets: 0, bucketsFetched: 0, rowsFetched: 0, sealRead: null };
  if (cachedCount === 0) return result;
  const buckets = Math.max(1, Math.ceil(cachedCount / ROWS_PER_BUCKET));
  result.buckets = buckets;
  const orderBy = table.kind === 'events' ? 'seq' : 'key';

  // The server hashes its rows while this thread hashes the cached ones: the loop yields
  // now and then so the session can send its statements (about half of a recheck's time
  // was this thread waiting for the server, then the server for this thread). The open
  // iterator keeps the sync's cache connection busy across the yields, as verification's
  // reads do (VerifyOptions.cache): the connection is the sync worker's own.
  const secret = newRecheckSecret();
  const serverDigests = session.bucketDigests(table, tenant, { orderBy, through: args.through, buckets, secret });
  serverDigests.catch(() => undefined); // awaited below, where a failure is thrown
  const local = new BucketFold(buckets, secret);
  const chain = args.chainRows?.();
  // Every row is read, this sync's too (for the seal and the chain, not the buckets), in
  // the seal's order, so the seal need not read them again.
  const sealRead = new CachedRowsSeal(table.kind);
  let read = 0;
  for (const r of cachedRows(db, table.kind, cached.tableId, tenant, cached.columns)) {
    sealRead.push(r);
    const earlier = r.syncId !== args.syncId;
    if (earlier || chain) {
      const text = rowText(r.values);
      chain?.push(r.values, 'here', r.digest, r.rowId, text);
      if (earlier) local.add(r.key, r.values, text);
    }
    if (++read % 1024 === 0) await new Promise(setImmediate);
  }
  const differing = local.differingFrom(await serverDigests);
  result.bucketsFetched = differing.size;
  if (!differing.size) return { ...result, sealRead };
  chain?.discard('the recheck fetched rows of the chain again');

  const seen = new Set<string>();
  const ids = [...differing].sort((a, b) => a - b);
  const applyBatch = db.transaction((rows: Row[]) => {
    let changed = 0;
    for (const values of rows) {
      const key = values[table.keys.id]!;
      seen.add(key);
      const outcome = args.writer.write(values);
      if (outcome === 'changed') {
        result.modified.push(key);
        changed++;
      } else if (outcome === 'inserted') {
        result.late.push(key);
        const v = args.writer.prepare(values);
        args.writer.recordDrift(key, 'added', { values, digest: v.digest });
      }
    }
    args.writer.countSync(0, changed);
  });
  for await (const batch of session.streamRows(table, tenant, {
    orderBy,
    through: args.through,
    buckets: { count: buckets, ids },
    signal: args.signal,
    batchSize: args.batchRows,
  })) {
    result.rowsFetched += batch.length;
    applyBatch(batch);
  }
  // Rows this sync wrote are either fetched after the watermark or were just seen here.
  const keys = db.prepare(`SELECT source_key FROM ${spec.table} WHERE table_id = ? AND tenant_id = ? ${kindFilter} AND sync_id <> ?`).pluck();
  for (const key of keys.iterate(cached.tableId, tenant, args.syncId) as Iterable<string>) {
    if (differing.has(bucketOf(key, buckets)) && !seen.has(key)) result.deleted.push(key);
  }
  // The cached copy stays as the evidence of what the source held.
  db.transaction(() => {
    for (const key of result.deleted) {
      const copy = cachedVersion(db, table.kind, cached.tableId, tenant, key, cached.columns);
      if (copy) args.writer.recordDrift(key, 'deleted', copy);
    }
  })();
  return result;
}
