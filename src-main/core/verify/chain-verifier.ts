// The verification engine: consumes ONE chain (table + tenant) in seq order and
// reports every break, classified, without stopping at the first one. It keeps a
// small look-ahead window (to tell an inserted or swapped row from a modified one)
// and a few hashes of state, so memory stays flat for chains of any length.
// The rules are written down in docs/verification.md; keep the two in step.
import { chainHash } from '../chain/hash.js';
import { MerkleBuilder } from '../chain/merkle.js';
import type { ChainTree } from '../chain/chain-leaves.js';
import { genesisOf, type ChainProfile } from '../chain/profile.js';
import type { BreakRowFacts } from '../contract/verify-report.js';
import { explainBreak } from './explain.js';
import type { Anchor, AnchorResult, ChainBreak, ChainResult, ChainRow, ReferenceComparison, ReferenceHashes, UnprotectedRows } from './types.js';

export interface ChainVerifierOptions {
  table: string;
  tenant: string;
  profile: ChainProfile;
  /**
   * 'source': a chain that now ends before a checkpoint or the cached copy is truncated.
   * 'cache': the cache may simply be out of date, so ending early is never a break.
   */
  mode: 'source' | 'cache';
  /** Rows looked at ahead of the current one (default 64). */
  window?: number;
  /** seq of the first row of every chain (default 1). */
  startSeq?: bigint;
  /** Rebuilds a row's payload as if its seq were `seq`, to re-check a displaced row where it belongs. */
  payloadAtSeq?: (row: ChainRow, seq: bigint) => string | null;
  /** Earlier heads of this chain (signed checkpoints, external anchors). */
  anchors?: readonly Anchor[];
  /** Earlier hashes of this chain row by row (the cache, when checking a live source). */
  reference?: ReferenceHashes;
  /**
   * Also compute the RFC 6962 Merkle root over the rows' stored hashes (default false:
   * it costs two more SHA-256 per row, and the head hash already commits to the chain).
   */
  merkle?: boolean;
  /**
   * Compute the same tree for the checkpoint this run records as a signed note
   * (result.tree), without putting its root in the report as --merkle does.
   */
  tree?: boolean;
  /**
   * The RFC 6962 tree (size, root) over the stored hashes of exactly the rows this verifier
   * is about to be fed, in that order: the one a sync's seal built over the same rows, so
   * the verdict need not hash it again (issue 17, goal 3). Taken only if the chain turns
   * out linked without a break, every row a leaf: then the tree this engine would build
   * has those leaves in that order, so it is this one. Otherwise finish() throws
   * KnownTreeDoesNotFit, and the caller feeds the rows again without it. Not used with
   * `merkle`, nor beside a tree checkpoint smaller than it (whose root is needed as the
   * rows pass).
   */
  knownTree?: ChainTree;
  /** Breaks listed in the result; further ones are counted (default 100,000). */
  maxBreaks?: number;
  onBreak?: (b: ChainBreak) => void;
}

const DEFAULT_WINDOW = 64;

/** The chain was not linked without a break, so the tree given as known may not be this chain's: feed it again without one. */
export class KnownTreeDoesNotFit extends Error {}

export class ChainVerifier {
  private readonly profile: ChainProfile;
  private readonly genesis: string;
  private readonly hexRe: RegExp;
  /** The last string found to be well-formed hex: the next row's previous hash is usually it. */
  private hexKnown: string | null = null;
  private readonly window: number;
  private readonly startSeq: bigint;
  private readonly maxBreaks: number;
  private readonly merkle: MerkleBuilder | null;
  private readonly knownTree: ChainTree | null;
  /** Rows whose stored hash is a leaf, while the tree is the known one. */
  private knownLeaves = 0;

  // look-ahead: rows pending[head..] are not processed yet
  private pending: ChainRow[] = [];
  private head = 0;

  // chain state
  private lastHash: string | null;
  private prevLastHash: string | null = null;
  private lastSeq: bigint | null = null;
  private lastRow: ChainRow | null = null;
  private lastRowBroken = false;
  /** The previous row is already reported, so a link mismatch on the next row is part of that break. */
  private lenient = false;
  private firstSeq: bigint | null = null;

  private rows = 0;
  private brokenRows = 0;
  private breaks: ChainBreak[] = [];
  private breaksOmitted = 0;
  private finished: ChainResult | null = null;
  private readonly unprotected = new Map<string, UnprotectedRows>();

  // references
  private readonly anchors: Anchor[];
  private anchorIdx = 0;
  private readonly treeAnchors: Anchor[];
  private treeIdx = 0;
  private anchorResults: AnchorResult[] = [];
  private refItem: { seq: bigint; hash: string | null } | null | undefined;
  private refCompared = 0;
  private refDiffering = 0;
  private refFirstDiff: { seq: bigint; expected: string | null; found: string | null; row: ChainRow } | null = null;
  private refLastSeq: bigint | null = null;
  private refLastHash: string | null = null;

  constructor(private readonly opts: ChainVerifierOptions) {
    this.profile = opts.profile;
    this.genesis = genesisOf(opts.profile);
    const hexLength = opts.profile.algorithm === 'sha512' ? 128 : 64;
    this.hexRe = new RegExp(`^[0-9a-f]{${hexLength}}$`);
    this.window = Math.max(2, opts.window ?? DEFAULT_WINDOW);
    this.startSeq = opts.startSeq ?? 1n;
    this.maxBreaks = opts.maxBreaks ?? 100_000;
    this.lastHash = this.genesis;
    // A head before the first seq (an empty chain's checkpoint) says nothing about any row.
    this.anchors = (opts.anchors ?? []).filter((a) => !a.tree && a.lastSeq >= this.startSeq).sort((a, b) => (a.lastSeq < b.lastSeq ? -1 : a.lastSeq > b.lastSeq ? 1 : 0));
    this.treeAnchors = (opts.anchors ?? []).filter((a) => a.tree && BigInt(a.tree.size) > 0n).sort((a, b) => (BigInt(a.tree!.size) < BigInt(b.tree!.size) ? -1 : 1));
    // A signed tree checkpoint is compared by its Merkle root, so its anchors need the tree too.
    const treeWanted = opts.merkle === true || opts.tree === true || (opts.anchors ?? []).some((a) => a.tree);
    const known = opts.knownTree;
    this.knownTree = treeWanted && opts.merkle !== true && known && this.treeAnchors.every((a) => BigInt(a.tree!.size) >= known.size) ? known : null;
    this.merkle = treeWanted && !this.knownTree ? new MerkleBuilder() : null;
  }

  /** Feed the next row (ascending seq order). */
  push(row: ChainRow): void {
    if (row.unprotected && row.seq !== null) this.noteUnprotected(row.unprotected, row.seq);
    this.pending.push(row);
    if (this.pending.length - this.head > this.window) this.step();
    // Drop processed rows now and then instead of shifting on every row.
    if (this.head > 1024) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  /** A row whose values the profile cannot protect: a limit of the verdict, not a break. */
  private noteUnprotected(kinds: readonly UnprotectedRows['kind'][], seq: bigint): void {
    for (const kind of kinds) {
      const u = this.unprotected.get(kind);
      if (!u) this.unprotected.set(kind, { kind, rows: 1, firstSeq: seq, seqs: [seq] });
      else {
        u.rows++;
        if (seq < u.firstSeq) u.firstSeq = seq;
        if (u.seqs.length < 100) u.seqs.push(seq);
      }
    }
  }

  /** No more rows: settle the look-ahead, compare with references and return the verdict. */
  finish(): ChainResult {
    if (this.finished) return this.finished;
    while (this.head < this.pending.length) this.step();
    this.pending = [];
    this.head = 0;
    // Linked without a break, each row was taken once, in the order fed: the leaves are the rows.
    const known = this.knownTree;
    if (known && !(this.breaks.length === 0 && this.breaksOmitted === 0 && this.knownLeaves === this.rows && BigInt(this.rows) === known.size)) {
      throw new KnownTreeDoesNotFit(`${this.opts.table} · ${this.opts.tenant}: the chain is not linked without a break over the ${known.size} leaves of the tree given`);
    }
    this.settleReferences();
    const breaks = this.breaks
      .map((b, i) => ({ b, i }))
      .sort((x, y) => cmpSeq(x.b.seq, y.b.seq) || x.i - y.i)
      .map((x) => x.b);
    this.finished = {
      table: this.opts.table,
      tenant: this.opts.tenant,
      rows: this.rows,
      intactRows: this.rows - this.brokenRows,
      intact: breaks.length === 0 && this.breaksOmitted === 0,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      headHash: this.lastHash,
      merkleRoot: this.merkle && this.opts.merkle ? this.merkle.root() : null,
      tree: this.merkle ? { size: BigInt(this.merkle.count), root: Buffer.from(this.merkle.root(), 'hex') } : this.knownTree ? { size: this.knownTree.size, root: this.knownTree.root } : null,
      breaks,
      breaksOmitted: this.breaksOmitted,
      // already in ascending lastSeq order: results are produced as the chain reaches each anchor
      anchors: this.anchorResults,
      reference: this.referenceSummary(),
      unprotected: [...this.unprotected.values()],
    };
    return this.finished;
  }

  // ---- the classification ----------------------------------------------------

  private step(): void {
    const r = this.pending[this.head]!;
    if (r.seq === null) {
      this.emit({
        seq: null,
        kind: 'malformed',
        id: r.id,
        expected: 'an integer seq',
        found: r.seqText ?? null,
        time: r.time,
        facts: { cause: 'malformed_seq', row: rowFacts(r), seqText: r.seqText ?? null },
      });
      this.countExtra();
      this.head++;
      return;
    }
    const expected = this.lastSeq === null ? this.startSeq : this.lastSeq + 1n;
    if (r.seq < expected) {
      this.head++;
      this.countExtra();
      if (this.lastRow && r.seq === this.lastSeq) {
        this.emitExtra(r, this.lastRow);
      } else if (this.lastSeq === null) {
        this.emit({
          seq: r.seq,
          kind: 'inserted',
          id: r.id,
          expected: null,
          found: r.hash,
          time: r.time,
          facts: { cause: 'before_start', row: rowFacts(r), startSeq: this.startSeq },
        });
      } else {
        this.emit({
          seq: r.seq,
          kind: 'reordered',
          id: r.id,
          expected: null,
          found: r.hash,
          time: r.time,
          facts: { cause: 'out_of_order', row: rowFacts(r), afterSeq: this.lastSeq },
        });
      }
      return;
    }

    // Several rows with the same seq: keep the one the chain links through, report the others.
    let g = 1;
    while (this.head + g < this.pending.length && this.pending[this.head + g]!.seq === r.seq) g++;
    if (g > 1) this.resolveGroup(g);
    const row = this.pending[this.head]!;
    const seq = row.seq!;

    // A digest is well-formed hex, so a hash equal to its recomputation needs no pattern test.
    const computed = row.prevHash !== null ? this.recompute(row) : null;
    const hashOk = row.hash !== null && (row.hash === computed || this.isHex(row.hash));
    const prevOk = row.prevHash !== null && (row.prevHash === this.genesis || this.isHex(row.prevHash));
    if (hashOk) this.hexKnown = row.hash;
    const gap = seq > expected;
    const selfOk = hashOk && prevOk && computed === row.hash;
    const linkKnown = this.lastHash !== null;
    const linkOk = !linkKnown || row.prevHash === this.lastHash;

    if (gap) this.reportGap(expected, row, linkKnown && linkOk, prevOk);

    if (!hashOk || !prevOk) {
      this.emit({
        seq,
        kind: 'malformed',
        id: row.id,
        expected: `${this.profile.algorithm === 'sha512' ? 128 : 64} lowercase hex characters`,
        found: !hashOk ? row.hash : row.prevHash,
        time: row.time,
        facts: {
          cause: 'malformed_hash',
          row: rowFacts(row),
          hexChars: this.profile.algorithm === 'sha512' ? 128 : 64,
          hash: hashOk ? null : { column: this.profile.hashColumn, value: row.hash },
          prevHash: prevOk ? null : { column: this.profile.prevHashColumn, value: row.prevHash },
        },
      });
      this.accept(row, true, hashOk ? row.hash : null);
      return;
    }

    if (linkOk || gap || this.lenient) {
      if (!selfOk) this.reportContentChange(row);
      this.accept(row, !selfOk, row.hash);
      return;
    }

    // The row does not link to its predecessor and nothing reported so far explains why.
    if (this.tryReorder(expected)) return;

    if (this.prevLastHash !== null && row.prevHash === this.prevLastHash && this.lastRow && !this.lastRowBroken) {
      const inserted = this.lastRow;
      this.emit({
        seq: inserted.seq,
        kind: 'inserted',
        id: inserted.id,
        expected: null,
        found: inserted.hash,
        time: inserted.time,
        facts: { cause: 'inserted_between', row: rowFacts(inserted), next: { seq, id: row.id } },
      });
      this.markLastBroken();
      if (!selfOk) this.reportContentChange(row);
      this.accept(row, !selfOk, row.hash);
      return;
    }

    if (!selfOk) {
      this.emit({
        seq,
        kind: 'modified',
        id: row.id,
        expected: row.hash,
        found: this.recompute(row),
        time: row.time,
        facts: {
          cause: 'altered',
          row: rowFacts(row),
          prevHashColumn: this.profile.prevHashColumn,
          previousSeq: this.lastRow ? this.lastRow.seq : null,
          storedHash: row.hash,
          contentHash: this.recompute(row),
        },
      });
      this.accept(row, true, row.hash);
      return;
    }

    // The row is consistent in itself but links to a hash its predecessor does not have.
    const prev = this.lastRow;
    if (prev && !this.lastRowBroken && prev.seq === seq - 1n) {
      this.emit({
        seq: prev.seq,
        kind: 'modified',
        id: prev.id,
        expected: row.prevHash,
        found: prev.hash,
        time: prev.time,
        facts: {
          cause: 'next_disagrees',
          row: rowFacts(prev),
          next: { seq, id: row.id },
          recordedHash: row.prevHash,
          currentHash: prev.hash,
          prevHashColumn: this.profile.prevHashColumn,
        },
      });
      this.markLastBroken();
    } else {
      this.emit({
        seq,
        kind: 'modified',
        id: row.id,
        expected: this.lastHash,
        found: row.prevHash,
        time: row.time,
        facts: prev
          ? { cause: 'relinked', row: rowFacts(row), prevHashColumn: this.profile.prevHashColumn, linksTo: row.prevHash, previousSeq: prev.seq, previousHash: this.lastHash }
          : { cause: 'first_not_genesis', row: rowFacts(row), prevHashColumn: this.profile.prevHashColumn, linksTo: row.prevHash, genesis: this.genesis },
      });
      this.accept(row, true, row.hash);
      return;
    }
    this.accept(row, false, row.hash);
  }

  private reportContentChange(row: ChainRow): void {
    const now = this.recompute(row);
    this.emit({
      seq: row.seq,
      kind: 'modified',
      id: row.id,
      expected: row.hash,
      found: now,
      time: row.time,
      facts: { cause: 'content_changed', row: rowFacts(row), storedHash: row.hash, contentHash: now },
    });
  }

  private reportGap(expected: bigint, next: ChainRow, relinked: boolean, nextPrevOk: boolean): void {
    const prev = this.lastRow;
    const missing = next.seq! - expected;
    const room = BigInt(Math.max(0, this.maxBreaks - this.breaks.length));
    const listed = missing < room ? missing : room;
    const gap = relinked ? 'relinked' : prev ? 'dangling' : 'start';
    for (let i = 0n; i < listed; i++) {
      const s = expected + i;
      const isLast = s === next.seq! - 1n;
      this.emit({
        seq: s,
        kind: 'deleted',
        id: null,
        expected: isLast && !relinked && nextPrevOk ? next.prevHash : null,
        found: null,
        time: null,
        facts: {
          cause: 'deleted',
          seq: s,
          from: prev ? rowFacts(prev) : null,
          next: rowFacts(next),
          missing,
          firstMissing: expected,
          lastMissing: next.seq! - 1n,
          gap,
          prevHashColumn: this.profile.prevHashColumn,
        },
      });
    }
    this.breaksOmitted += Number(missing - listed);
  }

  /**
   * Several rows share one seq. The row that links to the predecessor, hashes
   * correctly and is linked to by the successor is the chain's; each other one is
   * a `duplicate` (a copy: same hash, id or content) or `inserted` (a foreign row).
   */
  private resolveGroup(g: number): void {
    const group = this.pending.slice(this.head, this.head + g);
    const after = this.pending[this.head + g];
    const successor = after && after.seq === group[0]!.seq! + 1n ? after : undefined;
    let best = 0;
    let bestScore = -1;
    group.forEach((c, i) => {
      const wellFormed = c.hash !== null && c.prevHash !== null && this.hexRe.test(c.hash);
      const score =
        (wellFormed && this.lastHash !== null && c.prevHash === this.lastHash ? 4 : 0) +
        (wellFormed && this.recompute(c) === c.hash ? 2 : 0) +
        (wellFormed && successor && successor.prevHash === c.hash ? 1 : 0);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    const genuine = group[best]!;
    group.forEach((c, i) => {
      if (i === best) return;
      this.countExtra();
      this.emitExtra(c, genuine);
    });
    this.pending.splice(this.head, g, genuine);
  }

  private emitExtra(extra: ChainRow, genuine: ChainRow): void {
    const copy = extra.hash === genuine.hash || extra.id === genuine.id || extra.payload === genuine.payload;
    if (copy) {
      this.emit({
        seq: extra.seq,
        kind: 'duplicate',
        id: extra.id,
        expected: null,
        found: extra.hash,
        time: extra.time,
        facts: { cause: 'duplicate', row: rowFacts(extra), genuineId: genuine.id, sameHash: extra.hash === genuine.hash },
      });
    } else {
      this.emit({
        seq: extra.seq,
        kind: 'inserted',
        id: extra.id,
        expected: null,
        found: extra.hash,
        time: extra.time,
        facts: { cause: 'inserted_same_seq', row: rowFacts(extra), genuineId: genuine.id },
      });
    }
  }

  /**
   * The row here does not link to its predecessor, but a row a little further on
   * does. If the rows up to that one can be put in an order where every row links
   * to the one before (a permutation of this stretch), they were reordered.
   */
  private tryReorder(expected: bigint): boolean {
    const lastHash = this.lastHash;
    if (lastHash === null) return false;
    const end = this.pending.length;
    let d = -1;
    for (let i = this.head + 1; i < end; i++) {
      const q = this.pending[i]!;
      if (q.seq !== expected + BigInt(i - this.head)) return false; // gaps or repeats: not a plain reorder
      if (q.prevHash === lastHash) {
        d = i - this.head;
        break;
      }
    }
    if (d < 0) return false;
    const block = this.pending.slice(this.head, this.head + d + 1);
    const order: ChainRow[] = [];
    const left = new Set(block);
    let cur = lastHash;
    while (left.size) {
      let nextRow: ChainRow | undefined;
      for (const c of left) {
        if (c.prevHash === cur) {
          nextRow = c;
          break;
        }
      }
      if (!nextRow) return false;
      order.push(nextRow);
      left.delete(nextRow);
      cur = nextRow.hash ?? '';
    }
    const pred = this.lastRow;
    block.forEach((row, i) => {
      const belongsAt = expected + BigInt(order.indexOf(row));
      const here = order[i]!;
      let broken = false;
      if (belongsAt !== row.seq) {
        broken = true;
        const before = order[order.indexOf(row) - 1] ?? pred;
        this.emit({
          seq: row.seq,
          kind: 'reordered',
          id: row.id,
          expected: here.hash,
          found: row.hash,
          time: row.time,
          facts: {
            cause: 'swapped',
            row: rowFacts(row),
            prevHashColumn: this.profile.prevHashColumn,
            belongsAt,
            afterId: before ? before.id : null,
            holder: { id: here.id, seq: here.seq },
          },
        });
      }
      const atOwnSeq = belongsAt === row.seq;
      const payload = atOwnSeq ? null : (this.opts.payloadAtSeq?.(row, belongsAt) ?? null);
      const now = atOwnSeq ? this.recompute(row) : payload !== null ? chainHash(row.prevHash!, payload, this.profile) : null;
      if (now !== null && now !== row.hash) {
        broken = true;
        this.emit({
          seq: row.seq,
          kind: 'modified',
          id: row.id,
          expected: row.hash,
          found: now,
          time: row.time,
          facts: { cause: 'swapped_and_changed', row: rowFacts(row), belongsAt, contentHash: now, storedHash: row.hash },
        });
      }
      this.rows++;
      if (broken) this.brokenRows++;
      this.recordPosition(row.seq!, row.hash, row);
    });
    this.prevLastHash = order.length > 1 ? order[order.length - 2]!.hash : lastHash;
    this.lastHash = order[order.length - 1]!.hash;
    this.lastSeq = expected + BigInt(d);
    this.lastRow = order[order.length - 1]!;
    this.lastRowBroken = true;
    this.lenient = false;
    this.head += d + 1;
    return true;
  }

  /** chainHash(prevHash, payload) of the row as stored (an adapter may have computed it already). */
  private recompute(row: ChainRow): string {
    return row.computed ?? chainHash(row.prevHash!, row.payload, this.profile);
  }

  private isHex(s: string): boolean {
    return s === this.hexKnown || this.hexRe.test(s);
  }

  private accept(row: ChainRow, broken: boolean, hash: string | null): void {
    this.rows++;
    if (broken) this.brokenRows++;
    this.prevLastHash = this.lastHash;
    this.lastHash = hash;
    this.lastSeq = row.seq;
    this.lastRow = row;
    this.lastRowBroken = broken;
    this.lenient = broken;
    this.head++;
    this.recordPosition(row.seq!, row.hash, row);
  }

  private markLastBroken(): void {
    if (!this.lastRowBroken) {
      this.brokenRows++;
      this.lastRowBroken = true;
    }
  }

  /** A row that is not part of the chain (duplicate, inserted, malformed seq). */
  private countExtra(): void {
    this.rows++;
    this.brokenRows++;
  }

  private emit(found: Omit<ChainBreak, 'explanation'>): void {
    const b: ChainBreak = { ...found, explanation: explainBreak(found.facts) };
    if (this.breaks.length < this.maxBreaks) this.breaks.push(b);
    else this.breaksOmitted++;
    this.opts.onBreak?.(b);
  }

  // ---- comparison with earlier checkpoints and the cache ----------------------

  private recordPosition(seq: bigint, hash: string | null, row: ChainRow): void {
    if (this.firstSeq === null) this.firstSeq = seq;
    if ((this.merkle || this.knownTree) && hash !== null && this.isHex(hash)) {
      if (this.merkle) this.merkle.push(hash);
      else this.knownLeaves++;
    }
    this.compareTrees(seq, hash);
    while (this.anchorIdx < this.anchors.length && this.anchors[this.anchorIdx]!.lastSeq <= seq) {
      const a = this.anchors[this.anchorIdx++]!;
      if (a.lastSeq < seq) this.anchorResults.push({ ...a, outcome: 'row-missing', foundHash: null });
      else this.anchorResults.push({ ...a, outcome: hash === a.headHash ? 'extended' : 'rewritten', foundHash: hash });
    }
    const ref = this.opts.reference;
    if (!ref) return;
    if (this.refItem === undefined) this.refItem = ref.next();
    while (this.refItem && this.refItem.seq < seq) this.advanceRef();
    if (this.refItem && this.refItem.seq === seq) {
      this.refCompared++;
      if (this.refItem.hash !== hash) {
        this.refDiffering++;
        this.refFirstDiff ??= { seq, expected: this.refItem.hash, found: hash, row };
      }
      // several cached rows for one seq: compare with the first only
      while (this.refItem && this.refItem.seq === seq) this.advanceRef();
    }
  }

  /** Signed tree checkpoints: when the chain has as many leaves as one records, its root must be the recorded one. */
  private compareTrees(seq: bigint, hash: string | null): void {
    const leaves = this.merkle ? this.merkle.count : this.knownTree ? this.knownLeaves : null;
    while (leaves !== null && this.treeIdx < this.treeAnchors.length && BigInt(leaves) >= BigInt(this.treeAnchors[this.treeIdx]!.tree!.size)) {
      const a = this.treeAnchors[this.treeIdx++]!;
      const same = BigInt(leaves) === BigInt(a.tree!.size) && this.treeRootBase64() === a.tree!.root;
      this.anchorResults.push({ ...a, lastSeq: seq, headHash: same && hash ? hash : a.headHash, outcome: same ? 'extended' : 'rewritten', foundHash: hash });
    }
  }

  /** Whether the tree given as known stands for this engine's own (finish() confirms it). */
  get takesKnownTree(): boolean {
    return this.knownTree !== null;
  }

  /** The tree's root so far: the known tree's once its leaves are all in (no anchor is smaller than it). */
  private treeRootBase64(): string {
    return this.merkle ? Buffer.from(this.merkle.root(), 'hex').toString('base64') : this.knownTree!.root.toString('base64');
  }

  private advanceRef(): void {
    const item = this.refItem!;
    this.refLastSeq = item.seq;
    this.refLastHash = item.hash;
    this.refItem = this.opts.reference!.next();
  }

  private settleReferences(): void {
    const ref = this.opts.reference;
    if (ref) {
      if (this.refItem === undefined) this.refItem = ref.next();
      while (this.refItem) this.advanceRef();
      ref.close?.();
    }
    const end = this.lastSeq;
    const beyond: Anchor[] = [];
    // A tree checkpoint the chain never reached: placed where an unbroken chain would have reached it.
    const unreachedTrees = this.treeAnchors.slice(this.treeIdx).map((a) => ({ ...a, lastSeq: this.startSeq + BigInt(a.tree!.size) - 1n }));
    this.treeIdx = this.treeAnchors.length;
    const unreached = [...this.anchors.slice(this.anchorIdx), ...unreachedTrees];
    this.anchorIdx = this.anchors.length;
    for (const a of unreached) {
      beyond.push(a);
      this.anchorResults.push({ ...a, outcome: this.opts.mode === 'source' || a.mustReach ? 'truncated' : 'not-reached', foundHash: null });
    }

    // rewritten: the chain is consistent but no longer the one recorded earlier
    const rewrittenAnchors = this.anchorResults.filter((a) => a.outcome === 'rewritten');
    const alreadyBroken = (seq: bigint) => this.breaks.some((b) => b.seq === seq && b.kind !== 'deleted');
    if (this.refFirstDiff && !alreadyBroken(this.refFirstDiff.seq)) {
      const d = this.refFirstDiff;
      this.emit({
        seq: d.seq,
        kind: 'rewritten',
        id: d.row.id,
        expected: d.expected,
        found: d.found,
        time: d.row.time,
        facts: {
          cause: 'rewritten_since_reference',
          row: rowFacts(d.row),
          foundHash: d.found,
          reference: { label: ref!.label, takenAt: ref!.takenAt },
          recordedHash: d.expected,
          differing: this.refDiffering,
          checkpointsDisagreeing: rewrittenAnchors.length,
        },
      });
    } else if (!this.refFirstDiff && rewrittenAnchors.length) {
      const first = rewrittenAnchors[0]!;
      const below = this.anchorResults.filter((a) => a.outcome === 'extended' && a.lastSeq < first.lastSeq);
      const lower = below.length ? below[below.length - 1]!.lastSeq + 1n : this.startSeq;
      if (!alreadyBroken(first.lastSeq)) {
        this.emit({
          seq: first.lastSeq,
          kind: 'rewritten',
          id: null,
          expected: first.tree ? null : first.headHash,
          found: first.foundHash,
          time: null,
          facts: {
            cause: 'rewritten_since_anchor',
            seq: first.lastSeq,
            foundHash: first.foundHash,
            anchorLabel: first.label,
            headHash: first.headHash,
            tree: first.tree ? { size: first.tree.size, root: first.tree.root } : null,
            from: lower,
            to: first.lastSeq,
          },
        });
      }
    }

    // truncated: the newest rows are gone since a checkpoint or the cached copy
    const mustReach = beyond.filter((a) => this.opts.mode === 'source' || a.mustReach);
    if (mustReach.length || this.opts.mode === 'source') {
      let far: { seq: bigint; hash: string | null; label: string } | null = null;
      for (const a of mustReach) if (!far || a.lastSeq > far.seq) far = { seq: a.lastSeq, hash: a.headHash, label: a.label };
      if (this.opts.mode === 'source' && this.refLastSeq !== null && (end === null || this.refLastSeq > end) && (!far || this.refLastSeq > far.seq)) {
        far = { seq: this.refLastSeq, hash: this.refLastHash, label: ref!.label };
      }
      if (far) {
        const firstGone = end === null ? this.startSeq : end + 1n;
        const last = this.lastRow;
        this.emit({
          seq: firstGone,
          kind: 'truncated',
          id: null,
          expected: far.hash,
          found: null,
          time: null,
          facts: {
            cause: 'truncated',
            // lastSeq, with the row the chain ends on (after a reorder it may sit at another seq)
            end: last ? { seq: end, id: last.id, time: last.time } : null,
            reference: { label: far.label, lastSeq: far.seq, headHash: far.hash },
            firstGone,
            count: far.seq - firstGone + 1n,
          },
        });
      }
    }
  }

  private referenceSummary(): ReferenceComparison | null {
    const ref = this.opts.reference;
    if (!ref) return null;
    return {
      label: ref.label,
      compared: this.refCompared,
      differing: this.refDiffering,
      firstDifferentSeq: this.refFirstDiff?.seq ?? null,
      referenceLastSeq: this.refLastSeq,
    };
  }
}

/** Runs a whole chain through the engine (tests and small inputs). */
export function verifyChain(rows: Iterable<ChainRow>, opts: ChainVerifierOptions): ChainResult {
  const v = new ChainVerifier(opts);
  for (const r of rows) v.push(r);
  return v.finish();
}

function cmpSeq(a: bigint | null, b: bigint | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function rowFacts(r: ChainRow): BreakRowFacts<bigint> {
  return { seq: r.seq, id: r.id, time: r.time };
}
