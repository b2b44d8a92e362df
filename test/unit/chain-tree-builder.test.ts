// A sync's checkpoint streams its chain's tree (ChainTreeBuilder) where proofs keep the
// leaves (ChainLeafCollector): both must name the same tree, or a later proof would not
// match the checkpoint the sync signed. Rows that are no leaf (no hash, not lowercase
// hex, another width than the first leaf's) are mixed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ChainLeafCollector, ChainTreeBuilder } from '../../src-main/core/chain/chain-leaves.js';

const sha = (s: string, algorithm = 'sha256') => createHash(algorithm).update(s).digest('hex');

const storedHash = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((n) => sha(`row ${n}`)) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.nat().map((n) => sha(`row ${n}`).toUpperCase()) },
  { weight: 1, arbitrary: fc.nat().map((n) => sha(`row ${n}`, 'sha512')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

test('the streamed tree has the size and root of the tree kept for proofs, whatever rows are no leaf', () => {
  let nonEmpty = 0;
  fc.assert(
    fc.property(fc.array(storedHash, { maxLength: 300 }), (hashes) => {
      const streamed = new ChainTreeBuilder();
      const kept = new ChainLeafCollector();
      hashes.forEach((h, i) => assert.equal(streamed.push(h), kept.push(BigInt(i + 1), h), `row ${i} is a leaf in one and not the other`));
      assert.equal(streamed.size, kept.size);
      if (kept.size === 0) return;
      nonEmpty++;
      assert.equal(streamed.root().toString('hex'), kept.tree().root().toString('hex'));
    }),
    { numRuns: 300 },
  );
  assert.ok(nonEmpty > 200, `only ${nonEmpty} runs had a leaf`);
});
