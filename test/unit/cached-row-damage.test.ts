// The digest check that stands between a damaged cache file and a break blamed on the
// tenant (verify/cache-damage.ts) must answer "damaged" for every row whose values no
// longer give the digest stored with it, however little of the row is left to name it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapColumns } from '../../src-main/core/cache/record-mapping.js';
import { makeRowDigester } from '../../src-main/core/chain/row-digest.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { cachedRowLayout, damagedRowChecker } from '../../src-main/core/verify/cached-rows.js';
import { chainShape } from '../../src-main/core/verify/rows.js';
import { EVENT_COLUMNS } from '../helpers/cache-fixture.js';

const columns = mapColumns('events', EVENT_COLUMNS);
const layout = cachedRowLayout(columns, chainShape(columns, JCS_SHA256_V1, 'audit_logs'));
const fields = layout.select.split(', ').map((f) => f.replaceAll('"', ''));

/** A raw row as rangeReader gives it with DIGEST_CHECK_COLUMNS: the layout's fields, seq, source_key, digest, rid. */
function rawRow(values: Record<string, string | bigint | null>, seq: bigint | null, key: string | null, digest: string | null): unknown[] {
  return [...fields.map((f) => values[f] ?? null), seq, key, digest, 1n];
}

test('a row whose values no longer give its digest is named, and a row that lost its seq and id too is still damage', () => {
  const values = { seq: 7n, source_key: 'a1', tenant_id: 'acme', event_type: 'read', ts: '2026-01-05T08:00:00.000000Z', hash: 'ab'.repeat(32) };
  const digestOf = makeRowDigester(columns);
  const stored = digestOf(layout.toValues(rawRow(values, 7n, 'a1', null)));
  const check = damagedRowChecker(layout, columns);
  assert.equal(check([rawRow(values, 7n, 'a1', stored)]), null, 'as stored: no damage');
  assert.equal(check([rawRow({ ...values, event_type: 'edited' }, 7n, 'a1', stored)]), 'seq 7');
  assert.equal(check([rawRow({ ...values, seq: null }, null, 'a1', stored)]), 'id a1');
  assert.notEqual(check([rawRow({ ...values, seq: null, source_key: null }, null, null, stored)]), null, 'no seq and no id: still damage');
});
