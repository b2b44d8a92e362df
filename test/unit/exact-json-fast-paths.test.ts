// The jcs-exact form's parser takes fast paths (strings that are their own canonical
// form, integers a double holds exactly, a number that prints back as written). Every v2
// chain hash depends on its text, so it must equal the plain parser it replaced byte for
// byte, on every input, including what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exactJson } from '../../src-main/core/chain/exact-json.js';
import { exactJson as referenceExactJson } from '../helpers/exact-json-reference.js';

const outcome = (parse: (t: string) => unknown, text: string) => {
  try {
    return { ok: parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

const number = fc.oneof(
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.tuple(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), fc.stringMatching(/^\d{1,20}$/)).map(([i, f]) => `${i}.${f}`),
  fc.tuple(fc.integer({ min: -999, max: 999 }), fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'), fc.integer({ min: 0, max: 400 })).map(([m, e, x]) => `${m}${e}${x}`),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('-0', '0', '-0.0', '1.50', '9007199254740993', '999999999999999', '-999999999999999', '1000000000000000', '1e400', '0.1e1'),
);
// Strings as PostgreSQL may print them: plain, with escapes, with lone or paired surrogates.
const stringToken = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 8, unit: 'binary' }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"a\\u0041"', '"\\/"', '"\\ud83d\\ude00"', '"\\ud83d"', '"é"', '"\u2028"', '"\\u00e9"', '"\ud83d\ude00"'),
);
const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');
const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    number,
    stringToken,
    fc.constantFrom('true', 'false', 'null'),
    fc.tuple(fc.array(fc.tuple(space, tie('value'), space), { maxLength: 4 }), space).map(([items, s]) => `[${s}${items.map(([a, v, b]) => a + v + b).join(',')}]`),
    fc
      .array(fc.tuple(fc.oneof(stringToken, fc.constantFrom('"a"', '"b"', '"é"', '""')), space, tie('value')), { maxLength: 4 })
      .map((members) => `{${members.map(([k, s, v]) => `${s}${k}${s}:${s}${v}${s}`).join(',')}}`),
  ),
})).value;

test('jcs-exact: the fast parser gives the reference parser’s canonical text and limits on every JSON text, and refuses what it refuses', () => {
  fc.assert(
    fc.property(fc.tuple(space, json, space), ([a, text, b]) => {
      const input = a + text + b;
      assert.deepEqual(outcome(exactJson, input), outcome(referenceExactJson, input), input);
    }),
    { numRuns: 3000, seed: 20261206 },
  );
});

test('jcs-exact: damaged and non-JSON text is refused alike', () => {
  fc.assert(
    fc.property(json, fc.nat(), fc.constantFrom('', '"', '\\', '{', '}', ',', ':', 'x', '\u0001', '.', 'e'), (text, at, insert) => {
      const i = at % (text.length + 1);
      const input = text.slice(0, i) + insert + text.slice(i);
      assert.deepEqual(outcome(exactJson, input), outcome(referenceExactJson, input), input);
    }),
    { numRuns: 3000, seed: 61206 },
  );
});
