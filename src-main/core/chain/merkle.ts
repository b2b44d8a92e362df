// Merkle tree hash of RFC 6962 §2.1 over row digests, so a seal commits to every
// row of a range and any verifier can recompute it with sha256 alone.
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(rowDigestHex: string): Buffer {
  return createHash('sha256').update(LEAF).update(Buffer.from(rowDigestHex, 'hex')).digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/**
 * Streaming builder: push leaves in order, read the root at the end.
 * Keeps O(log n) subtree roots, so memory stays flat for millions of rows.
 */
export class MerkleBuilder {
  // stack of [height, hash] for complete subtrees, strictly decreasing heights
  private stack: { height: number; hash: Buffer }[] = [];
  count = 0;

  push(rowDigestHex: string): void {
    let node = { height: 0, hash: leafHash(rowDigestHex) };
    this.count++;
    while (this.stack.length && this.stack[this.stack.length - 1]!.height === node.height) {
      const left = this.stack.pop()!;
      node = { height: node.height + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
  }

  /** RFC 6962 MTH: the right-most incomplete subtrees fold from the right. */
  root(): string {
    if (this.stack.length === 0) return createHash('sha256').digest('hex');
    let acc = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash(this.stack[i]!.hash, acc);
    return acc.toString('hex');
  }
}

export function merkleRoot(rowDigestsHex: Iterable<string>): string {
  const b = new MerkleBuilder();
  for (const d of rowDigestsHex) b.push(d);
  return b.root();
}
