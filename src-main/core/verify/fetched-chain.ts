// The sync's verdict from rows it already holds (issue 17, goal 3): while a first fill
// writes a chain, or a later sync's recheck reads the cached chain to compare it with
// the source, each row is turned into what the engine's linking needs (seq, hashes, the
// recomputed hash), so the verdict after the sync need not read the chain again. The
// engine, its anchors and its report are the ones `verify --cache` uses; only where the
// rows come from differs, and only when the cache holds exactly those rows, in the order
// it reads them back.
import type { CacheDb } from '../cache/open.js';
import { cachedFormOf, type MappedColumn } from '../cache/record-mapping.js';
import { chainProfileJson, profileFromJson } from '../cache/chain-profiles.js';
import { chainHash } from '../chain/hash.js';
import type { UnprotectedKind } from '../chain/exact-json.js';
import { genesisOf, type ChainProfile } from '../chain/profile.js';
import type { ChainTree } from '../chain/chain-leaves.js';
import { chainShape, payloadOf, toChainRow, unprotectedOf, type ChainShape } from './rows.js';
import { cachedRowLayout } from './cached-rows.js';
import type { ChainRow } from './types.js';
import { feedBatch, type RowBatch } from './worker-rows.js';
import { ChainContentDigest, HASH_EXCEPTIONS_LIMIT, readHashedRows, type HashException, type HashedRows } from './hashed-rows.js';
import type { AuditorKey } from '../identity/auditor-key.js';

const BATCH_ROWS = 4096;
/** Rows per page of a chain's seqs and hash bytes: 512 KB of seqs, 2 MB of SHA-256 hashes. */
export const PAGE_ROWS = 65_536;

/**
 * Rows kept for the verdicts of one sync, over every chain. A row of an intact chain
 * costs its seq and its hash's bytes (40 or 72 bytes), so 1,000,000 rows hold ~40-72 MB
 * (about what the read worker it replaces used); a larger fill is read back from the
 * cache, as before (peak RSS ≤ 300 MB, goal 5).
 */
export const FETCHED_ROWS_BUDGET = 1_000_000;

/**
 * Unusual rows kept per chain (a hash that is not the chain's hex, a link or recomputed
 * hash that differs: ~200 bytes each). A chain damaged on more rows than this, such as one
 * rewritten from its start, is read back instead.
 */
export const ODD_ROWS_LIMIT = 20_000;

/** What a row's linking needs beyond its printed values: the hash recomputed from its payload when it differs from the stored one. */
export interface LinkExtra {
  computed: string | null;
  unprotected?: UnprotectedKind[];
}

/** The chain as a worker or this thread needs it to compute a row's link (digest-worker.ts). */
export interface ChainSpec {
  columns: MappedColumn[];
  profileJson: string | null;
  label: string;
}

/** The shape the chain's rows are linked with, or null when the cache's seq is not the profile's order column (then the verdict reads back). */
export function linkShape(spec: ChainSpec): ChainShape | null {
  const shape = chainShape(spec.columns, profileFromJson(spec.profileJson), spec.label);
  return spec.columns[shape.seqIdx]?.field === 'seq' ? shape : null;
}

/**
 * A fetched row's link beyond its printed values (undefined: its stored hash is the
 * recomputed one and nothing is unprotected). `payload`: the row's chain payload when
 * the caller already encoded it (the digest worker encodes each value once for the row
 * digest and the payload). The printed values give the payload the cached ones give:
 * the encodings canonicalise times and integers, and a cached row's digest, checked
 * against the same encodings of its cached values, depends on it.
 */
export function linkExtraOf(values: readonly (string | null)[], shape: ChainShape, payload?: string): LinkExtra | undefined {
  const prevHash = values[shape.prevIdx] ?? null;
  const hash = values[shape.hashIdx] ?? null;
  const computed = prevHash !== null ? chainHash(prevHash, payload ?? payloadOf(values, shape), shape.profile) : null;
  const unprotected = unprotectedOf(values, shape);
  return computed === hash && !unprotected ? undefined : { computed, unprotected };
}

const HEX = /^[0-9a-f]+$/;
const INTEGER = /^-?\d+$/;

/** A string of its own: a value parsed out of a COPY chunk may be a slice that keeps the whole chunk alive. */
const detached = (s: string | null): string | null => (s === null ? null : Buffer.from(s, 'utf8').toString('utf8'));

/** What a row holds that the compact columns do not: a hash that is not hex of the chain's width, a previous hash that is not the row before's, a recomputed hash that is not the stored one. */
interface OddRow {
  hash?: string | null;
  prev?: string | null;
  computed?: string | null;
  unprotected?: UnprotectedKind[];
}

/** Shared by a sync's chains: rows it may still keep; per chain: unusual rows, rows a page, exceptions a statement lists. */
interface Budget {
  left: number;
  readonly oddRows: number;
  readonly pageRows: number;
  readonly hashExceptions: number;
}

/** One chain's rows as fetched, in fetch order, while they are in strict seq order. */
export class FetchedChain {
  /**
   * Seqs and hash bytes in pages of PAGE_ROWS rows, not one array doubled as it fills:
   * at a million rows a doubling held the old and the new array at once (~60 MB for
   * ~40 MB of rows), at the fill's busiest moment.
   */
  private readonly seqPages: BigInt64Array[] = [];
  private readonly hashPages: Buffer[] = [];
  private width = 0;
  /** Rows whose hash, previous hash or recomputed hash is not the usual one. */
  private readonly odd = new Map<number, OddRow>();
  private lastHash: string | null = null;
  rows = 0;
  /** Why these rows cannot stand for the cache's (null while they can). */
  dropped: string | null = null;
  /** Whether a verdict was given from these rows. */
  fed = false;

  /** Each row's rid, in pages as the seqs, for rows read from the cache (their rids are known and need not be consecutive). */
  private readonly ridPages: Float64Array[] = [];
  /** The digest of the rows' content as cached, for the statement a verdict over them records (hashed-rows.ts). */
  private readonly content = new ChainContentDigest();
  /** Fetched rows: their values as the cache stores them (times in UTC), for the content. */
  private readonly cachedForm: ((values: readonly (string | null)[]) => (string | null)[]) | null;
  /** Those whose recomputed hash differed from the stored one or that held a value the profile cannot protect, in row order, for the statement. */
  private readonly exceptions: HashException[] = [];
  /** The leading rows before the first exception past HASH_EXCEPTIONS_LIMIT (null: none yet). */
  private hashedAsStoredUpTo: Omit<HashedRows, 'asStored'> | null = null;
  /** The earlier statement's exceptions by row: their links are taken from it, as the others' are taken to be the usual one. */
  private readonly statedExceptions = new Map<number, HashException>();
  /** Leading rows whose payload hash was not computed: an earlier verdict hashed them (hashed-rows.ts). */
  skippedHashes = 0;
  /** Of those, rows whose recomputed hash was taken from the statement's exceptions (not the stored one). */
  skippedExceptions = 0;
  /** Whether this verdict found every row matching the digest the sync stored with it (a broken chain's rows are checked so). */
  private digestsCheckedHere = false;
  /** Whether the content of the rows an earlier verdict hashed was found unchanged (null: no such rows). */
  private hashedRowsConfirmed: boolean | null = null;
  /** The tree this sync's seal built over the chain's rows as cached, for its signed checkpoint (sync-verdict.ts). */
  private sealedTree: ChainTree | null = null;
  /** Whether the verdict's engine took that tree instead of hashing the leaves itself. */
  sealedTreeTaken = false;

  constructor(
    readonly tableId: number,
    readonly tenant: string,
    readonly spec: ChainSpec,
    private readonly shape: ChainShape,
    private readonly budget: Budget,
    /** The sync connection's data_version when the rows began to come: another connection's commit changes it. */
    private readonly dataVersion: number,
    /**
     * 'fetch': the rows as the source sent them, in a first fill. 'cache': the rows as the
     * recheck read them from the cache (a later sync), each with its rid; their breaks are
     * the file's, so the verdict checks such a chain's rows against their digests as a
     * read-back does.
     */
    readonly readFrom: 'fetch' | 'cache' = 'fetch',
    /** Rows read from the cache: the leading rows an earlier verdict hashed, and how, signed (null: none). */
    private readonly hashedRows: HashedRows | null = null,
  ) {
    this.cachedForm = readFrom === 'fetch' ? cachedFormOf(spec.columns) : null;
    if (hashedRows) this.hashedRowsConfirmed = false;
    for (const e of hashedRows?.exceptions ?? []) this.statedExceptions.set(e.row, e);
  }

  /**
   * A row: as PostgreSQL printed it (a fetched row) or as read from the cache with its
   * rid; `extra` as linkExtraOf gives it, when another thread computed it ('here':
   * compute it now); `digest`: the one the sync stores with a fetched row, or stored
   * with a cached one.
   */
  push(values: readonly (string | null)[], extra: LinkExtra | undefined | 'here', digest: string, rid?: number, text?: string): void {
    if (this.dropped !== null) return;
    if ((this.readFrom === 'cache') !== (rid !== undefined)) throw new Error('a row read from the cache comes with its rid, a fetched row without');
    // The cache stores the seq as an integer and gives it back as BigInt#toString prints it.
    const seqText = values[this.shape.seqIdx] ?? null;
    const seq = seqText !== null && INTEGER.test(seqText) ? BigInt(seqText) : null;
    const n = this.rows;
    if (seq === null || seq !== BigInt.asIntN(64, seq) || (n > 0 && seq <= this.seqAt(n - 1))) return this.drop('its seqs are not strictly increasing 64-bit integers');
    if (this.budget.left === 0) return this.drop('the fill is larger than the rows kept for the verdict');
    // A leading row an earlier verdict hashed is taken as it hashed then; its content is confirmed below.
    const skip = this.hashedRows !== null && n < this.hashedRows.rows;
    const link: LinkExtra | undefined = skip ? this.statedExceptions.get(n) : extra === 'here' ? linkExtraOf(values, this.shape) : extra;
    if (skip) {
      this.skippedHashes++;
      if (link) this.skippedExceptions++;
    }
    if (link && !this.hashedAsStoredUpTo) {
      if (this.exceptions.length === this.budget.hashExceptions) this.hashedAsStoredUpTo = { rows: n, content: this.content.current(), exceptions: [...this.exceptions] };
      // An absent `unprotected` is left out of the statement's JSON.
      else this.exceptions.push({ row: n, computed: link.computed, unprotected: link.unprotected });
    }
    const hash = values[this.shape.hashIdx] ?? null;
    const prev = values[this.shape.prevIdx] ?? null;
    const { pageRows } = this.budget;
    const page = Math.floor(n / pageRows);
    const at = n % pageRows;
    if (at === 0) this.seqPages.push(new BigInt64Array(pageRows));
    this.seqPages[page]![at] = seq;
    if (rid !== undefined) {
      if (at === 0) this.ridPages.push(new Float64Array(pageRows));
      this.ridPages[page]![at] = rid;
    }
    const odd: OddRow = {};
    let isOdd = false;
    if (hash !== null && HEX.test(hash) && hash.length % 2 === 0 && (this.width === 0 || hash.length === this.width * 2)) {
      if (this.width === 0) this.width = hash.length / 2;
      // A page's hash bytes are made when its first hex hash comes (the width is known from the first).
      while (this.hashPages.length <= page) this.hashPages.push(Buffer.alloc(pageRows * this.width));
      this.hashPages[page]!.write(hash, at * this.width, 'hex');
    } else {
      odd.hash = detached(hash);
      isOdd = true;
    }
    if (n === 0 || prev !== this.lastHash) {
      odd.prev = detached(prev);
      isOdd = true;
    }
    if (link) {
      odd.computed = detached(link.computed);
      if (link.unprotected) odd.unprotected = link.unprotected;
      isOdd = true;
    }
    if (isOdd) {
      if (this.odd.size === this.budget.oddRows) return this.drop('more rows are damaged than are kept for the verdict');
      this.odd.set(n, odd);
    }
    this.lastHash = hash;
    this.rows = n + 1;
    this.budget.left--;
    // The statement is over the rows as cached: a fetched row's times are stored in UTC.
    if (this.cachedForm) this.content.add(this.cachedForm(values), digest);
    else this.content.add(values, digest, text);
    if (this.hashedRows && this.rows === this.hashedRows.rows) {
      if (this.content.current() !== this.hashedRows.content) return this.drop('the cached rows are not those an earlier verdict hashed');
      this.hashedRowsConfirmed = true;
    }
  }

  /**
   * The leading rows, their content digest as cached and how those that did not hash as
   * stored hashed, for the statement a verdict records. A first fill's rows were linked
   * as fetched, and the fill cached exactly them (feed checks it), so its statement is
   * over their cached form, values and digests as the fill stored them: it says they are
   * as stored. Rows read from the cache are said so only when this verdict checked each
   * against its digest.
   */
  rowsHashedAsStored(): HashedRows | null {
    if (this.dropped !== null) return null;
    return {
      ...(this.hashedAsStoredUpTo ?? { rows: this.rows, content: this.content.current(), exceptions: [...this.exceptions] }),
      asStored: this.readFrom === 'fetch' || this.digestsCheckedHere,
    };
  }

  /**
   * The seq of the last row an earlier verdict's statement says is as the sync stored it,
   * when the rows read are still those rows with those digests (the content digest covers
   * both); null otherwise (then every row is checked against its digest).
   */
  asStoredThrough(): bigint | null {
    return this.dropped === null && this.hashedRows?.asStored && this.hashedRowsConfirmed === true ? this.seqAt(this.hashedRows.rows - 1) : null;
  }

  /** The verdict checked every row of the chain against its stored digest (cache-damage.ts): the statement may say so. */
  markDigestsChecked(): void {
    this.digestsCheckedHere = true;
  }

  /** The sync sealed the chain: the tree its checkpoint names, over the rows as cached. */
  useSealedTree(tree: ChainTree): void {
    this.sealedTree = tree;
  }

  /**
   * The sealed tree, for the engine to take instead of hashing the same leaves again, when
   * these rows look linked without a break under `profile`: seqs 1, 2, 3 …, each hash hex of
   * the profile's width, the first row's previous hash the genesis, each other the row
   * before's hash, each recomputed hash the stored one (a value the profile cannot protect
   * aside). Then every row is a leaf of both
   * trees, in the same order. The engine confirms it from the rows (KnownTreeDoesNotFit);
   * a chain that looks otherwise is hashed by the engine, not fed twice.
   */
  sealedTreeIfLinked(profile: ChainProfile): ChainTree | null {
    const tree = this.sealedTree;
    if (!tree || this.dropped !== null || this.rows === 0 || BigInt(this.rows) !== tree.size) return null;
    if (this.width * 2 !== (profile.algorithm === 'sha512' ? 128 : 64) || this.odd.get(0)?.prev !== genesisOf(profile)) return null;
    // A value the profile cannot protect is a limit of the verdict, not a break: such a row is still a leaf.
    for (const [row, odd] of this.odd) {
      if ('hash' in odd || ('prev' in odd && row > 0) || ('computed' in odd && odd.computed !== this.usualHashAt(row))) return null;
    }
    return this.seqAt(0) === 1n && this.seqAt(this.rows - 1) === BigInt(this.rows) ? tree : null;
  }

  private seqAt(i: number): bigint {
    const { pageRows } = this.budget;
    return this.seqPages[Math.floor(i / pageRows)]![i % pageRows]!;
  }

  /** Row i's stored hash when it is hex of the chain's width (not odd). */
  private usualHashAt(i: number): string {
    const { pageRows } = this.budget;
    const at = (i % pageRows) * this.width;
    return this.hashPages[Math.floor(i / pageRows)]!.toString('hex', at, at + this.width);
  }

  /** These rows no longer stand for the cache's (the recheck changed the chain): the verdict reads it back. */
  discard(why: string): void {
    if (this.dropped === null) this.drop(why);
  }

  private drop(why: string): void {
    this.budget.left += this.rows;
    this.dropped = why;
    this.seqPages.length = 0;
    this.ridPages.length = 0;
    this.hashPages.length = 0;
    this.odd.clear();
    this.rows = 0;
  }

  /** Rows [from, to) in the form the read workers hand to the engine's thread (worker-rows.ts). */
  private batch(from: number, to: number): RowBatch {
    const b: RowBatch = { type: 'batch', part: 0, last: to === this.rows, ref: new Float64Array(to - from), seq: [], seqText: [], hash: [], prev: [], computed: [], unprotected: [] };
    for (let i = from; i < to; i++) {
      const odd = this.odd.get(i);
      const hash = odd && 'hash' in odd ? odd.hash! : this.usualHashAt(i);
      b.ref[i - from] = i;
      b.seq.push(this.seqAt(i));
      b.seqText.push(undefined);
      b.hash.push(hash);
      // The batch's first row names its previous hash; a later one only when it is not the row before's.
      b.prev.push(odd && 'prev' in odd ? odd.prev! : i === from ? this.hashAt(i - 1) : undefined);
      b.computed.push(odd && 'computed' in odd ? odd.computed! : undefined);
      if (odd?.unprotected) b.unprotected.push({ i: i - from, kinds: odd.unprotected });
    }
    return b;
  }

  /** The stored hash of row i (a row's previous hash, when not odd, is the hash of the row before it). */
  hashAt(i: number): string | null {
    const odd = this.odd.get(i);
    return odd && 'hash' in odd ? odd.hash! : this.usualHashAt(i);
  }

  /**
   * Feeds the chain to `onRow` as the cache would give it (ORDER BY seq, rid), or
   * returns null when the cache does not hold exactly these rows under consecutive rids
   * (then the caller reads it back). A row a break needs in full is read by rid.
   */
  feed(db: CacheDb, profile: ChainProfile, onRow: (row: ChainRow) => void): number | null {
    if (this.dropped !== null || JSON.stringify(profile) !== JSON.stringify(this.shape.profile)) return null;
    // Rows whose hashes were skipped stand only once their content was found unchanged.
    if (this.hashedRowsConfirmed === false) return null;
    // Anything another connection committed since the fill began (a second writer, a
    // hand edit) may have changed these rows in the file: only a read-back can tell.
    if (dataVersionOf(db) !== this.dataVersion) return null;
    const span = db
      .prepare(`SELECT min(rid) AS first, max(rid) AS last, count(*) AS n, sum(kind = 'event') AS events FROM records WHERE table_id = ? AND tenant_id = ?`)
      .get(this.tableId, this.tenant) as { first: number | null; last: number | null; n: number; events: number | null };
    if (span.first === null || span.last === null || span.n !== this.rows || span.events !== this.rows) return null;
    // Fetched rows went in one after another; rows read from the cache name their rid.
    if (this.readFrom === 'fetch' && span.last - span.first + 1 !== this.rows) return null;
    const layout = cachedRowLayout(this.spec.columns, this.shape);
    const byRid = db.prepare(`SELECT ${layout.select} FROM records WHERE rid = ?`).raw(true).safeIntegers(true);
    const first = span.first;
    const ridOf = (place: number): number => (this.readFrom === 'cache' ? this.ridPages[Math.floor(place / this.budget.pageRows)]![place % this.budget.pageRows]! : first + place);
    const rebuild = (place: number): ChainRow => {
      const r = byRid.get(ridOf(place)) as unknown[];
      return toChainRow(layout.toValues(r), this.shape, layout.seqOf(r));
    };
    let n = 0;
    for (let from = 0; from < this.rows; from += BATCH_ROWS) n += feedBatch(this.batch(from, Math.min(this.rows, from + BATCH_ROWS)), 1, rebuild, onRow);
    this.fed = true;
    return n;
  }
}

/** The chains of one sync's first fill, by table and tenant. */
export class FetchedChains {
  private readonly chains = new Map<string, FetchedChain>();
  private readonly budget: Budget;

  /** `limits`: rows kept over the sync, unusual rows kept per chain, rows per page, exceptions a statement lists (tests make them small). */
  constructor(limits: { rows: number; oddRows: number; pageRows?: number; hashExceptions?: number } = { rows: FETCHED_ROWS_BUDGET, oddRows: ODD_ROWS_LIMIT }) {
    this.budget = { left: limits.rows, oddRows: limits.oddRows, pageRows: limits.pageRows ?? PAGE_ROWS, hashExceptions: limits.hashExceptions ?? HASH_EXCEPTIONS_LIMIT };
  }

  /**
   * Starts collecting a chain the sync is about to fill for the first time, with the
   * profile recorded for it; undefined when that profile does not fit the table (the
   * verdict then reads the cache and reports why).
   */
  begin(
    db: CacheDb,
    chain: { tableId: number; tenant: string; columns: readonly MappedColumn[]; label: string },
    readFrom: 'fetch' | 'cache' = 'fetch',
    /** Rows read from the cache: whose signed statements of rows hashed as stored are trusted (hashed-rows.ts). */
    auditorKey?: AuditorKey,
  ): FetchedChain | undefined {
    const spec: ChainSpec = { columns: [...chain.columns], profileJson: chainProfileJson(db, chain.tableId, chain.tenant), label: chain.label };
    let shape: ChainShape | null;
    try {
      shape = linkShape(spec);
    } catch {
      return undefined;
    }
    if (!shape) return undefined;
    const hashed = readFrom === 'cache' && auditorKey ? readHashedRows(db, chain.tableId, chain.tenant, spec, auditorKey) : null;
    const c = new FetchedChain(chain.tableId, chain.tenant, spec, shape, this.budget, dataVersionOf(db), readFrom, hashed);
    this.chains.set(chainKey(chain.tableId, chain.tenant), c);
    return c;
  }

  of(tableId: number, tenant: string): FetchedChain | undefined {
    return this.chains.get(chainKey(tableId, tenant));
  }

  all(): FetchedChain[] {
    return [...this.chains.values()];
  }
}

function dataVersionOf(db: CacheDb): number {
  return db.pragma('data_version', { simple: true }) as number;
}

function chainKey(tableId: number, tenant: string): string {
  return `${tableId}\u0000${tenant}`;
}
