// Cache migration 009: each chain's hash-chain profile (issue 20). Upgrading a cache
// keeps its rows and leaves every chain on the table's profile (v1) until a sync records
// one; a recorded profile is found by its key, not by scanning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCache, cacheSchemaVersion, loadMigrations, type CacheDb } from '../../src-main/core/cache/open.js';
import { chainProfileOf, recordChainProfile } from '../../src-main/core/cache/chain-profiles.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';

const V8 = loadMigrations().slice(0, 8);
let old: RecordsFixture;
let upgraded: CacheDb;
let rowsBefore: unknown[];
let chain: { table_id: number; tenant_id: string };

before(() => {
  old = createRecordsFixture({ events: 50, conversations: 10, seed: 8, migrations: V8 });
  assert.equal(cacheSchemaVersion(old.db), 8);
  rowsBefore = old.db.prepare('SELECT * FROM records ORDER BY rid').raw().all();
  old.close();
  upgraded = openCache(old.path);
  chain = upgraded.prepare(`SELECT r.table_id, r.tenant_id FROM records r WHERE r.kind = 'event' LIMIT 1`).get() as typeof chain;
});
after(() => upgraded.close());

test("upgrading keeps every row, and a chain without a recorded profile is verified with the table's (jcs-sha256-v1)", () => {
  assert.equal(cacheSchemaVersion(upgraded), loadMigrations().length);
  assert.deepEqual(upgraded.prepare('SELECT * FROM records ORDER BY rid').raw().all(), rowsBefore);
  assert.deepEqual(chainProfileOf(upgraded, chain.table_id, chain.tenant_id), JCS_SHA256_V1);
});

test("a recorded profile belongs to its tenant's chain only, and recording again replaces it", () => {
  recordChainProfile(upgraded, chain.table_id, chain.tenant_id, JCS_EXACT_SHA256_V2);
  assert.deepEqual(chainProfileOf(upgraded, chain.table_id, chain.tenant_id), JCS_EXACT_SHA256_V2);
  assert.deepEqual(chainProfileOf(upgraded, chain.table_id, `${chain.tenant_id}-other`), JCS_SHA256_V1);
  recordChainProfile(upgraded, chain.table_id, chain.tenant_id, JCS_SHA256_V1);
  assert.deepEqual(chainProfileOf(upgraded, chain.table_id, chain.tenant_id), JCS_SHA256_V1);
});

test('the profile of a chain is looked up by its key', () => {
  const plan = upgraded.prepare('EXPLAIN QUERY PLAN SELECT profile_json FROM chain_profiles WHERE table_id = ? AND tenant_id = ?').all(chain.table_id, chain.tenant_id) as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join('\n'), /SEARCH chain_profiles USING (INDEX sqlite_autoindex_chain_profiles_1|PRIMARY KEY) \(table_id=\? AND tenant_id=\?\)/);
});
