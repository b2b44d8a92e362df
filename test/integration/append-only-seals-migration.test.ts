// Cache migration "append-only seals" (issue 19): a re-seal after drift is a new seal
// beside the old one; no statement can edit or remove a seal or remove a drift finding,
// so the history every later verification compares with cannot fade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache, cacheSchemaVersion, loadMigrations } from '../../src-main/core/cache/open.js';
import { scratchDir } from '../helpers/scratch.js';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';

const ALL = loadMigrations();

test('seals can be added but never changed or removed; drift findings are never removed', () => {
  assert.ok(
    ALL.some((m) => m.name.endsWith('_append_only_seals.sql')),
    'the migration is in migrations/cache',
  );
  const path = join(scratchDir('auditdesk-append-only-'), 'cache.sqlite');
  const f = new CacheFixture(path);
  fillDemoLike(f, 'acme', 20);
  f.close();
  const db = openCache(path);
  try {
    assert.equal(cacheSchemaVersion(db), ALL.length);
    const table = db.prepare(`SELECT table_id FROM source_tables WHERE kind = 'conversations'`).pluck().get() as number;
    const syncId = db.prepare('SELECT max(sync_id) FROM syncs').pluck().get() as number;
    const seal = (root: string) =>
      db
        .prepare(`INSERT INTO seals (sync_id, source_fingerprint, table_id, tenant_id, row_count, merkle_root, created_at) VALUES (?, 'f', ?, 'acme', 1, ?, '2026-01-02T00:00:00Z')`)
        .run(syncId, table, root);
    seal('a'.repeat(64));
    seal('b'.repeat(64));
    assert.equal(db.prepare('SELECT count(*) FROM seals WHERE table_id = ?').pluck().get(table), 2, 'the re-seal stands beside the first');
    assert.throws(() => db.prepare(`UPDATE seals SET merkle_root = 'c'`).run(), /seals are append-only/);
    assert.throws(() => db.prepare('DELETE FROM seals').run(), /seals are append-only/);
    db.prepare(
      `INSERT INTO drift_findings (table_id, tenant_id, source_key, change, detected_sync_id, detected_at, earlier_digest, later_digest)
       VALUES (?, 'acme', 'row-1', 'modified', ?, '2026-01-02T00:00:00Z', ?, ?)`,
    ).run(table, syncId, 'd'.repeat(64), 'e'.repeat(64));
    assert.throws(() => db.prepare('DELETE FROM drift_findings').run(), /drift findings are kept/);
  } finally {
    db.close();
  }
});
