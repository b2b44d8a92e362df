// A chain's leaves for the RFC 6962 tree of docs/tlog-evidence.md, collected as rows
// stream by (from the cache, or from a package's audit_events.csv): rows in seq order
// whose stored hash is lowercase hex of the chain's width are leaves; any other row is
// no leaf (its break is the verifier's to report). Flat buffers: a million leaves cost
// ~8 MB of seqs and 32-64 MB of hashes, not a million objects.
import { MerkleBuilder } from './merkle.js';
import { LeafTreeBuilder, type LeafTree } from './tlog-proofs.js';

const HEX_HASH = /^(?:[0-9a-f]{64}|[0-9a-f]{128})$/;

/** The size and root of a chain's RFC 6962 tree (leaf data = stored hashes). */
export interface ChainTree {
  size: bigint;
  root: Buffer;
}

/** The leaf rule both builders share: lowercase hex of the width the chain's first leaf has. */
class LeafWidth {
  private width = 0;

  admits(storedHash: string | null): storedHash is string {
    if (storedHash === null || !HEX_HASH.test(storedHash)) return false;
    if (this.width === 0) this.width = storedHash.length;
    return storedHash.length === this.width;
  }
}

/**
 * The same tree as ChainLeafCollector's, for rows pushed in the same order, keeping only
 * its O(log n) right edge: a sync's checkpoint needs the size and root, not the leaves.
 */
export class ChainTreeBuilder {
  private readonly rule = new LeafWidth();
  private readonly merkle = new MerkleBuilder();

  push(storedHash: string | null): boolean {
    if (!this.rule.admits(storedHash)) return false;
    this.merkle.push(storedHash);
    return true;
  }

  get size(): number {
    return this.merkle.count;
  }

  root(): Buffer {
    return Buffer.from(this.merkle.root(), 'hex');
  }
}

export class ChainLeafCollector {
  private readonly builder = new LeafTreeBuilder();
  private readonly rule = new LeafWidth();
  private seqList = new BigInt64Array(1024);
  private data = Buffer.alloc(0);
  private width = 0;
  private n = 0;
  private built: LeafTree | null = null;

  /** Adds the row when its stored hash makes it a leaf; returns whether it did. */
  push(seq: bigint, storedHash: string | null): boolean {
    if (!this.rule.admits(storedHash)) return false;
    this.width ||= storedHash.length / 2;
    const { n, width } = this;
    if (n === this.seqList.length) {
      const grown = new BigInt64Array(n * 2);
      grown.set(this.seqList);
      this.seqList = grown;
    }
    if (this.data.length < (n + 1) * width) {
      const grown = Buffer.allocUnsafe(this.seqList.length * width);
      this.data.copy(grown, 0, 0, n * width);
      this.data = grown;
    }
    const bytes = this.data.subarray(n * width, (n + 1) * width);
    bytes.write(storedHash, 'hex');
    this.builder.push(bytes);
    this.seqList[n] = seq;
    this.n++;
    this.built = null;
    return true;
  }

  get size(): number {
    return this.n;
  }

  /** seq of each leaf, in leaf order */
  get seqs(): BigInt64Array {
    return this.seqList.subarray(0, this.n);
  }

  /** the stored hash of leaf i (the leaf data), hex */
  storedHash(i: number): string {
    return this.data.subarray(i * this.width, (i + 1) * this.width).toString('hex');
  }

  tree(): LeafTree {
    return (this.built ??= this.builder.finish());
  }
}
