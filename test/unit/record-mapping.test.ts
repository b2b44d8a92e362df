// A row cached and read back gives the same hash payload as the row at the
// source — including columns AuditDesk does not know and seqs beyond 2^53.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mapColumns, toRecord, fromRecord } from '../../src-main/core/cache/record-mapping.js';
import { makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { isUserError } from '../../src-main/core/util/errors.js';

const columns = [
  { name: 'id', type: 'uuid' },
  { name: 'seq', type: 'int8' },
  { name: 'tenant_id', type: 'text' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'event_type', type: 'text' },
  { name: 'action_details', type: 'jsonb' },
  { name: 'region', type: 'text' },
  { name: 'risk', type: 'numeric' },
  { name: 'prev_hash', type: 'text' },
  { name: 'hash', type: 'text' },
];

test('a renamed time column maps to the timeline, unknown columns become extra fields', () => {
  const mapped = mapColumns('events', columns, { occurred_at: 'created_at' });
  assert.equal(mapped.find((c) => c.name === 'occurred_at')?.field, 'ts');
  assert.equal(mapped.find((c) => c.name === 'region')?.field, null);
  assert.equal(mapped.find((c) => c.name === 'id')?.field, 'source_key');
});

test('cache round trip keeps the hash payload identical', () => {
  const mapped = mapColumns('events', columns, { occurred_at: 'created_at' });
  const values = [
    'c0ffee00-0000-4000-8000-000000000001',
    '9007199254740993',
    'globex-bank',
    '2026-03-01 02:59:59.999999+00',
    'export',
    '{"rows": 184467440737095516, "note": "ünïcödé \\"quoted\\"\\nline"}',
    null,
    '0.10',
    'a'.repeat(64),
    'b'.repeat(64),
  ];
  const row = toRecord(mapped, values);
  assert.equal(row.ts, '2026-03-01T02:59:59.999999Z');
  assert.equal(JSON.parse(String(row.extra)).region, null);

  const db = new Database(':memory:');
  db.exec('CREATE TABLE r (source_key TEXT, seq INTEGER, tenant_id TEXT, ts TEXT, event_type TEXT, action_details TEXT, prev_hash TEXT, hash TEXT, extra TEXT)');
  db.prepare('INSERT INTO r VALUES (@source_key, @seq, @tenant_id, @ts, @event_type, @action_details, @prev_hash, @hash, @extra)').run(row);
  const back = db.prepare('SELECT * FROM r').safeIntegers(true).get() as Record<string, string | bigint | null>;
  const build = makePayloadBuilder(mapped);
  assert.equal(build(fromRecord(mapped, back)), build(values));
  assert.equal(fromRecord(mapped, back)[1], '9007199254740993');
});

test("a first fill's cached form of a row is what the cache gives back, for any columns and values", async () => {
  const { default: fc } = await import('fast-check');
  const { cachedFormOf } = await import('../../src-main/core/cache/record-mapping.js');
  // Column names that land on known fields (two of them on one field when mapped by hand), times of any zone, unknown ones.
  const column = fc.record({
    name: fc.constantFrom('id', 'seq', 'created_at', 'occurred_at', 'severity', 'action_details', 'region', 'hash', 'prev_hash', 'ip_address'),
    type: fc.constantFrom('text', 'int8', 'timestamptz', 'timestamp', 'jsonb', 'inet'),
  });
  const field = fc.constantFrom(null, 'seq', 'ts', 'severity', 'source_key', 'hash', 'action_details');
  const value = fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.constantFrom('2026-01-01 00:00:01.5+00', '2025-12-31 23:59:59+01:30', '2026-03-04 05:06:07.123456', 'infinity', '0001-01-01 00:00:00 BC'),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(column, field), { minLength: 1, maxLength: 8 }), fc.array(value, { minLength: 8, maxLength: 8 }), (cols, row) => {
      const mapped = cols.map(([c, f]) => ({ ...c, field: f }));
      const values = row.slice(0, mapped.length);
      let expected: (string | null)[];
      try {
        expected = fromRecord(mapped, toRecord(mapped, values));
      } catch {
        return; // a value the cache refuses (a seq that is no integer, a time that is none): no row is cached
      }
      assert.deepEqual(cachedFormOf(mapped)(values), expected);
    }),
    { numRuns: 3000 },
  );
});

test('a cached row whose extra columns are not the JSON object the sync wrote is reported as cache damage naming the row, not as an internal error', () => {
  const cols = mapColumns('events', [
    { name: 'seq', type: 'int8' },
    { name: 'region', type: 'text' },
  ]);
  for (const extra of ['{"region": "eu"\u0007', '["eu"]', 'null', '"eu"']) {
    assert.throws(
      () => fromRecord(cols, { seq: 12n, extra }),
      (e: unknown) => isUserError(e) && e.code === 'E_CACHE_CORRUPT' && /row seq 12 holds extra columns/.test(e.message) && /Rebuild the cache/.test(e.message),
      extra,
    );
  }
  assert.deepEqual(fromRecord(cols, { seq: 12n, extra: '{"region": "eu"}' }), ['12', 'eu']);
});
