// A rebuild killed half-way must not leave an empty cache where the damaged one was: the next
// sync would fill it from the source as it is now, without the signed checkpoints that show a
// history rewritten since the earlier visit, and call that history intact. The rebuild used to
// move the damaged file aside first and carry into a new file at its name afterwards; a kill in
// between left nothing (or an empty cache) there. Now the new cache is built beside the damaged
// one and takes its name only once the carry is committed; these are the states a kill leaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { listCheckpoints, recordCheckpoint } from '../../src-main/core/verify/checkpoints.js';
import { openRebuilt } from '../../src-main/core/verify/carry-over.js';
import { appendJournal } from '../../src-main/core/journal/journal.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { scratchDir } from '../helpers/scratch.js';

const TENANT = 'acme-pharma';

function signHead(db: CacheDb): void {
  recordCheckpoint(db, testAuditorKey(), {
    origin: 'sync',
    sourceFingerprint: 'f'.repeat(64),
    tableName: 'audit_logs',
    tenantId: TENANT,
    lastSeq: 120n,
    headHash: 'ab'.repeat(32),
    merkleRoot: null,
    rowCount: 120,
  });
}

/** A cache with one signed checkpoint and damage a verdict found in a row: what --rebuild replaces. */
function damagedCache(dir: string): string {
  const path = join(dir, 'cache.sqlite');
  const db = openCache(path);
  try {
    signHead(db);
    db.prepare(`INSERT INTO cache_damage (found_at, table_name, tenant_id, row_ref, message) VALUES (?, 'audit_logs', ?, 'seq 7', 'the row is not what the sync stored')`).run(
      new Date().toISOString(),
      TENANT,
    );
  } finally {
    db.close();
  }
  return path;
}

const checkpointsOf = (db: CacheDb) => listCheckpoints(db, { limit: 100 }, testAuditorKey().publicKeyRaw).filter((c) => c.signatureStatus === 'valid').length;

test('killed after the damaged file went aside, before the new one took its name: the next open finishes the rebuild', () => {
  const dir = scratchDir('auditdesk-rebuild-killed-');
  const path = damagedCache(dir);
  const aside = `${path}.broken-2026-12-07T07-00-00-000Z`;
  // The state the kill leaves: the new cache complete (its carry and journal entry committed)
  // under its interim name, the damaged file moved aside, and the damaged file's WAL still here.
  const rebuilt = openCache(`${path}.rebuilt`);
  signHead(rebuilt);
  appendJournal(rebuilt, 'cache_rebuilt', { aside, checkpointsCarried: 1 });
  rebuilt.close();
  renameSync(path, aside);
  writeFileSync(`${path}-wal`, 'the damaged file’s write-ahead log');

  const db = openCache(path);
  try {
    assert.equal(checkpointsOf(db), 1, 'the carried checkpoint is in the cache the next sync uses');
  } finally {
    db.close();
  }
  assert.equal(existsSync(`${path}.rebuilt`), false);
  assert.equal(readFileSync(`${aside}-wal`, 'utf8'), 'the damaged file’s write-ahead log', "the damaged file's WAL went aside with it, not into the new cache");
  assert.ok(existsSync(aside), 'the damaged file is kept for inspection');
});

test('killed while the new cache was being built: the damaged file is still in place, and the next rebuild starts over', () => {
  const dir = scratchDir('auditdesk-rebuild-killed-');
  const path = damagedCache(dir);
  writeFileSync(`${path}.rebuilding`, 'half a database');

  const { db, carried } = openRebuilt(path, testAuditorKey().publicKeyRaw);
  try {
    assert.equal(carried?.carried, 1);
    assert.equal(checkpointsOf(db), 1);
    assert.ok(carried && existsSync(carried.aside), 'the damaged file went aside');
  } finally {
    db.close();
  }
  for (const interim of ['.rebuilding', '.rebuilt', '.rebuilding-wal', '.rebuilt-wal']) assert.equal(existsSync(path + interim), false, `no ${interim} file is left`);
});

test('a .rebuilt file that names a place outside the cache folder is refused, and nothing is moved', () => {
  const dir = scratchDir('auditdesk-rebuild-killed-');
  const path = join(dir, 'cache.sqlite');
  const elsewhere = join(scratchDir('auditdesk-rebuild-elsewhere-'), 'victim');
  writeFileSync(`${elsewhere}-wal`, 'a file the planted entry points at');
  const planted = openCache(`${path}.rebuilt`);
  appendJournal(planted, 'cache_rebuilt', { aside: elsewhere });
  planted.close();
  writeFileSync(`${path}-wal`, 'the damaged file’s write-ahead log');

  assert.throws(() => openCache(path), /E_CACHE_CORRUPT|is not a rebuild this version made/);
  assert.equal(readFileSync(`${elsewhere}-wal`, 'utf8'), 'a file the planted entry points at');
  assert.equal(readFileSync(`${path}-wal`, 'utf8'), 'the damaged file’s write-ahead log');
  assert.ok(existsSync(`${path}.rebuilt`), 'the planted file stays where it is, for inspection');
});
