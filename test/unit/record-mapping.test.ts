// A row cached and read back gives the same hash payload as the row at the
// source — including columns AuditDesk does not know and seqs beyond 2^53.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mapColumns, toRecord, fromRecord } from '../../src-main/core/cache/record-mapping.js';
import { makePayloadBuilder } from '../../src-main/core/chain/hash.js';

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
