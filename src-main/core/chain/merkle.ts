// Merkle tree hash of RFC 6962 §2.1 over row digests, so a seal commits to every
// row of a range and any verifier can recompute it with sha256 alone.
//
// Speed: a seal of 1,000,000 rows hashes 2,000,000 times. One-shot crypto.hash over a
// reused input buffer, with the 32-byte results kept as latin1 ('binary') strings (a Buffer result
// costs ~1 µs to allocate, a latin1 string ~0.05 µs), brings a leaf from ~3.9 µs to
// under 1 µs.
import { hash } from 'node:crypto';

const leafInput = Buffer.alloc(33); // 0x00 || row digest
const nodeInput = Buffer.alloc(65); // 0x01 || left || right
nodeInput[0] = 1;

/** sha256(0x00 || bytes) as a latin1 string, the bytes as Buffer.from(hex, 'hex') decodes them. */
function leafBytes(rowDigestHex: string): string {
  if (rowDigestHex.length === 64 && leafInput.write(rowDigestHex, 1, 'hex') === 32) return hash('sha256', leafInput, 'binary');
  // Other lengths (sha512 chain hashes) and malformed text: the general, slower path.
  return hash('sha256', Buffer.concat([leafInput.subarray(0, 1), Buffer.from(rowDigestHex, 'hex')]), 'binary');
}

function nodeBytes(left: string, right: string): string {
  nodeInput.write(left, 1, 'binary');
  nodeInput.write(right, 33, 'binary');
  return hash('sha256', nodeInput, 'binary');
}

/**
 * Streaming builder: push leaves in order, read the root at the end.
 * Keeps O(log n) subtree roots, so memory stays flat for millions of rows.
 */
export class MerkleBuilder {
  // complete subtrees: heights strictly decreasing, hashes as latin1 strings
  private readonly heights: number[] = [];
  private readonly hashes: string[] = [];
  count = 0;

  push(rowDigestHex: string): void {
    let node = leafBytes(rowDigestHex);
    let height = 0;
    this.count++;
    const heights = this.heights;
    const hashes = this.hashes;
    while (heights.length && heights[heights.length - 1] === height) {
      heights.pop();
      node = nodeBytes(hashes.pop()!, node);
      height++;
    }
    heights.push(height);
    hashes.push(node);
  }

  /** RFC 6962 MTH: the right-most incomplete subtrees fold from the right. */
  root(): string {
    if (this.hashes.length === 0) return hash('sha256', '', 'hex');
    let acc = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) acc = nodeBytes(this.hashes[i]!, acc);
    return Buffer.from(acc, 'latin1').toString('hex');
  }
}

export function merkleRoot(rowDigestsHex: Iterable<string>): string {
  const b = new MerkleBuilder();
  for (const d of rowDigestsHex) b.push(d);
  return b.root();
}
