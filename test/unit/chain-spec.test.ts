// The worked example and value rules of docs/hash-chain.md, pinned so the
// document and the implementation cannot drift apart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalTimestamp, canonicalValue } from '../../src-main/core/chain/canonical.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { merkleRoot } from '../../src-main/core/chain/merkle.js';
import { parseProfile } from '../../src-main/core/chain/profile-file.js';

const DEMO_COLUMNS = [
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
  ['prev_hash', 'text'],
  ['hash', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));

describe('docs/hash-chain.md worked example', () => {
  test('payload and hash are exactly the documented ones', () => {
    const payload = makePayloadBuilder(DEMO_COLUMNS)([
      '7F0C2D0E-4B5A-4C1E-9A55-0D6F2E1F7A10',
      '1',
      'acme-pharma',
      'login',
      'user',
      'u-104',
      'info',
      'u-104',
      '{"mfa": true, "client": "web"}',
      '10.20.0.14',
      '2026-01-05 08:59:12.5+00',
      null,
      null,
    ]);
    assert.equal(
      payload,
      '{"action_details":{"client":"web","mfa":true},"created_at":"2026-01-05T08:59:12.500000Z","entity_id":"u-104","entity_type":"user","event_type":"login","id":"7f0c2d0e-4b5a-4c1e-9a55-0d6f2e1f7a10","ip_address":"10.20.0.14","seq":1,"severity":"info","tenant_id":"acme-pharma","user_id":"u-104"}',
    );
    assert.equal(chainHash('0'.repeat(64), payload), 'f75cedf50849fa38c723b23f0898713c4cf00e4c42f4aed5ec3d148dedd1d795');
  });
});

describe('value rules', () => {
  test('timestamps keep microseconds and become UTC with six digits', () => {
    assert.equal(canonicalTimestamp('2026-01-16 09:30:00+00'), '2026-01-16T09:30:00.000000Z');
    assert.equal(canonicalTimestamp('2026-01-16 09:30:00.000001+00'), '2026-01-16T09:30:00.000001Z');
    assert.equal(canonicalTimestamp('2026-01-16 09:30:00.123456'), '2026-01-16T09:30:00.123456Z');
    assert.equal(canonicalTimestamp('2026-01-16 23:30:00.5-02'), '2026-01-17T01:30:00.500000Z');
    assert.equal(canonicalTimestamp('2026-01-16 05:00:00.25+05:30'), '2026-01-15T23:30:00.250000Z');
    assert.equal(canonicalTimestamp('infinity'), 'infinity');
    assert.throws(() => canonicalTimestamp('16/01/2026'), /unrecognised timestamp/);
  });

  test('integers beyond 2^53 stay exact as decimal strings', () => {
    assert.equal(canonicalValue('int8', '9007199254740991'), 9007199254740991);
    assert.equal(canonicalValue('bigint', '9007199254740993'), '9007199254740993');
    assert.equal(canonicalValue('int8', '-9223372036854775808'), '-9223372036854775808');
  });

  test('numeric text, booleans, dates, uuids and NULL follow the table', () => {
    assert.equal(canonicalValue('numeric', '0.70'), '0.70');
    assert.equal(canonicalValue('float8', '1e+30'), '1e+30');
    assert.equal(canonicalValue('bool', 't'), true);
    assert.equal(canonicalValue('bool', 'f'), false);
    assert.equal(canonicalValue('date', '2026-02-28'), '2026-02-28');
    assert.equal(canonicalValue('uuid', 'ABCDEF00-0000-0000-0000-000000000000'), 'abcdef00-0000-0000-0000-000000000000');
    assert.equal(canonicalValue('text', null), null);
    assert.equal(canonicalValue('text', ' spaced '), ' spaced ');
  });

  test('jsonb key order and spacing do not change the payload, values do', () => {
    const build = makePayloadBuilder([{ name: 'j', type: 'jsonb' }]);
    assert.equal(build(['{"b": [1, {"z": null, "a": "é"}], "a": 1}']), build(['{"a":1,"b":[1,{"a":"é","z":null}]}']));
    assert.notEqual(build(['{"a": 1}']), build(['{"a": 2}']));
  });

  test('a profile file with an unknown algorithm is refused by name', () => {
    assert.throws(() => parseProfile({ name: 'x', algorithm: 'md5' }), /invalid chain profile: algorithm/);
    const p = parseProfile({ name: 'legacy', algorithm: 'sha512', separator: '|' });
    assert.equal(chainHash('a', 'b', p), createHash('sha512').update('a|b').digest('hex'));
  });
});

describe('Merkle root (RFC 6962 §2.1)', () => {
  // Independent recursive definition, straight from the RFC.
  const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  function mth(leaves: Buffer[]): Buffer {
    if (leaves.length === 0) return createHash('sha256').digest();
    if (leaves.length === 1) return h(Buffer.from([0]), leaves[0]!);
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return h(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  }

  test('the streaming builder equals the recursive definition for 0..40 leaves', () => {
    for (let n = 0; n <= 40; n++) {
      const digests = Array.from({ length: n }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
      assert.equal(merkleRoot(digests), mth(digests.map((d) => Buffer.from(d, 'hex'))).toString('hex'), `n=${n}`);
    }
  });

  test('leaves that are not 64 hex digits (sha512 chain hashes, damaged text) take the bytes hex decoding gives', () => {
    const leaves = [
      createHash('sha512').update('a').digest('hex'),
      createHash('sha256').update('b').digest('hex').toUpperCase(),
      'zz' + createHash('sha256').update('c').digest('hex').slice(2),
      createHash('sha256').update('d').digest('hex'),
    ];
    for (let n = 1; n <= leaves.length; n++) {
      const some = leaves.slice(0, n);
      assert.equal(merkleRoot(some), mth(some.map((d) => Buffer.from(d, 'hex'))).toString('hex'), `n=${n}`);
    }
  });
});
