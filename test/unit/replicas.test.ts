// The parts of a read spread over several URLs that a single embedded server cannot
// show: seq spans that cover the chain's extent exactly once, in order, for any extent
// and URL count; and a replica that has not replayed the position the chain was fixed
// at, which is waited for and then refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitChain, waitUntilReplayed, type RangeSource } from '../../src-main/core/source/replicas.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import type { SourceSession } from '../../src-main/core/source/index.js';

/** A URL whose session answers the replay query from a script (one answer per poll). */
function replica(label: string, answers: [inRecovery: string, replayed: string | null][]): RangeSource & { polls: number } {
  const source = {
    polls: 0,
    session: {
      label,
      query: async () => [answers[Math.min(source.polls++, answers.length - 1)]!],
    } as unknown as SourceSession,
    copy: { target: `postgres://${label}` },
  };
  return source;
}

test('the spans cover every seq of the extent exactly once, in order, one per URL at most, rows without a seq last from the first URL', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), fc.bigInt({ min: 0n, max: 10_000n }), fc.integer({ min: 1, max: 6 }), fc.nat(3), (min, length, urls, nullSeqRows) => {
      const sources = Array.from({ length: urls }, (_, i) => replica(`r${i}`, []));
      const parts = splitChain({ from: String(min), through: String(min + length), nullSeqRows, lsn: '0/0' }, sources);
      const spans = parts.filter((p) => !('nullSeq' in p.span)).map((p) => p.span as { from: string; through: string });
      assert.ok(spans.length >= 1 && spans.length <= urls);
      assert.equal(BigInt(spans[0]!.from), min);
      assert.equal(BigInt(spans.at(-1)!.through), min + length);
      for (let i = 1; i < spans.length; i++) assert.equal(BigInt(spans[i]!.from), BigInt(spans[i - 1]!.through) + 1n, 'no gap, no overlap');
      spans.forEach((s, i) => assert.equal(parts[i]!.source, sources[i], 'span i is read from URL i'));
      const nullPart = parts.filter((p) => 'nullSeq' in p.span);
      assert.equal(nullPart.length, nullSeqRows > 0 ? 1 : 0);
      if (nullPart.length) assert.equal(parts.at(-1)!.source, sources[0]);
    }),
  );
  assert.deepEqual(splitChain({ from: null, through: null, nullSeqRows: 0, lsn: '0/0' }, [replica('a', [])]), [], 'an empty chain reads nothing');
});

test('a replica is read once it has replayed the position; a server not in recovery at once', async () => {
  const catchingUp = replica('replica-1:5432/db', [
    ['true', 'false'],
    ['true', 'false'],
    ['true', 'true'],
  ]);
  await waitUntilReplayed(catchingUp, '0/3000060', 5_000);
  assert.equal(catchingUp.polls, 3);
  const primary = replica('primary:5432/db', [['false', null]]);
  await waitUntilReplayed(primary, '0/3000060', 5_000);
  assert.equal(primary.polls, 1);
});

test('a replica still behind when the wait ends is refused by name, with the position it lacks', async () => {
  const lagging = replica('replica-2:5432/db', [['true', 'false']]);
  await assert.rejects(
    waitUntilReplayed(lagging, '0/3000060', 300),
    (e: unknown) =>
      isUserError(e) &&
      e.code === 'E_REPLICA_BEHIND' &&
      e.message ===
        "replica-2:5432/db has not replayed WAL position 0/3000060, where the chain was fixed, after 0 s: its rows could be older than the first source's. Run again when the replica has caught up, or leave that --source out.",
  );
  assert.ok(lagging.polls >= 2, 'it waited before refusing');
});
