// RFC 6962 proofs: every proof this code writes verifies with the RFC 9162 checks,
// any altered proof, leaf or root is refused, and the root is the one the verifier
// and the checkpoints already record (MerkleBuilder over stored hashes).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { merkleRoot } from '../../src-main/core/chain/merkle.js';
import { LeafTree, leafHashOf, verifyConsistency, verifyInclusion } from '../../src-main/core/chain/tlog-proofs.js';

const storedHashes = (n: number, salt = '') => Array.from({ length: n }, (_, i) => createHash('sha256').update(`${salt}row ${i}`).digest('hex'));
const flip = (b: Buffer) => {
  const c = Buffer.from(b);
  c[0] = c[0]! ^ 1;
  return c;
};

describe('RFC 6962 tree over a chain', () => {
  test('the root equals the Merkle root the verifier records for the same stored hashes', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 100]) {
      const hashes = storedHashes(n);
      assert.equal(LeafTree.fromStoredHashes(hashes).root().toString('hex'), merkleRoot(hashes), `size ${n}`);
    }
  });

  test('RFC 6962 reference: the root of a one-leaf tree is sha256(0x00 || leaf)', () => {
    const leaf = createHash('sha256').update('x').digest();
    assert.deepEqual(LeafTree.fromStoredHashes([leaf.toString('hex')]).root(), leafHashOf(leaf));
  });

  test('every inclusion proof verifies, and a changed leaf, proof line, index or root does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (size, pick) => {
        const tree = LeafTree.fromStoredHashes(storedHashes(size));
        const index = pick % size;
        const leaf = leafHashOf(Buffer.from(storedHashes(size)[index]!, 'hex'));
        const proof = tree.inclusionProof(index);
        const root = tree.root();
        assert.ok(verifyInclusion(BigInt(index), BigInt(size), leaf, proof, root));
        assert.ok(!verifyInclusion(BigInt(index), BigInt(size), flip(leaf), proof, root));
        assert.ok(!verifyInclusion(BigInt(index), BigInt(size), leaf, proof, flip(root)));
        if (proof.length) assert.ok(!verifyInclusion(BigInt(index), BigInt(size), leaf, [flip(proof[0]!), ...proof.slice(1)], root));
        if (size > 1) assert.ok(!verifyInclusion(BigInt((index + 1) % size), BigInt(size), leaf, proof, root));
      }),
      { numRuns: 300 },
    );
  });

  test('every consistency proof verifies; a rewritten earlier row makes it fail', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.nat(), (m, extra, victim) => {
        const n = m + extra;
        const hashes = storedHashes(n);
        const tree = LeafTree.fromStoredHashes(hashes);
        const proof = tree.consistencyProof(m, n);
        assert.ok(verifyConsistency(BigInt(m), BigInt(n), tree.root(m), tree.root(n), proof));
        // History rewritten: one of the first m rows differs in the later tree.
        const rewritten = [...hashes];
        rewritten[victim % m] = createHash('sha256').update('forged').digest('hex');
        const later = LeafTree.fromStoredHashes(rewritten);
        assert.ok(!verifyConsistency(BigInt(m), BigInt(n), tree.root(m), later.root(n), later.consistencyProof(m, n)));
        if (proof.length) assert.ok(!verifyConsistency(BigInt(m), BigInt(n), tree.root(m), tree.root(n), [flip(proof[0]!), ...proof.slice(1)]));
      }),
      { numRuns: 300 },
    );
  });

  test('a leaf outside the tree is a usage error, not a proof', () => {
    const tree = LeafTree.fromStoredHashes(storedHashes(4));
    assert.throws(() => tree.inclusionProof(4), { code: 'E_USAGE' });
    assert.throws(() => tree.consistencyProof(0), { code: 'E_USAGE' });
    assert.throws(() => tree.root(5), { code: 'E_USAGE' });
  });
});
