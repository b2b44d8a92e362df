// A statement's content digest is compared with one a later sync computes, possibly by
// another build: it must stay the documented byte stream (docs/verification.md, "Rows an
// earlier verdict hashed") however the digest batches its input, with rows of any size,
// NULLs, non-ASCII text, and a digest read part-way through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ChainContentDigest } from '../../src-main/core/verify/hashed-rows.js';

const field = (v: string | null) => (v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`);

/** The spec, written out: each row `len:text` of its comma-joined `len:value` fields, then `len:digest`. */
function documented(rows: { values: (string | null)[]; digest: string }[]): string {
  const h = createHash('sha256');
  for (const r of rows) {
    const text = r.values.map(field).join(',');
    h.update(`${Buffer.byteLength(text, 'utf8')}:${text}${Buffer.byteLength(r.digest, 'utf8')}:${r.digest}`, 'utf8');
  }
  return h.digest('hex');
}

const row = fc.record({
  values: fc.array(fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ minLength: 2000, maxLength: 30_000 })), { maxLength: 6 }),
  digest: fc.string({ unit: 'binary', maxLength: 70 }),
});

test('the content digest is the documented byte stream, read part-way or at the end', () => {
  fc.assert(
    fc.property(fc.array(row, { maxLength: 60 }), fc.nat(), (rows, at) => {
      const digest = new ChainContentDigest();
      const cut = rows.length ? at % rows.length : 0;
      rows.forEach((r, i) => {
        if (i === cut) assert.equal(digest.current(), documented(rows.slice(0, cut)), `read after ${cut} rows`);
        digest.add(r.values, r.digest);
      });
      assert.equal(digest.current(), documented(rows));
    }),
    { numRuns: 200 },
  );
});

test('rows past the batch a digest holds are hashed in order, whatever their characters', () => {
  // Non-ASCII text, a lone surrogate (written as U+FFFD, as a string update writes it) and rows past a batch's bytes.
  const rows = Array.from({ length: 5000 }, (_, i) => ({
    values: [String(i), `événement ${i} ✓`, i % 97 === 0 ? `half a pair \ud800 ${i}` : null, i % 1000 === 0 ? 'é'.repeat(40_000) : null],
    digest: createHash('sha256').update(String(i)).digest('hex'),
  }));
  const digest = new ChainContentDigest();
  for (const r of rows) digest.add(r.values, r.digest);
  assert.equal(digest.current(), documented(rows));
  assert.notEqual(documented(rows), documented([...rows.slice(1), rows[0]!]), 'the order of rows is part of the digest');
});
