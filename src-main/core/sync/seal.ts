// Seals: what a sync saw, per (table, tenant), committed to by an RFC 6962 Merkle
// root over the row digests in keyset order, plus the chain head for events.
// compareWithSeal re-reads the source and lists what changed since.
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn, TableKind } from '../cache/record-mapping.js';
import { canonicalTimestamp } from '../chain/canonical.js';
import { rowDigest } from '../chain/digest.js';
import { MerkleBuilder } from '../chain/merkle.js';
import { ChainTreeBuilder, type ChainTree } from '../chain/chain-leaves.js';
import type { SourceTable } from '../source/discover.js';
import type { KeysetPosition, SourceSession } from '../source/session.js';
import { UserError } from '../util/errors.js';
import { CACHE_TABLE, CACHE_TIME_COLUMN, cachedRows } from './cache-store.js';

export interface SealRecord {
  sealId: number;
  syncId: number;
  sourceFingerprint: string;
  tableId: number;
  tenant: string;
  /** events: the first and last seq; other tables: JSON {"ts", "key"} of the first and last row */
  firstKey: string | null;
  lastKey: string | null;
  rowCount: number;
  merkleRoot: string;
  headSeq: string | null;
  headHash: string | null;
  createdAt: string;
}

/**
 * The seal of an events (table, tenant) built while its rows are fetched, for a
 * first fill: the source sends them in seq order, which is the order sealRows reads
 * them back in, so the read-back (seconds on a million rows) can be skipped. It also
 * builds the chain's leaf tree the sync's signed checkpoint names (the same tree
 * chainLeavesOf reads back). Both hold only while every seq is an integer and each is
 * greater than the one before: a NULL seq (PostgreSQL sends those last, SQLite reads
 * them first) or two equal seqs send the seal back to reading the cache.
 */
export class FetchedEventsSeal {
  private readonly builder: MerkleBuilder | null;
  private rootFromElsewhere: string | null = null;
  private readonly leaves = new ChainTreeBuilder();
  private previousSeq: bigint | null = null;
  count = 0;
  first: string | null = null;
  last: string | null = null;
  headHash: string | null = null;
  /** Every seq so far an integer, each greater than the one before. */
  inSeqOrder = true;

  /**
   * `remoteMerkle`: another thread builds the Merkle tree over the same digests in the
   * same order (sync/digest-worker.ts) and hands its root to setRoot; push then only
   * counts and keeps the keys.
   */
  constructor(opts: { remoteMerkle?: boolean } = {}) {
    this.builder = opts.remoteMerkle ? null : new MerkleBuilder();
  }

  /** `seq` as PostgreSQL printed it (null for none); `hash` the cache's hash column (null when it has none). */
  push(digest: string, seq: string | null, hash: string | null): void {
    this.builder?.push(digest);
    this.count++;
    this.first ??= seq;
    this.last = seq;
    this.headHash = hash;
    if (!this.inSeqOrder) return;
    const n = seq !== null && INTEGER.test(seq) ? BigInt(seq) : null;
    if (n === null || (this.previousSeq !== null && n <= this.previousSeq)) {
      this.inSeqOrder = false;
      return;
    }
    this.previousSeq = n;
    this.leaves.push(hash);
  }

  /** The root built elsewhere over `count` digests; refused unless it covers every pushed row. */
  setRoot(root: string, count: number): void {
    if (this.builder || count !== this.count) throw new Error(`seal: a Merkle root over ${count} rows for ${this.count} fetched`);
    this.rootFromElsewhere = root;
  }

  /** The tree over the pushed digests: null while a remote root is still missing. */
  get merkle(): { count: number; root(): string } | null {
    if (this.builder) return this.builder;
    const root = this.rootFromElsewhere;
    return root === null ? null : { count: this.count, root: () => root };
  }

  /** The chain's leaf tree (checkpoint evidence) over every pushed row; null out of seq order or with no leaf. */
  get chainTree(): ChainTree | null {
    return this.inSeqOrder && this.leaves.size > 0 ? { size: BigInt(this.leaves.size), root: this.leaves.root() } : null;
  }
}

const INTEGER = /^-?\d+$/;

/**
 * A seal just written, and the chain's leaf tree (the one chainLeavesOf reads back) from
 * the rows it was made from: the fetched rows of a first fill, else the cached rows it
 * read; null for a table that is no chain or a chain with no leaf.
 */
export type WrittenSeal = SealRecord & { chainTree: ChainTree | null; chainTreeFrom: 'fetched rows' | 'cached rows' | 'rows the recheck read' };

/** A cached row as a seal needs it (sealRows and cachedRows both give it). */
type SealedRow = { key: string; digest: string; seq: bigint | null; time: string | null; hash: string | null };

/**
 * A seal over cached rows read in keyset order (events: seq, NULL seqs first; others:
 * time, key): by writeSeal's own read, or by a later sync's recheck, which reads every
 * row in that order anyway (issue 17: one read feeds the recheck, the chain's verdict
 * and the seal). For events it also builds the checkpoint's chain tree from its rows
 * with a seq.
 */
export class CachedRowsSeal {
  readonly merkle = new MerkleBuilder();
  private readonly tree: ChainTreeBuilder | null;
  first: string | null = null;
  last: string | null = null;
  headSeq: string | null = null;
  headHash: string | null = null;

  constructor(readonly kind: TableKind) {
    this.tree = kind === 'events' ? new ChainTreeBuilder() : null;
  }

  push(r: SealedRow): void {
    this.merkle.push(r.digest);
    if (this.tree && r.seq !== null) this.tree.push(r.hash);
    const k = this.kind === 'events' ? String(r.seq) : JSON.stringify({ ts: r.time, key: r.key });
    this.first ??= k;
    this.last = k;
    if (this.kind === 'events') {
      this.headSeq = String(r.seq);
      this.headHash = r.hash;
    }
  }

  get chainTree(): ChainTree | null {
    return this.tree && this.tree.size > 0 ? { size: BigInt(this.tree.size), root: this.tree.root() } : null;
  }
}

/**
 * Seals the cached rows of one (table, tenant) as they are now. `fetched` (events only)
 * is used instead of reading the rows back when it covers exactly the cached rows;
 * the caller vouches that nothing was cached before and every fetched row was inserted.
 * `read` likewise: the caller vouches it pushed every cached row, in keyset order,
 * after the last write to them.
 */
export function writeSeal(
  db: CacheDb,
  args: {
    kind: TableKind;
    tableId: number;
    tenant: string;
    columns: readonly MappedColumn[];
    syncId: number;
    sourceFingerprint: string;
    fetched?: FetchedEventsSeal;
    read?: CachedRowsSeal;
  },
): WrittenSeal {
  let merkle: { count: number; root(): string };
  let first: string | null;
  let last: string | null;
  let headSeq: string | null;
  let headHash: string | null;
  let chainTree: ChainTree | null;
  let chainTreeFrom: WrittenSeal['chainTreeFrom'];
  const fetched = args.kind === 'events' ? args.fetched : undefined;
  const read = args.read?.kind === args.kind ? args.read : undefined;
  const spec = CACHE_TABLE[args.kind];
  const kindFilter = spec.recordKind ? `AND kind = '${spec.recordKind}'` : '';
  const cachedCount =
    fetched || read ? (db.prepare(`SELECT count(*) AS n FROM ${spec.table} WHERE table_id = ? AND tenant_id = ? ${kindFilter}`).get(args.tableId, args.tenant) as { n: number }).n : -1;
  const fetchedTree = fetched?.merkle ?? null;
  if (fetched && fetchedTree && fetched.inSeqOrder && cachedCount === fetchedTree.count) {
    merkle = fetchedTree;
    // Integer text as the cache prints it back (String(bigint)): no leading zeros or '+'.
    const canonical = (seq: string | null) => (seq === null ? null : BigInt(seq).toString());
    first = canonical(fetched.first);
    last = canonical(fetched.last);
    headSeq = last;
    headHash = fetched.headHash;
    chainTree = fetched.chainTree;
    chainTreeFrom = 'fetched rows';
  } else {
    let sealed: CachedRowsSeal;
    if (read && cachedCount === read.merkle.count) {
      sealed = read;
      chainTreeFrom = 'rows the recheck read';
    } else {
      sealed = new CachedRowsSeal(args.kind);
      for (const r of sealRows(db, args.kind, args.tableId, args.tenant)) sealed.push(r);
      chainTreeFrom = 'cached rows';
    }
    ({ merkle, first, last, headSeq, headHash, chainTree } = sealed);
  }
  const createdAt = new Date().toISOString();
  const info = db
    .prepare(
      `INSERT INTO seals (sync_id, source_fingerprint, table_id, tenant_id, first_key, last_key, row_count, merkle_root, head_seq, head_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(args.syncId, args.sourceFingerprint, args.tableId, args.tenant, first, last, merkle.count, merkle.root(), headSeq === null ? null : BigInt(headSeq), headHash, createdAt);
  return {
    sealId: Number(info.lastInsertRowid),
    syncId: args.syncId,
    sourceFingerprint: args.sourceFingerprint,
    tableId: args.tableId,
    tenant: args.tenant,
    firstKey: first,
    lastKey: last,
    rowCount: merkle.count,
    merkleRoot: merkle.root(),
    headSeq,
    headHash,
    createdAt,
    chainTree,
    chainTreeFrom,
  };
}

/** Only what a seal needs, in keyset order (cheaper than rebuilding every row). */
function* sealRows(db: CacheDb, kind: TableKind, tableId: number, tenant: string): Generator<SealedRow> {
  const spec = CACHE_TABLE[kind];
  const time = CACHE_TIME_COLUMN[kind];
  const kindFilter = spec.recordKind ? `AND kind = '${spec.recordKind}'` : '';
  const order = kind === 'events' ? `seq, ${spec.pk}` : `${time}, source_key`;
  const hash = kind === 'events' ? 'hash' : 'NULL';
  const seq = kind === 'events' ? 'seq' : 'NULL';
  const stmt = db
    .prepare(
      `SELECT source_key AS key, digest, ${seq} AS seq, ${time} AS time, ${hash} AS hash FROM ${spec.table}
               WHERE table_id = ? AND tenant_id = ? ${kindFilter} ORDER BY ${order}`,
    )
    .safeIntegers(true);
  yield* stmt.iterate(tableId, tenant) as Iterable<SealedRow>;
}

export function latestSeal(db: CacheDb, tableId: number, tenant: string): SealRecord | undefined {
  const r = db.prepare('SELECT * FROM seals WHERE table_id = ? AND tenant_id = ? ORDER BY seal_id DESC LIMIT 1').safeIntegers(true).get(tableId, tenant) as
    Record<string, bigint | string | null> | undefined;
  if (!r) return undefined;
  return {
    sealId: Number(r.seal_id),
    syncId: Number(r.sync_id),
    sourceFingerprint: String(r.source_fingerprint),
    tableId: Number(r.table_id),
    tenant: String(r.tenant_id),
    firstKey: (r.first_key as string | null) ?? null,
    lastKey: (r.last_key as string | null) ?? null,
    rowCount: Number(r.row_count),
    merkleRoot: String(r.merkle_root),
    headSeq: r.head_seq === null ? null : String(r.head_seq),
    headHash: (r.head_hash as string | null) ?? null,
    createdAt: String(r.created_at),
  };
}

export interface SealComparison {
  seal: SealRecord;
  /** Rows at the source now within the sealed key range. */
  sourceCount: number;
  /** Merkle root over the source's rows within the sealed range, now. */
  sourceMerkleRoot: string;
  /** The source still holds exactly what was sealed. */
  matches: boolean;
  /** Keys (source ids) whose row differs from the cached one. */
  modified: string[];
  /** Keys cached at the seal that the source no longer has. */
  deleted: string[];
  /** Keys within the sealed range that the source has but the cache does not. */
  added: string[];
}

type OrderKey = { seq: bigint } | { time: string; key: string };

function compareKeys(a: OrderKey, b: OrderKey): number {
  if ('seq' in a && 'seq' in b) return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
  const x = a as { time: string; key: string };
  const y = b as { time: string; key: string };
  if (x.time !== y.time) return x.time < y.time ? -1 : 1;
  return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
}

/**
 * Re-reads the source rows within a table's latest seal and compares them row by
 * row with the cache (merge over both in keyset order, memory flat): which rows
 * were modified, deleted or added since, and whether the Merkle root still holds.
 * Used by re-verification of tables without hash chains.
 */
export async function compareWithSeal(session: SourceSession, db: CacheDb, args: { table: SourceTable; tenant: string; signal?: AbortSignal }): Promise<SealComparison> {
  const { table, tenant } = args;
  const { fingerprint } = await session.fingerprint();
  const registered = db
    .prepare(
      `SELECT st.table_id, st.columns_json FROM source_tables st JOIN sources s ON s.source_id = st.source_id
        WHERE s.fingerprint = ? AND st.kind = ? AND st.schema_name = ? AND st.table_name = ?`,
    )
    .get(fingerprint, table.kind, table.schema, table.name) as { table_id: number; columns_json: string } | undefined;
  const seal = registered ? latestSeal(db, registered.table_id, tenant) : undefined;
  if (!registered || !seal) {
    throw new UserError(`no seal for ${table.schema}.${table.name}, tenant ${tenant}.`, 'E_NO_SEAL', 'Sync this tenant first.');
  }
  const columns = JSON.parse(registered.columns_json) as MappedColumn[];
  const orderBy = table.kind === 'events' ? 'seq' : 'key';
  let through: KeysetPosition | undefined;
  if (seal.lastKey !== null) {
    through = orderBy === 'seq' ? { seq: seal.lastKey } : (JSON.parse(seal.lastKey) as { ts: string | null; key: string });
  }

  const cache = cachedRows(db, table.kind, registered.table_id, tenant, columns);
  const lastSealed: OrderKey | null =
    seal.lastKey === null ? null : orderBy === 'seq' ? { seq: BigInt(seal.lastKey) } : { time: through && 'ts' in through ? (through.ts ?? '') : '', key: (through as { key: string }).key };
  const nextCached = () => {
    for (;;) {
      const n = cache.next();
      if (n.done) return undefined;
      const k: OrderKey = orderBy === 'seq' ? { seq: n.value.seq! } : { time: n.value.time ?? '', key: n.value.key };
      if (lastSealed && compareKeys(k, lastSealed) > 0) return undefined;
      return { ...n.value, order: k };
    }
  };

  const merkle = new MerkleBuilder();
  const modified: string[] = [];
  const deleted: string[] = [];
  const added: string[] = [];
  let c = nextCached();
  const tsIndex = table.keys.ts;
  try {
    if (through) {
      for await (const batch of session.streamRows(table, tenant, { orderBy, through, signal: args.signal })) {
        for (const values of batch) {
          const digest = rowDigest(columns, values);
          merkle.push(digest);
          const key = values[table.keys.id]!;
          const t = tsIndex === null ? null : values[tsIndex];
          const order: OrderKey = orderBy === 'seq' ? { seq: BigInt(values[table.keys.seq!]!) } : { time: t === null || t === undefined ? '' : canonicalTimestamp(t), key };
          while (c && compareKeys(c.order, order) < 0) {
            deleted.push(c.key);
            c = nextCached();
          }
          if (c && compareKeys(c.order, order) === 0) {
            if (c.digest !== digest) modified.push(key);
            c = nextCached();
          } else {
            added.push(key);
          }
        }
      }
    }
    while (c) {
      deleted.push(c.key);
      c = nextCached();
    }
  } finally {
    cache.return(undefined);
  }
  const sourceMerkleRoot = merkle.root();
  return {
    seal,
    sourceCount: merkle.count,
    sourceMerkleRoot,
    matches: sourceMerkleRoot === seal.merkleRoot && merkle.count === seal.rowCount,
    modified,
    deleted,
    added,
  };
}
