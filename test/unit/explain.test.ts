// The wording of every chain-break sentence, exactly: users, PDFs and published report
// JSON carry these sentences, so a change to one must be deliberate. Other tests assert
// a break's facts; only this file holds the prose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainBreak } from '../../src-main/core/verify/explain.js';
import type { BreakCause, BreakFacts } from '../../src-main/core/contract/verify-report.js';

const row = { seq: 7n, id: 'r-7', time: '2026-01-05T08:59:12.500000Z' };
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

const golden: [BreakFacts<bigint>, string][] = [
  [
    { cause: 'malformed_seq', row: { seq: null, id: 'r-x', time: null }, seqText: null },
    'Row id r-x has no seq (NULL), so it has no place in the chain. Likely cause: the row was written or edited outside the audited application.',
  ],
  [
    { cause: 'malformed_seq', row: { seq: null, id: 'r-x', time: '2026-01-05T08:59:12Z' }, seqText: '7a' },
    'Row id r-x, 2026-01-05 08:59:12 UTC has the seq "7a", which is not an integer, so it has no place in the chain. Likely cause: the row was written or edited outside the audited application.',
  ],
  [
    { cause: 'before_start', row: { seq: 0n, id: 'r-0', time: null }, startSeq: 1n },
    'Row seq 0 (id r-0) lies before the start of the chain (seq 1). Likely cause: a row was inserted in front of the first one.',
  ],
  [
    { cause: 'out_of_order', row: { ...row, seq: 3n }, afterSeq: 9n },
    'Row seq 3 (id r-7, 2026-01-05 08:59:12 UTC) arrived after seq 9: the rows were not delivered in seq order, so this row could not be checked in its place.',
  ],
  [
    { cause: 'malformed_hash', row, hexChars: 64, hash: { column: 'hash', value: 'xyz' }, prevHash: { column: 'prev_hash', value: null } },
    'Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) cannot be checked: its hash is "xyz" and its prev_hash is NULL instead of 64 lowercase hex characters. Likely cause: the hash columns were edited or cleared by hand.',
  ],
  [
    { cause: 'malformed_hash', row, hexChars: 128, hash: { column: 'hash', value: 'z'.repeat(81) }, prevHash: null },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) cannot be checked: its hash is "${'z'.repeat(77)}…" instead of 128 lowercase hex characters. Likely cause: the hash columns were edited or cleared by hand.`,
  ],
  [
    { cause: 'inserted_between', row, next: { seq: 8n, id: 'r-8' } },
    'Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) does not belong between its neighbours: the next row (seq 8, id r-8) links past it to the row before it. Likely cause: a row was inserted into the chain.',
  ],
  [
    { cause: 'duplicate', row, genuineId: 'r-7b', sameHash: true },
    'Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) is a second copy of the row with the same seq (id r-7b, same hash). Likely cause: the row was written twice or copied.',
  ],
  [
    { cause: 'inserted_same_seq', row, genuineId: 'r-7b' },
    'Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) does not belong to the chain: seq 7 is already held by id r-7b, which the neighbouring rows link to, and no row links to this one. Likely cause: a row was inserted with an existing seq.',
  ],
  [
    { cause: 'content_changed', row, storedHash: A, contentHash: B },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) was changed after it was written: its stored hash is ${A} but its current content hashes to ${B}. Likely cause: the row was edited in place without recomputing the chain.`,
  ],
  [
    { cause: 'altered', row, prevHashColumn: 'prev_hash', previousSeq: null, storedHash: A, contentHash: B },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) was altered: its prev_hash does not point to the previous row (the genesis value) and its stored hash ${A} does not match its content (${B}). Likely cause: the row's content and hash columns were edited.`,
  ],
  [
    { cause: 'next_disagrees', row, next: { seq: 8n, id: 'r-8' }, recordedHash: A, currentHash: B, prevHashColumn: 'prev_hash' },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) hashes correctly on its own, but the next row (seq 8, id r-8) records its hash as ${A} while it is now ${B}. Likely cause: the row was changed and its hash recomputed without re-chaining the rows after it (or the next row's prev_hash was edited).`,
  ],
  [
    { cause: 'relinked', row, prevHashColumn: 'prev_hash', linksTo: A, previousSeq: 6n, previousHash: B },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) links to ${A}, but the previous row (seq 6) has hash ${B}. Likely cause: this row's prev_hash was edited and its hash recomputed.`,
  ],
  [
    { cause: 'first_not_genesis', row: { ...row, seq: 1n }, prevHashColumn: 'prev_hash', linksTo: A, genesis: '0'.repeat(64) },
    `Row seq 1 (id r-7, 2026-01-05 08:59:12 UTC) is the first row but its prev_hash is ${A} instead of the genesis value ${'0'.repeat(64)}. Likely cause: the chain's first row was replaced or earlier rows were removed and the chain re-linked.`,
  ],
  [
    {
      cause: 'deleted',
      seq: 5n,
      from: { seq: 4n, id: 'r-4', time: null },
      next: { seq: 6n, id: 'r-6', time: null },
      missing: 1n,
      firstMissing: 5n,
      lastMissing: 5n,
      gap: 'relinked',
      prevHashColumn: 'prev_hash',
    },
    "Row seq 5 is missing: the chain jumps from seq 4 (id r-4) to seq 6 (id r-6). Likely cause: the next row's prev_hash was rewritten to bridge the gap, so the row was deleted and the chain re-linked.",
  ],
  [
    {
      cause: 'deleted',
      seq: 6n,
      from: { seq: 4n, id: 'r-4', time: '2026-01-05T08:04:12Z' },
      next: { seq: 8n, id: 'r-8', time: null },
      missing: 3n,
      firstMissing: 5n,
      lastMissing: 7n,
      gap: 'dangling',
      prevHashColumn: 'prev_hash',
    },
    "Row seq 6 is missing: the chain jumps from seq 4 (id r-4, 2026-01-05 08:04:12 UTC) to seq 8 (id r-8), 3 rows (seqs 5–7) in a row. Likely cause: the next row's prev_hash points to a row that is not there, so the row was deleted.",
  ],
  [
    { cause: 'deleted', seq: 1n, from: null, next: { seq: 3n, id: 'r-3', time: null }, missing: 2n, firstMissing: 1n, lastMissing: 2n, gap: 'start', prevHashColumn: 'prev_hash' },
    'Row seq 1 is missing: the chain jumps from the start of the chain to seq 3 (id r-3), 2 rows (seqs 1–2) in a row. Likely cause: the first row present does not start the chain, so the first rows were deleted.',
  ],
  [
    { cause: 'swapped', row, prevHashColumn: 'prev_hash', belongsAt: 8n, afterId: 'r-8', holder: { id: 'r-8', seq: 8n } },
    "Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) is out of place: by its prev_hash it belongs at seq 8 (after id r-8), and the row that belongs at seq 7 (id r-8) now sits at seq 8. Likely cause: the rows' seq values were swapped.",
  ],
  [
    { cause: 'swapped_and_changed', row, belongsAt: 8n, contentHash: A, storedHash: B },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) was also changed after it was written: at its own place (seq 8) its content hashes to ${A}, not to its stored hash ${B}.`,
  ],
  [
    { cause: 'rewritten_since_reference', row, foundHash: A, reference: { label: 'the cache', takenAt: 'sync of 2026-11-20' }, recordedHash: B, differing: 4, checkpointsDisagreeing: 2 },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) now has hash ${A}, but the cache (sync of 2026-11-20) recorded ${B}; 4 rows from here on differ although the chain itself is consistent. Likely cause: the history was rewritten from seq 7 on (rows changed and their hashes recomputed). 2 earlier checkpoint(s) disagree as well.`,
  ],
  [
    { cause: 'rewritten_since_reference', row, foundHash: A, reference: { label: 'the cache', takenAt: null }, recordedHash: B, differing: 1, checkpointsDisagreeing: 0 },
    `Row seq 7 (id r-7, 2026-01-05 08:59:12 UTC) now has hash ${A}, but the cache recorded ${B}; it is the only row that differs although the chain itself is consistent. Likely cause: the history was rewritten from seq 7 on (rows changed and their hashes recomputed).`,
  ],
  [
    { cause: 'rewritten_since_anchor', seq: 16n, foundHash: A, anchorLabel: 'checkpoint #2', headHash: B, tree: null, from: 9n, to: 16n },
    `The row at seq 16 now has hash ${A}, but checkpoint #2 recorded the chain's head there as ${B}; the chain is consistent, so its history was rewritten (rows changed and every later hash recomputed) somewhere in seqs 9–16. A cache synced before the change pins the exact row.`,
  ],
  [
    { cause: 'rewritten_since_anchor', seq: 16n, foundHash: A, anchorLabel: 'signed checkpoint checkpoint.note', headHash: '', tree: { size: '16', root: 'cm9vdA==' }, from: 1n, to: 16n },
    `The row at seq 16 now has hash ${A}, but signed checkpoint checkpoint.note recorded the Merkle root of the chain's first 16 rows as cm9vdA==, and the chain's first 16 rows (to seq 16) no longer give it; the chain is consistent, so its history was rewritten (rows changed and every later hash recomputed) somewhere in seqs 1–16. A cache synced before the change pins the exact row.`,
  ],
  [
    { cause: 'truncated', end: { seq: 25n, id: 'r-25', time: '2026-01-05T08:25:12Z' }, reference: { label: 'the cache', lastSeq: 30n, headHash: C }, firstGone: 26n, count: 5n },
    `The chain now ends at seq 25 (id r-25, 2026-01-05 08:25:12 UTC), but the cache recorded it up to seq 30 (head hash ${C}): 5 newest row(s), seqs 26–30, were removed. Likely cause: the tail of the log was deleted (head truncation).`,
  ],
  [
    { cause: 'truncated', end: null, reference: { label: 'checkpoint #3', lastSeq: 2n, headHash: C }, firstGone: 1n, count: 2n },
    `The chain now ends at no row at all, but checkpoint #3 recorded it up to seq 2 (head hash ${C}): 2 newest row(s), seqs 1–2, were removed. Likely cause: the tail of the log was deleted (head truncation).`,
  ],
];

for (const [i, [facts, sentence]] of golden.entries()) {
  test(`the ${facts.cause} sentence is worded exactly as published (case ${i + 1})`, () => {
    assert.equal(explainBreak(facts), sentence);
  });
}

test('the same facts read from report JSON (seqs as numbers or strings) give the same sentence', () => {
  const facts = golden.find(([f]) => f.cause === 'deleted' && f.gap === 'dangling')!;
  const json = JSON.parse(JSON.stringify(facts[0], (_k, v: unknown) => (typeof v === 'bigint' ? (v === 6n ? '6' : Number(v)) : v))) as BreakFacts;
  assert.equal(explainBreak(json), facts[1]);
});

test('every cause has a golden sentence', () => {
  const causes: Record<BreakCause, true> = {
    malformed_seq: true,
    before_start: true,
    out_of_order: true,
    malformed_hash: true,
    inserted_between: true,
    duplicate: true,
    inserted_same_seq: true,
    content_changed: true,
    altered: true,
    next_disagrees: true,
    relinked: true,
    first_not_genesis: true,
    deleted: true,
    swapped: true,
    swapped_and_changed: true,
    rewritten_since_reference: true,
    rewritten_since_anchor: true,
    truncated: true,
  };
  assert.deepEqual([...new Set(golden.map(([f]) => f.cause))].sort(), Object.keys(causes).sort());
});
