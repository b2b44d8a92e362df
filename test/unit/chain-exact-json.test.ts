// Profile jcs-exact-sha256-v2 and the limits of jcs-sha256-v1 (issue 20): a stored
// json/jsonb value whose number or repeated key RFC 8785 erases is protected by v2,
// and under v1 it is named as a value the verdict cannot cover.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1, NAMED_PROFILES } from '../../src-main/core/chain/profile.js';
import { exactJson, roundTripsThroughDouble, unprotectedIn } from '../../src-main/core/chain/exact-json.js';
import { compilePayloadBuilder } from '../../src-main/core/chain/payload.js';

const COLUMNS = [
  { name: 'seq', type: 'int8' },
  { name: 'action_details', type: 'jsonb' },
  { name: 'raw', type: 'json' },
  { name: 'prev_hash', type: 'text' },
  { name: 'hash', type: 'text' },
];
const v1 = makePayloadBuilder(COLUMNS, JCS_SHA256_V1);
const v2 = makePayloadBuilder(COLUMNS, JCS_EXACT_SHA256_V2);
const row = (details: string | null, raw: string | null = null) => ['7', details, raw, null, null];

describe('the worked examples of docs/hash-chain.md', () => {
  test('the 2^53 tamper: v1 writes both values alike, v2 does not, and the changed value is named', () => {
    const stored = '{"ref": 9007199254740992, "op": "wire"}';
    const tampered = '{"ref": 9007199254740993, "op": "wire"}';
    assert.equal(v1(row(stored)), '{"action_details":{"op":"wire","ref":9007199254740992},"raw":null,"seq":7}');
    assert.equal(v1(row(tampered)), v1(row(stored)));
    assert.equal(v2(row(stored)), '{"action_details":{"op":"wire","ref":9007199254740992},"raw":null,"seq":7}');
    assert.equal(v2(row(tampered)), '{"action_details":{"op":"wire","ref":9007199254740993},"raw":null,"seq":7}');
    assert.notEqual(chainHash('0'.repeat(64), v2(row(tampered))), chainHash('0'.repeat(64), v2(row(stored))));
    assert.deepEqual(unprotectedIn(stored, 'jsonb'), []);
    assert.deepEqual(unprotectedIn(tampered, 'jsonb'), ['number_precision']);
  });

  test('long decimals, 1e400 and trailing zeros: compared as numbers, not as text', () => {
    assert.deepEqual(unprotectedIn('{"amount": 1.000000000000000000001}', 'jsonb'), ['number_precision']);
    assert.deepEqual(unprotectedIn('[1e400]', 'jsonb'), ['number_precision']);
    assert.equal(roundTripsThroughDouble('1.50'), true); // the same value as 1.5
    assert.equal(roundTripsThroughDouble('0.1'), true);
    assert.equal(roundTripsThroughDouble('1E2'), true);
    assert.equal(roundTripsThroughDouble('-0'), true);
    assert.equal(roundTripsThroughDouble('9007199254740993'), false);
    assert.equal(roundTripsThroughDouble('0.30000000000000001'), false); // prints back as 0.3: another number
    assert.equal(roundTripsThroughDouble('0.3000000000000000166533453693773481063544750213623046875'), false);
    assert.equal(exactJson('{"b": 1.50, "a": [1E2, -0, 1e400]}').canonical, '{"a":[1E2,-0,1e400],"b":1.50}');
  });

  test('a repeated key in a json column: v1 keeps the last member, v2 keeps both in order', () => {
    const stored = '{"a": 1, "a": 2}';
    const tampered = '{"a": 5, "a": 2}';
    assert.equal(v1(row(null, tampered)), v1(row(null, stored)));
    assert.equal(v2(row(null, stored)), '{"action_details":null,"raw":{"a":1,"a":2},"seq":7}');
    assert.notEqual(v2(row(null, tampered)), v2(row(null, stored)));
    assert.deepEqual(unprotectedIn(stored, 'json'), ['duplicate_key']);
    assert.deepEqual(unprotectedIn('{"a": 1, "b": {"c": 2, "c": 3}}', 'json'), ['duplicate_key']);
  });

  test('rows without such values hash alike under both profiles', () => {
    const plain = row('{"method": "password", "attempt": 3, "ratio": 0.25, "tags": ["x", "\\u00e9"]}', '{"z": [], "y": {}}');
    assert.equal(v2(plain), v1(plain));
  });

  test('both profiles are named for --profile', () => {
    assert.equal(NAMED_PROFILES['jcs-exact-sha256-v2'], JCS_EXACT_SHA256_V2);
    assert.equal(NAMED_PROFILES['jcs-sha256-v1'], JCS_SHA256_V1);
  });
});

// Stored json values as PostgreSQL prints them: members in one order (the writer's),
// so two different texts are two different stored values.
const bigNumber = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 0n, max: 10n ** 25n })).map(([i, f]) => `${i}.${f}`),
  fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const storedJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    bigNumber,
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    // keys from a small alphabet, so repeated keys are common; members sorted stably by key
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'é', ''), tie('value')), { maxLength: 4 }).map(
      (ms) =>
        `{${[...ms]
          .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
          .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
          .join(',')}}`,
    ),
  ),
})).value;

/** A nearby value: one number changed by a little (the change a tamperer hopes goes unseen). */
function nudge(text: string, which: number): string {
  let i = 0;
  return text.replace(/(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?/g, (n) => {
    if (i++ !== which) return n;
    const [mantissa, exponent] = n.split('e') as [string, string | undefined];
    if (!mantissa.includes('.') && exponent === undefined) return (BigInt(mantissa) + 1n).toString();
    const tiny = `${mantissa.includes('.') ? '' : '.'}00000000000000000001`;
    return `${mantissa}${tiny}${exponent === undefined ? '' : `e${exponent}`}`;
  });
}

describe('properties', () => {
  test('two different stored values never share a v2 payload', () => {
    fc.assert(
      fc.property(storedJson, storedJson, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(v2(row(null, a)), v2(row(null, b)));
        assert.notEqual(compilePayloadBuilder(COLUMNS, JCS_EXACT_SHA256_V2)(row(null, a)), compilePayloadBuilder(COLUMNS, JCS_EXACT_SHA256_V2)(row(null, b)));
      }),
      { numRuns: 500 },
    );
  });

  test('when two different stored values share a v1 payload, the limit names one of them', () => {
    let collisions = 0;
    fc.assert(
      fc.property(storedJson, fc.nat({ max: 5 }), (a, which) => {
        const b = nudge(a, which);
        fc.pre(a !== b);
        assert.notEqual(v2(row(null, a)), v2(row(null, b)));
        let same: boolean;
        try {
          same = v1(row(null, a)) === v1(row(null, b));
        } catch {
          same = false; // v1 has no payload at all (1e400): the row is reported as modified
        }
        if (same) {
          collisions++;
          assert.ok(unprotectedIn(a, 'json').length + unprotectedIn(b, 'json').length > 0, `${a} / ${b}`);
        }
      }),
      { numRuns: 1000 },
    );
    assert.ok(collisions > 0, 'the generator made no v1 collision: the property tested nothing');
  });

  test('the compiled v2 builder writes exactly the bytes of the spec implementation', () => {
    fc.assert(
      fc.property(storedJson, storedJson, (a, b) => {
        assert.equal(compilePayloadBuilder(COLUMNS, JCS_EXACT_SHA256_V2)(row(a, b)), v2(row(a, b)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('packages', () => {
  test("the export's one-pass encoder writes the v2 payload of the spec and the unchanged row digest", async () => {
    const { makeDualEncoder, makeRowDigester } = await import('../../src-main/core/chain/row-digest.js');
    const values = ['7', '{"ref": 9007199254740993, "a": 1.50}', '{"k": 1, "k": 2}', 'p', 'h'];
    const both = makeDualEncoder(COLUMNS, JCS_EXACT_SHA256_V2)(values);
    assert.equal(both.payload, v2(values));
    assert.equal(both.digest, makeRowDigester(COLUMNS)(values));
    assert.equal(makeDualEncoder(COLUMNS, JCS_SHA256_V1)(values).payload, v1(values));
  });
});

test('the side-by-side worked example of docs/hash-chain.md gives the documented payloads and hashes', () => {
  const cols = [
    ['id', 'uuid'],
    ['seq', 'int8'],
    ['tenant_id', 'text'],
    ['event_type', 'text'],
    ['entity_type', 'text'],
    ['entity_id', 'text'],
    ['severity', 'text'],
    ['user_id', 'text'],
    ['action_details', 'jsonb'],
    ['ip_address', 'text'],
    ['created_at', 'timestamptz'],
  ].map(([name, type]) => ({ name: name!, type: type! }));
  const values = [
    '7f0c2d0e-4b5a-4c1e-9a55-0d6f2e1f7a10',
    '1',
    'acme-pharma',
    'wire_transfer',
    'account',
    'acct-9',
    'info',
    'u-104',
    '{"fx": 0.0000001, "ref": 9007199254740993, "amount": 1.50}',
    '10.20.0.14',
    '2026-01-05 08:59:12.5+00',
  ];
  const genesis = '0'.repeat(64);
  const p1 = makePayloadBuilder(cols, JCS_SHA256_V1)(values);
  const p2 = makePayloadBuilder(cols, JCS_EXACT_SHA256_V2)(values);
  assert.match(p1, /^\{"action_details":\{"amount":1\.5,"fx":1e-7,"ref":9007199254740992\},/);
  assert.match(p2, /^\{"action_details":\{"amount":1\.50,"fx":0\.0000001,"ref":9007199254740993\},/);
  assert.equal(chainHash(genesis, p1, JCS_SHA256_V1), 'fce16153155e4a27deb40c430290be1fb67cd011d90c55da87ef4582907e37eb');
  assert.equal(chainHash(genesis, p2, JCS_EXACT_SHA256_V2), 'b2063d2e6fc3c479461f1ab48afa5ca314d8208e861910b0744e444f9d61161d');
  // the table "What v1 cannot reveal"
  assert.deepEqual(unprotectedIn('{"fx": 0.0000001, "ref": 9007199254740993, "amount": 1.50}', 'jsonb'), ['number_precision']);
  assert.deepEqual(unprotectedIn('{"ref": 9007199254740992}', 'jsonb'), []);
});
