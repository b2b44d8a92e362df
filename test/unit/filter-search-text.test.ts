// What the search box and the time bounds accept: user text becomes quoted FTS
// terms (operators stay words), and time bounds are ISO or refused by name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildWhere, ftsQuery, normaliseBound, recordFilterSchema } from '../../src-main/core/records/filter.js';
import { chooseStep } from '../../src-main/core/records/histogram.js';
import { isUndated } from '../../src-main/core/records/sql.js';
import { snippetSegments } from '../../src-main/core/records/highlight.js';
import { rollupCovers } from '../../src-main/core/records/rollup.js';

describe('search text', () => {
  test('terms are quoted, quotes doubled, the last term is a prefix', () => {
    assert.equal(ftsQuery('password reset'), '"password" "reset"*');
    assert.equal(ftsQuery('say "hi" NEAR( x OR y'), '"say" """hi""" "NEAR(" "x" "OR" "y"*');
    assert.equal(ftsQuery('   '), null, 'blank text is no filter');
    assert.equal(ftsQuery('" * ( ) --'), '', 'nothing searchable: matches nothing rather than everything');
  });

  test('any text yields a query built only from quoted terms', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const q = ftsQuery(text);
        if (q === null || q === '') return;
        // every term: "…" with inner quotes doubled, optionally followed by *
        assert.match(q, /^("(?:[^"]|"")*"\*?)( "(?:[^"]|"")*"\*?)*$/);
      }),
    );
  });

  test('filter values are parameters, never SQL text', () => {
    const hostile = "'; DROP TABLE records; --";
    const where = buildWhere(recordFilterSchema.parse({ tenant: [hostile], agent: [hostile, 'b'], text: hostile }));
    assert.ok(!where.sql.includes('DROP'));
    assert.deepEqual(where.params.slice(0, 3), [hostile, hostile, 'b']);
  });

  test('unknown filter keys and oversized lists are refused', () => {
    assert.equal(recordFilterSchema.safeParse({ tenant: ['a'], orderBy: 'x' }).success, false);
    assert.equal(recordFilterSchema.safeParse({ tenant: Array.from({ length: 201 }, (_, i) => `t${i}`) }).success, false);
  });
});

describe('time bounds', () => {
  test('dates and date-times become canonical UTC text', () => {
    assert.equal(normaliseBound('2026-01-31'), '2026-01-31T00:00:00.000000Z');
    assert.equal(normaliseBound('2026-01-31T12:00:00+02:00'), '2026-01-31T10:00:00.000000Z');
    assert.equal(normaliseBound('2026-01-31T12:00:00.1234Z'), '2026-01-31T12:00:00.123400Z');
  });

  test('anything else is refused with the expected form', () => {
    for (const bad of ['yesterday', "2026-01-01'; --", '31/01/2026', '']) {
      assert.throws(() => normaliseBound(bad), /ISO date.*2026-01-31/);
    }
  });

  test('missing and sentinel timestamps are undated', () => {
    for (const t of [null, '1970-01-01T00:00:00.000000Z', '1601-01-01T00:00:00.000000Z', 'infinity', '-infinity', '9999-12-31T00:00:00.000000Z']) {
      assert.equal(isUndated(t), true, String(t));
    }
    assert.equal(isUndated('2026-09-01T10:00:00.000000Z'), false);
  });

  test('histogram steps are nice and give at most the requested bins', () => {
    assert.equal(chooseStep(90 * 86400, 120), 86400);
    assert.equal(chooseStep(3600, 120), 30);
    assert.equal(chooseStep(1, 120), 1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 * 365 * 86400 }), fc.integer({ min: 10, max: 1000 }), (span, buckets) => {
        const step = chooseStep(span, buckets);
        assert.ok(span / step <= buckets);
      }),
    );
  });

  test('only whole-day bounds can be answered from the per-day rollup', () => {
    assert.equal(rollupCovers(recordFilterSchema.parse({ from: '2026-09-01', to: '2026-09-03T00:00:00Z' })), true);
    assert.equal(rollupCovers(recordFilterSchema.parse({ from: '2026-09-01T06:00:00Z' })), false);
    assert.equal(rollupCovers(recordFilterSchema.parse({ user: ['u'] })), false);
    assert.equal(rollupCovers(recordFilterSchema.parse({ user: ['u'] }), 'user'), true, "the user facet's own selection is skipped");
    assert.equal(rollupCovers(recordFilterSchema.parse({ text: 'x' })), false);
  });
});

describe('match segments', () => {
  test('matched words become segments; markup around them stays text', () => {
    assert.deepEqual(snippetSegments(['a <img src=x> Refund and password'], 'refund pass'), [
      { text: 'a <img src=x> ', match: false },
      { text: 'Refund', match: true },
      { text: ' and ', match: false },
      { text: 'password', match: true },
    ]);
  });

  test('case and diacritics fold like the FTS tokenizer; only the last word is a prefix', () => {
    assert.deepEqual(snippetSegments([null, 'Mon RÉSUMÉ naïve'], 'resume naive'), [
      { text: 'Mon ', match: false },
      { text: 'RÉSUMÉ', match: true },
      { text: ' ', match: false },
      { text: 'naïve', match: true },
    ]);
    assert.equal(snippetSegments(['resumes here'], 'resume naive'), null, '"resume" is a whole word, not a prefix');
  });

  test('long text is cut around the first match, the field with most matches wins', () => {
    const long = `${'lorem '.repeat(40)}refund ${'ipsum '.repeat(60)}`;
    const segs = snippetSegments(['refund once', long.replace('lorem lorem', 'refund refund')], 'refund')!;
    const text = segs.map((s) => s.text).join('');
    assert.ok(text.length <= 204, String(text.length));
    assert.ok(segs.filter((s) => s.match).length >= 1);
    assert.equal(snippetSegments(['nothing here'], 'refund'), null);
    assert.equal(snippetSegments(['x'], '" * ('), null);
  });
});
