// Cache migration 002 (stored verification results): a cache at version 1 upgrades
// in place, and the queries the migration exists for use its indexes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache, loadMigrations, cacheSchemaVersion } from '../../src-main/core/cache/open.js';

const plan = (db: ReturnType<typeof openCache>, sql: string, ...params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

test('a version-1 cache gains the verification tables and keeps its rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditdesk-mig002-'));
  try {
    const path = join(dir, 'cache.sqlite');
    const v1 = openCache(path, { migrations: loadMigrations().slice(0, 1) });
    v1.prepare(`INSERT INTO sources VALUES (1, 'fp', 'sys', 'db', '18', 'label', '2026-01-01T00:00:00Z')`).run();
    v1.close();
    const db = openCache(path);
    try {
      assert.ok(cacheSchemaVersion(db) >= 2);
      const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).sort();
      for (const t of ['verify_reports', 'verify_results', 'verify_breaks']) assert.ok(tables.includes(t), t);
      assert.equal(db.prepare('SELECT count(*) FROM sources').pluck().get(), 1);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the latest verdict per chain and a row's breaks are index lookups", () => {
  const db = openCache(':memory:');
  try {
    assert.match(plan(db, 'SELECT max(result_id) FROM verify_results GROUP BY table_name, tenant_id, what'), /COVERING INDEX verify_results_latest/);
    assert.doesNotMatch(plan(db, 'SELECT max(result_id) FROM verify_results GROUP BY table_name, tenant_id, what'), /TEMP B-TREE/);
    assert.match(plan(db, 'SELECT kind FROM verify_breaks WHERE table_name = ? AND tenant_id = ? AND seq = ?', 'a', 'b', 1), /INDEX verify_breaks_seq/);
    assert.match(plan(db, 'SELECT kind FROM verify_breaks WHERE table_name = ? AND tenant_id = ? AND source_key = ?', 'a', 'b', 'k'), /INDEX verify_breaks_key/);
  } finally {
    db.close();
  }
});
