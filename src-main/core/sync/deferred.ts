// Bulk mode for a large first fill: the facet indexes and the full-text triggers
// on `records` are dropped, rows are inserted, then the indexes are built once and
// the FTS index rebuilt from the table (several times faster than maintaining both
// row by row). What was dropped is written to deferred_schema in the same
// transaction, so a sync killed mid-way is repaired by the next one (or by any
// writer that calls restoreDeferredSchema when it opens the cache).
import type { CacheDb } from '../cache/open.js';

/** Triggers whose only effect can be recomputed with an FTS 'rebuild'. */
const FTS_TRIGGERS = ['records_fts_insert', 'records_fts_delete', 'records_fts_update'];

export function enterBulkMode(db: CacheDb): void {
  db.transaction(() => {
    const now = new Date().toISOString();
    const note = db.prepare(`INSERT OR REPLACE INTO deferred_schema (name, kind, sql, created_at) VALUES (?, ?, ?, ?)`);
    const indexes = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL`)
      .all() as { name: string; sql: string }[];
    const triggers = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'records' AND name IN (${FTS_TRIGGERS.map(() => '?').join(', ')})`)
      .all(...FTS_TRIGGERS) as { name: string; sql: string }[];
    for (const i of indexes) {
      note.run(i.name, 'index', i.sql, now);
      db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
    }
    for (const t of triggers) {
      note.run(t.name, 'trigger', t.sql, now);
      db.exec(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`);
    }
    if (triggers.length) note.run('records_fts:rebuild', 'fts-rebuild', null, now);
  })();
}

/** Puts back whatever bulk mode took away; a no-op when nothing is deferred. Returns what it restored. */
export function restoreDeferredSchema(db: CacheDb): string[] {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_schema'`).get();
  if (!hasTable) return [];
  const pending = db.prepare(`SELECT name, kind, sql FROM deferred_schema ORDER BY kind, name`).all() as {
    name: string;
    kind: 'index' | 'trigger' | 'fts-rebuild';
    sql: string | null;
  }[];
  if (!pending.length) return [];
  db.transaction(() => {
    for (const p of pending) {
      if (p.kind === 'fts-rebuild' || !p.sql) continue;
      const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(p.name);
      if (!exists) db.exec(p.sql);
    }
    if (pending.some((p) => p.kind === 'fts-rebuild')) db.exec(`INSERT INTO records_fts(records_fts) VALUES ('rebuild')`);
    db.exec(`DELETE FROM deferred_schema`);
  })();
  return pending.map((p) => p.name);
}
