// Cache migration for the review (issue 14): a cache of the previous version upgrades
// in place; decisions, completions, the journal and controls runs only ever gain rows;
// and the queue's read of the latest decision per item uses the migration's index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache, loadMigrations, cacheSchemaVersion, type CacheDb } from '../../src-main/core/cache/open.js';
import { appendJournal, journalEntries, verifyJournal } from '../../src-main/core/review/index.js';
import { scratchDir } from '../helpers/scratch.js';

const version = loadMigrations().findIndex((m) => /_review_journal\.sql$/.test(m.name)) + 1;
const plan = (db: CacheDb, sql: string, ...params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

test('a cache of the previous version gains the review tables and keeps its rows', () => {
  assert.ok(version > 1, 'the review migration is in the list');
  const path = join(scratchDir('auditdesk-mig-review-'), 'cache.sqlite');
  const old = openCache(path, { migrations: loadMigrations().slice(0, version - 1) });
  old.prepare(`INSERT INTO sources VALUES (1, 'fp', 'sys', 'db', '18', 'label', '2026-01-01T00:00:00Z')`).run();
  old.close();
  const db = openCache(path);
  try {
    assert.ok(cacheSchemaVersion(db) >= version);
    assert.equal(db.prepare('SELECT count(*) FROM sources').pluck().get(), 1);
    for (const t of ['review_decisions', 'review_completions', 'review_journal', 'controls_runs']) {
      assert.equal(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), 0, t);
    }
  } finally {
    db.close();
  }
});

test('journal, controls runs and completions refuse edits and deletions', () => {
  const db = openCache(':memory:');
  try {
    appendJournal(db, 'engagement_opened', { engagement: 'x' });
    db.prepare(`INSERT INTO controls_runs (checked_at, source_fingerprint, report_json) VALUES ('t', 'fp', '{}')`).run();
    db.prepare(
      `INSERT INTO review_completions (open_items_json, coverage_json, note, signer_name, signer_fingerprint, signer_cert, signed_at, signed_json, signature)
                VALUES ('[]', '{}', 'n', 's', 'f', 'c', 't', '{}', 's')`,
    ).run();
    db.prepare(
      `INSERT INTO review_decisions (item_id, kind, tenant_id, evidence_hash, disposition, meaning, note, signer_name, signer_fingerprint, signer_cert, signed_at, signed_json, signature)
                VALUES ('i', 'anomaly', 't', 'h', 'confirmed', 'Reviewed', 'n', 's', 'f', 'c', 't', '{}', 's')`,
    ).run();
    for (const t of ['review_journal', 'controls_runs', 'review_completions', 'review_decisions']) {
      assert.throws(() => db.prepare(`DELETE FROM ${t}`).run(), /append-only|never rewritten/, t);
    }
    assert.throws(() => db.prepare(`UPDATE review_journal SET details = '{}'`).run(), /never rewritten/);
    assert.equal(verifyJournal(journalEntries(db)).verdict, 'intact');
  } finally {
    db.close();
  }
});

test('the latest decision per item is read through the item index', () => {
  const db = openCache(':memory:');
  try {
    assert.match(plan(db, 'SELECT * FROM review_decisions WHERE item_id = ? ORDER BY decision_id DESC', 'x'), /USING INDEX review_decisions_item/);
  } finally {
    db.close();
  }
});
