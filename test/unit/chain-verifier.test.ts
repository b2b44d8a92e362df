// The verification engine finds and classifies every kind of tampering on random
// chains (fast-check), never reports a break on an untouched chain, and tells a
// truncated or rewritten chain from an earlier checkpoint.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { parseProfile } from '../../src-main/core/chain/profile-file.js';
import { ChainVerifier, KnownTreeDoesNotFit, verifyChain, type ChainVerifierOptions } from '../../src-main/core/verify/chain-verifier.js';
import { merkleRoot } from '../../src-main/core/chain/merkle.js';
import type { ChainTree } from '../../src-main/core/chain/chain-leaves.js';
import type { Anchor, ChainRow, ReferenceHashes } from '../../src-main/core/verify/types.js';

const COLUMNS = [
  { name: 'id', type: 'uuid' },
  { name: 'seq', type: 'int8' },
  { name: 'tenant_id', type: 'text' },
  { name: 'event_type', type: 'text' },
  { name: 'action_details', type: 'jsonb' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'prev_hash', type: 'text' },
  { name: 'hash', type: 'text' },
];
const I = { id: 0, seq: 1, tenant: 2, type: 3, details: 4, time: 5, prev: 6, hash: 7 };
const payloadOf = makePayloadBuilder(COLUMNS);
const GENESIS = '0'.repeat(64);

type Stored = (string | null)[];

function uuid(n: number, salt = 'row'): string {
  const h = createHash('sha256').update(`${salt}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function rehash(row: Stored, prev: string): Stored {
  const out = [...row];
  out[I.prev] = prev;
  out[I.hash] = chainHash(prev, payloadOf(out));
  return out;
}

/** A valid chain of n rows, written as the application would. */
function makeChain(n: number, salt = 'row'): Stored[] {
  const rows: Stored[] = [];
  let prev = GENESIS;
  for (let s = 1; s <= n; s++) {
    const minute = String(s % 60).padStart(2, '0');
    const row = rehash([uuid(s, salt), String(s), 'acme', s % 3 ? 'read' : 'login', `{"n": ${s}, "tags": ["a", "b"]}`, `2026-01-05 08:${minute}:12.5+00`, null, null], prev);
    rows.push(row);
    prev = row[I.hash]!;
  }
  return rows;
}

function toChainRow(v: Stored): ChainRow {
  let seq: bigint | null;
  try {
    seq = v[I.seq] === null ? null : BigInt(v[I.seq]!);
  } catch {
    seq = null;
  }
  return { seq, seqText: v[I.seq], id: v[I.id]!, time: v[I.time], prevHash: v[I.prev], hash: v[I.hash], payload: payloadOf(v), values: v };
}

/** The rows as a query ordered by seq returns them (ties in the given order). */
function ordered(rows: Stored[]): ChainRow[] {
  return rows.map(toChainRow).sort((a, b) => (a.seq === b.seq ? 0 : a.seq === null ? -1 : b.seq === null ? 1 : a.seq < b.seq ? -1 : 1));
}

const base: ChainVerifierOptions = {
  table: 'audit_logs',
  tenant: 'acme',
  profile: JCS_SHA256_V1,
  mode: 'source',
  payloadAtSeq: (row, seq) => {
    const v = [...row.values!];
    v[I.seq] = String(seq);
    return payloadOf(v);
  },
};

function verify(rows: Stored[], extra: Partial<ChainVerifierOptions> = {}) {
  return verifyChain(ordered(rows), { ...base, ...extra });
}

const found = (r: ReturnType<typeof verify>) => r.breaks.map((b) => `${b.kind}@${b.seq}`);

const chainLength = fc.integer({ min: 2, max: 40 });

describe('an untouched chain', () => {
  test('never reports a break, whatever its length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (n) => {
        const r = verify(makeChain(n));
        assert.deepEqual(found(r), []);
        assert.equal(r.intact, true);
        assert.equal(r.rows, n);
        assert.equal(r.intactRows, n);
      }),
      { numRuns: 60 },
    );
  });
});

describe('a single change is found and classified', () => {
  test('a row edited without recomputing its hash → modified at that seq', () => {
    fc.assert(
      fc.property(chainLength, fc.nat(), fc.constantFrom(I.type, I.details, I.time, I.tenant), (n, k0, col) => {
        const rows = makeChain(n);
        const k = (k0 % n) + 1;
        const row = rows[k - 1]!;
        row[col] = col === I.details ? '{"n": -1}' : col === I.time ? '2026-01-05 08:00:00.000001+00' : 'edited';
        const r = verify(rows);
        assert.deepEqual(found(r), [`modified@${k}`]);
        assert.equal(r.breaks[0]!.id, row[I.id]);
        assert.equal(r.intactRows, n - 1);
        const facts = r.breaks[0]!.facts;
        assert.equal(facts.cause, 'content_changed');
        assert.equal(facts.row.seq, BigInt(k));
        assert.equal(facts.storedHash, row[I.hash]);
      }),
      { numRuns: 150 },
    );
  });

  test('a hash column edited → modified at that seq, once', () => {
    fc.assert(
      fc.property(chainLength, fc.nat(), fc.boolean(), (n, k0, whichColumn) => {
        const rows = makeChain(n);
        const k = (k0 % n) + 1;
        rows[k - 1]![whichColumn ? I.hash : I.prev] = createHash('sha256').update(`forged${k}`).digest('hex');
        assert.deepEqual(found(verify(rows)), [`modified@${k}`]);
      }),
      { numRuns: 150 },
    );
  });

  test('a row edited and re-hashed alone → modified at that seq (its successor still records the old hash)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), (n, k0) => {
        const rows = makeChain(n);
        const k = (k0 % (n - 1)) + 1; // not the last row: its successor is the witness
        const row = rows[k - 1]!;
        row[I.type] = 'edited';
        rows[k - 1] = rehash(row, row[I.prev]!);
        const r = verify(rows);
        assert.deepEqual(found(r), [`modified@${k}`]);
        assert.equal(r.breaks[0]!.expected, rows[k]![I.prev]);
      }),
      { numRuns: 150 },
    );
  });

  test('a deleted row → deleted at its seq; consecutive deletions are each reported', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.nat(), fc.integer({ min: 1, max: 5 }), (n, k0, len0) => {
        const rows = makeChain(n);
        const k = (k0 % (n - 1)) + 1; // a row that has a successor
        const len = Math.min(len0, n - k);
        rows.splice(k - 1, len);
        const r = verify(rows);
        assert.deepEqual(
          found(r),
          Array.from({ length: len }, (_, i) => `deleted@${k + i}`),
        );
        assert.equal(r.intactRows, n - len);
      }),
      { numRuns: 150 },
    );
  });

  test('a deleted row whose successor was re-linked over the gap is still deleted', () => {
    const rows = makeChain(10);
    rows.splice(4, 1);
    rows[4] = rehash(rows[4]!, rows[3]![I.hash]!);
    for (let i = 5; i < rows.length; i++) rows[i] = rehash(rows[i]!, rows[i - 1]![I.hash]!);
    const r = verify(rows);
    assert.deepEqual(found(r), ['deleted@5']);
    assert.deepEqual(r.breaks[0]!.facts, {
      cause: 'deleted',
      seq: 5n,
      from: { seq: 4n, id: rows[3]![I.id], time: rows[3]![I.time] },
      next: { seq: 6n, id: rows[4]![I.id], time: rows[4]![I.time] },
      missing: 1n,
      firstMissing: 5n,
      lastMissing: 5n,
      gap: 'relinked',
      prevHashColumn: 'prev_hash',
    });
  });

  test('a foreign row inserted with an existing seq → inserted at that seq (either tie order)', () => {
    fc.assert(
      fc.property(chainLength, fc.nat(), fc.boolean(), fc.boolean(), (n, k0, wellForged, before) => {
        const rows = makeChain(n);
        const k = (k0 % n) + 1;
        const prev = k === 1 ? GENESIS : rows[k - 2]![I.hash]!;
        let forged: Stored = [uuid(k, 'forged'), String(k), 'acme', 'delete', '{"n": 0}', '2026-01-05 08:30:00+00', null, null];
        forged = wellForged ? rehash(forged, prev) : rehash(forged, createHash('sha256').update('x').digest('hex'));
        rows.splice(before ? k - 1 : k, 0, forged);
        const r = verify(rows);
        assert.deepEqual(found(r), [`inserted@${k}`]);
        assert.equal(r.rows, n + 1);
        assert.equal(r.intactRows, n);
      }),
      { numRuns: 150 },
    );
  });

  test('a row inserted and later rows renumbered → inserted at the new row', () => {
    const rows = makeChain(8);
    let forged: Stored = [uuid(4, 'forged'), '4', 'acme', 'delete', '{}', '2026-01-05 08:30:00+00', null, null];
    forged = rehash(forged, rows[2]![I.hash]!);
    for (let i = 3; i < rows.length; i++) rows[i]![I.seq] = String(i + 2);
    rows.splice(3, 0, forged);
    const r = verify(rows);
    assert.equal(r.breaks[0]!.kind, 'inserted');
    assert.equal(r.breaks[0]!.seq, 4n);
    assert.equal(r.breaks[0]!.id, forged[I.id]);
  });

  test('two rows whose seqs were swapped → reordered at both seqs, nothing else', () => {
    fc.assert(
      fc.property(chainLength, fc.nat(), fc.nat(), (n, a0, b0) => {
        const rows = makeChain(n);
        const i = (a0 % n) + 1;
        let j = (b0 % n) + 1;
        if (i === j) j = i === n ? 1 : i + 1;
        rows[i - 1]![I.seq] = String(j);
        rows[j - 1]![I.seq] = String(i);
        const r = verify(rows);
        assert.deepEqual(found(r), [`reordered@${Math.min(i, j)}`, `reordered@${Math.max(i, j)}`]);
        assert.equal(r.intactRows, n - 2);
        assert.equal(r.headHash, makeChain(n)[n - 1]![I.hash]);
      }),
      { numRuns: 150 },
    );
  });

  test('a row copied with the same seq → duplicate at that seq', () => {
    fc.assert(
      fc.property(chainLength, fc.nat(), fc.boolean(), (n, k0, newId) => {
        const rows = makeChain(n);
        const k = (k0 % n) + 1;
        const copy = [...rows[k - 1]!];
        if (newId) copy[I.id] = uuid(k, 'copy');
        rows.splice(k, 0, copy);
        const r = verify(rows);
        assert.deepEqual(found(r), [`duplicate@${k}`]);
        assert.equal(r.rows, n + 1);
      }),
      { numRuns: 150 },
    );
  });

  test('NULL or unparseable seq and non-hex hashes → malformed, and the chain re-synchronises after them', () => {
    const rows = makeChain(10);
    rows[2]![I.hash] = 'not-a-hash';
    rows[6]![I.prev] = null;
    const extra: Stored = [uuid(99, 'x'), null, 'acme', 'read', '{}', null, GENESIS, GENESIS];
    const r = verify([...rows, extra]);
    assert.deepEqual(found(r), ['malformed@null', 'malformed@3', 'malformed@7']);
    assert.equal(r.intactRows, 8);
  });

  test('several different breaks in one chain are all reported (it never stops at the first)', () => {
    const rows = makeChain(30);
    rows[2]![I.type] = 'edited'; // modified 3
    rows.splice(9, 2); // deleted 10, 11
    const copy = [...rows[15]!]; // seq 18 duplicated
    rows.splice(16, 0, copy);
    const r = verify(rows);
    assert.deepEqual(found(r), ['modified@3', 'deleted@10', 'deleted@11', 'duplicate@18']);
    assert.equal(r.rows, 29);
    assert.equal(r.intactRows, 27);
  });
});

function anchorAt(rows: Stored[], seq: number, label = 'checkpoint #1'): Anchor {
  return { label, origin: 'verify', checkpointId: 1, lastSeq: BigInt(seq), headHash: rows[seq - 1]![I.hash]!, createdAt: null, signature: 'valid' };
}

function referenceOf(rows: Stored[]): ReferenceHashes {
  let i = 0;
  return {
    label: 'the cache',
    takenAt: 'sync of 2026-11-20',
    next: () => (i < rows.length ? { seq: BigInt(rows[i]![I.seq]!), hash: rows[i++]![I.hash] } : null),
  };
}

describe('checkpoints and the cached copy', () => {
  test('a chain that extends a checkpoint is intact', () => {
    const rows = makeChain(20);
    const r = verify(rows, { anchors: [anchorAt(rows.slice(0, 12), 12)] });
    assert.deepEqual(found(r), []);
    assert.equal(r.anchors[0]!.outcome, 'extended');
  });

  test('newest rows removed since a checkpoint → truncated (live source), not a break for a stale cache', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.nat(), (n, a0, t0) => {
        const rows = makeChain(n);
        const a = (a0 % n) + 1; // checkpoint head
        const t = t0 % a; // rows left: 0..a-1
        const anchors = [anchorAt(rows, a)];
        const live = verify(rows.slice(0, t), { anchors });
        assert.deepEqual(found(live), [`truncated@${t + 1}`]);
        assert.equal(live.anchors[0]!.outcome, 'truncated');
        const cache = verify(rows.slice(0, t), { anchors, mode: 'cache' });
        assert.deepEqual(found(cache), []);
        assert.equal(cache.anchors[0]!.outcome, 'not-reached');
      }),
      { numRuns: 100 },
    );
  });

  test('a tail rewritten after a checkpoint → rewritten; the cached hashes pin the first changed seq', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.nat(), (n, k0, a0) => {
        const original = makeChain(n);
        const k = (k0 % n) + 1;
        const a = k + (a0 % (n - k + 1)); // checkpoint at or after the change
        const rows = original.map((r) => [...r]);
        rows[k - 1]![I.type] = 'rewritten';
        for (let i = k - 1; i < n; i++) rows[i] = rehash(rows[i]!, i === 0 ? GENESIS : rows[i - 1]![I.hash]!);
        assert.deepEqual(found(verify(rows)), [], 'a bare hash chain cannot see a rewrite');
        const withAnchor = verify(rows, { anchors: [anchorAt(original, a)] });
        assert.deepEqual(found(withAnchor), [`rewritten@${a}`]);
        assert.equal(withAnchor.anchors[0]!.outcome, 'rewritten');
        const withCache = verify(rows, { reference: referenceOf(original), anchors: [anchorAt(original, a)] });
        assert.deepEqual(found(withCache), [`rewritten@${k}`]);
        assert.equal(withCache.breaks[0]!.expected, original[k - 1]![I.hash]);
      }),
      { numRuns: 100 },
    );
  });

  test('a cache that is merely behind the source is never a break', () => {
    const rows = makeChain(30);
    const r = verify(rows, { reference: referenceOf(rows.slice(0, 10)) });
    assert.deepEqual(found(r), []);
    assert.equal(r.reference!.compared, 10);
    assert.equal(r.reference!.differing, 0);
  });

  test('a source shorter than the cache → truncated at the first missing seq', () => {
    const rows = makeChain(30);
    const r = verify(rows.slice(0, 25), { reference: referenceOf(rows) });
    assert.deepEqual(found(r), ['truncated@26']);
    const facts = r.breaks[0]!.facts;
    assert.ok(facts.cause === 'truncated');
    assert.deepEqual([facts.firstGone, facts.reference.lastSeq, facts.count], [26n, 30n, 5n]);
    assert.equal(facts.reference.label, 'the cache');
  });

  test('an earlier matching checkpoint narrows where the rewrite happened', () => {
    const original = makeChain(20);
    const rows = original.map((r) => [...r]);
    rows[11]![I.type] = 'x';
    for (let i = 11; i < 20; i++) rows[i] = rehash(rows[i]!, rows[i - 1]![I.hash]!);
    const r = verify(rows, { anchors: [anchorAt(original, 8, 'checkpoint #1'), anchorAt(original, 16, 'checkpoint #2')] });
    assert.deepEqual(found(r), ['rewritten@16']);
    const facts = r.breaks[0]!.facts;
    assert.ok(facts.cause === 'rewritten_since_anchor');
    assert.deepEqual([facts.from, facts.to, facts.anchorLabel, facts.headHash], [9n, 16n, 'checkpoint #2', original[15]![I.hash]]);
    assert.deepEqual(
      r.anchors.map((a) => a.outcome),
      ['extended', 'rewritten'],
    );
  });
});

// A sync's verdict takes the tree the sync's seal built over the same rows instead of
// hashing the leaves again (ChainVerifierOptions.knownTree): the verdict must be the one
// the engine gives with its own tree, and a tree given for a chain that is not linked
// without a break must never be taken.
describe("the seal's tree taken for the engine's own", () => {
  const treeOf = (rows: Stored[]): ChainTree => ({ size: BigInt(rows.length), root: Buffer.from(merkleRoot(rows.map((r) => r[I.hash]!)), 'hex') });
  const treeAnchor = (tree: ChainTree, label: string): Anchor => ({
    label,
    origin: 'sync',
    checkpointId: 2,
    lastSeq: tree.size,
    headHash: '',
    createdAt: null,
    signature: 'valid',
    tree: { size: String(tree.size), root: tree.root.toString('base64'), source: 'abcdef0123456789' },
  });
  const run = (rows: Stored[], opts: Partial<ChainVerifierOptions>) => {
    const v = new ChainVerifier({ ...base, mode: 'cache', tree: true, ...opts });
    for (const r of ordered(rows)) v.push(r);
    return v.finish();
  };

  test('over a chain linked without a break, the result is the one the engine gives with its own tree, checkpoints of the same tree or another compared alike', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.boolean(), (n, k0, sameTree) => {
        const rows = makeChain(n);
        const other = makeChain(n, 'other');
        const checkpoint = treeAnchor(treeOf(sameTree ? rows : other), 'checkpoint #2');
        const larger = treeAnchor(treeOf(makeChain(n + 1 + (k0 % 5))), 'checkpoint #3');
        const own = run(rows, { anchors: [checkpoint, larger] });
        const taken = run(rows, { anchors: [checkpoint, larger], knownTree: treeOf(rows) });
        assert.deepEqual(taken, own);
        assert.equal(taken.anchors.find((a) => a.label === 'checkpoint #2')!.outcome, sameTree ? 'extended' : 'rewritten');
      }),
      { numRuns: 150 },
    );
  });

  test('the given tree is taken as it is: it is the caller who vouches for it (the sync, for the rows its seal read)', () => {
    const rows = makeChain(12);
    const elsewhere = treeOf(makeChain(12, 'elsewhere'));
    assert.deepEqual(run(rows, { knownTree: elsewhere }).tree, elsewhere);
  });

  test('over a chain with a break, or fewer or more rows than the tree, the tree is refused and the engine builds its own', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.constantFrom('edited', 'deleted', 'one more', 'one fewer'), (n, k0, change) => {
        const original = makeChain(n);
        const rows = original.map((r) => [...r]);
        const k = k0 % n;
        if (change === 'edited') rows[k]![I.type] = 'edited';
        if (change === 'deleted') rows.splice(k, 1);
        const given = change === 'one more' ? treeOf(makeChain(n + 1)) : change === 'one fewer' ? treeOf(original.slice(0, -1)) : treeOf(original);
        assert.throws(() => run(rows, { knownTree: given }), KnownTreeDoesNotFit);
      }),
      { numRuns: 150 },
    );
  });

  test('beside a tree checkpoint smaller than the given tree, the engine builds its own (the root at that size is needed as rows pass)', () => {
    const rows = makeChain(20);
    const earlier = treeAnchor(treeOf(rows.slice(0, 8)), 'checkpoint #1');
    const elsewhere = treeOf(makeChain(20, 'elsewhere'));
    const r = run(rows, { anchors: [earlier], knownTree: elsewhere });
    assert.deepEqual(r.tree, treeOf(rows));
    assert.equal(r.anchors[0]!.outcome, 'extended');
  });
});

describe('memory stays flat', () => {
  test('a long chain streams through a small window', () => {
    const n = 5000;
    const rows = makeChain(n);
    rows[4000]![I.type] = 'edited';
    const r = verifyChain(ordered(rows), { ...base, window: 8 });
    assert.deepEqual(found(r), ['modified@4001']);
    assert.equal(r.rows, n);
  });
});

describe("other systems' conventions (profile file)", () => {
  test('a sha512 chain with its own separator, genesis and payload columns verifies, and a change is found', () => {
    const profile = parseProfile({ name: 'legacy-sha512', payloadColumns: ['id', 'seq', 'event_type'], separator: '|', algorithm: 'sha512', genesis: 'GENESIS' });
    const build = makePayloadBuilder(COLUMNS, profile);
    const rows: Stored[] = [];
    let prev = 'GENESIS';
    for (let s = 1; s <= 12; s++) {
      const v: Stored = [uuid(s), String(s), 'acme', 'read', '{}', '2026-01-05 08:00:00+00', prev, null];
      v[I.hash] = chainHash(prev, build(v), profile);
      prev = v[I.hash]!;
      rows.push(v);
    }
    const opts = { ...base, profile, payloadAtSeq: undefined };
    const toRow = (v: Stored): ChainRow => ({ ...toChainRow(v), payload: build(v) });
    assert.deepEqual(verifyChain(rows.map(toRow), opts).breaks, []);
    rows[5]![I.details] = '{"changed": true}'; // not in the payload: not covered by this convention
    assert.deepEqual(verifyChain(rows.map(toRow), opts).breaks, []);
    rows[5]![I.type] = 'delete';
    assert.deepEqual(
      verifyChain(rows.map(toRow), opts).breaks.map((b) => `${b.kind}@${b.seq}`),
      ['modified@6'],
    );
  });
});
