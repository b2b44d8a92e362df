// RFC 6962 §2.1 Merkle audit paths and consistency proofs (verification as in RFC 9162
// §2.1.3.2 and §2.1.4.2), over a chain's rows in seq order with leaf data = the row's
// stored hash bytes: the same tree whose root the verifier already computes
// (chain-verifier `merkle: true`, checkpoints' merkle_root). Independent tools
// (Go's golang.org/x/mod/sumdb/tlog, any RFC 6962 library) verify what this writes.
import { createHash } from 'node:crypto';
import { UserError } from '../util/errors.js';

export type Hash = Buffer;

export function leafHashOf(leafData: Buffer): Hash {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(leafData)
    .digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * A tree over leaf hashes already computed (sha256(0x00 || stored hash)); proofs and
 * roots for any size up to its leaf count, so one read of a chain answers proofs
 * against every earlier checkpoint of it. Leaf hashes live in one buffer (32 bytes
 * each): a million rows cost 32 MB, not a million Buffer objects.
 */
export class LeafTree {
  private constructor(
    private readonly leafHashes: Buffer,
    readonly size: number,
  ) {}

  static fromStoredHashes(storedHashesHex: Iterable<string>): LeafTree {
    const b = new LeafTreeBuilder();
    for (const h of storedHashesHex) b.push(Buffer.from(h, 'hex'));
    return b.finish();
  }

  /** @internal for LeafTreeBuilder */
  static fromLeafHashes(leafHashes: Buffer, size: number): LeafTree {
    return new LeafTree(leafHashes, size);
  }

  private leaf(i: number): Hash {
    return this.leafHashes.subarray(i * 32, i * 32 + 32);
  }

  /** MTH(D[lo:hi]) */
  private subtree(lo: number, hi: number): Hash {
    const n = hi - lo;
    if (n === 1) return this.leaf(lo);
    const k = splitPoint(n);
    return nodeHash(this.subtree(lo, lo + k), this.subtree(lo + k, hi));
  }

  root(size = this.size): Hash {
    this.checkSize(size);
    if (size === 0) return createHash('sha256').digest();
    return this.subtree(0, size);
  }

  /** PATH(index, D[0:size]): the leaf's sibling first, the root's child last. */
  inclusionProof(index: number, size = this.size): Hash[] {
    this.checkSize(size);
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new UserError(`leaf ${index} is not in a tree of ${size} leaves.`, 'E_USAGE', 'Name a row that the checkpoint covers.');
    }
    const path: Hash[] = [];
    const walk = (m: number, lo: number, hi: number): void => {
      if (hi - lo === 1) return;
      const k = splitPoint(hi - lo);
      if (m < k) {
        walk(m, lo, lo + k);
        path.push(this.subtree(lo + k, hi));
      } else {
        walk(m - k, lo + k, hi);
        path.push(this.subtree(lo, lo + k));
      }
    };
    walk(index, 0, size);
    return path;
  }

  /** PROOF(m, D[0:n]) of RFC 6962 §2.1.2: the tree of size m is a prefix of the tree of size n. */
  consistencyProof(m: number, n = this.size): Hash[] {
    this.checkSize(n);
    if (!Number.isInteger(m) || m < 1 || m > n) {
      throw new UserError(`no consistency proof from ${m} to ${n} leaves.`, 'E_USAGE', 'The earlier tree must have at least one leaf and no more than the later one.');
    }
    const proof: Hash[] = [];
    const sub = (mm: number, lo: number, hi: number, whole: boolean): void => {
      if (mm === hi - lo) {
        if (!whole) proof.push(this.subtree(lo, hi));
        return;
      }
      const k = splitPoint(hi - lo);
      if (mm <= k) {
        sub(mm, lo, lo + k, whole);
        proof.push(this.subtree(lo + k, hi));
      } else {
        sub(mm - k, lo + k, hi, false);
        proof.push(this.subtree(lo, lo + k));
      }
    };
    sub(m, 0, n, true);
    return proof;
  }

  private checkSize(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size) {
      throw new UserError(`a tree of ${size} leaves is not available (the chain has ${this.size}).`, 'E_USAGE', 'Use a size the chain has reached.');
    }
  }
}

/** Collects leaf hashes in one growing buffer as rows stream by. */
export class LeafTreeBuilder {
  private buf = Buffer.allocUnsafe(32 * 1024);
  private n = 0;

  push(leafData: Buffer): void {
    if ((this.n + 1) * 32 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.n * 32);
      this.buf = bigger;
    }
    leafHashOf(leafData).copy(this.buf, this.n * 32);
    this.n++;
  }

  finish(): LeafTree {
    return LeafTree.fromLeafHashes(this.buf.subarray(0, this.n * 32), this.n);
  }
}

const isOdd = (n: bigint) => (n & 1n) === 1n;

/** RFC 9162 §2.1.3.2. Sizes as bigint: chains may outgrow 2^53 in principle. */
export function verifyInclusion(index: bigint, size: bigint, leafHash: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (index < 0n || index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

/** RFC 9162 §2.1.4.2: the tree (size2, root2) extends the tree (size1, root1). */
export function verifyConsistency(size1: bigint, size2: bigint, root1: Hash, root2: Hash, proof: readonly Hash[]): boolean {
  if (size1 < 1n || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  let path = [...proof];
  if ((size1 & (size1 - 1n)) === 0n) path = [root1, ...path];
  if (path.length === 0) return false;
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while (isOdd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr.equals(root1) && sr.equals(root2);
}
