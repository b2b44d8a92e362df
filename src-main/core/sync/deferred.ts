// Bulk mode for a large first fill: the facet indexes, the full-text triggers and
// the per-day rollup triggers on `records` are dropped, rows are inserted, then the
// indexes are built once, the FTS index rebuilt from the table and the rollup
// recomputed with one GROUP BY (several times faster than maintaining all three
// row by row: the rollup trigger alone halves the raw insert speed). What was
// dropped is written to deferred_schema in the same transaction, so a sync killed
// mid-way is repaired by the next one (or by any writer that calls
// restoreDeferredSchema when it opens the cache).
import { availableParallelism } from 'node:os';
import type { CacheDb } from '../cache/open.js';

/** Triggers whose only effect can be recomputed with an FTS 'rebuild'. */
const FTS_TRIGGERS = ['records_fts_insert', 'records_fts_delete', 'records_fts_update'];
/**
 * Triggers that keep records_rollup (cache migration 003) exact. A deferred row for
 * any of them means the rollup no longer matches `records`: restoring them also
 * recomputes the rollup (deferred_schema's kinds predate this, so the trigger rows
 * themselves are the note; no separate marker kind is needed).
 */
const ROLLUP_TRIGGERS = ['records_rollup_insert', 'records_rollup_delete', 'records_rollup_update'];

/** The rollup of every cached record, as migration 003 first fills it. */
const ROLLUP_REBUILD_SQL = `
INSERT INTO records_rollup (k, ts, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
                            model_version, deployment_id, safety_mode, temperature_num, n)
SELECT json_array(d, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
                  model_version, deployment_id, safety_mode, temperature_num),
       d, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
       model_version, deployment_id, safety_mode, temperature_num, count(*)
  FROM (SELECT CASE WHEN ts >= '1971-01-01T00:00:00.000000Z' AND ts < '2200-01-01T00:00:00.000000Z'
                    THEN substr(ts, 1, 10) || 'T00:00:00.000000Z' ELSE ts END AS d, *
          FROM records)
 GROUP BY d, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
          model_version, deployment_id, safety_mode, temperature_num`;

export function enterBulkMode(db: CacheDb): void {
  const deferrable = [...FTS_TRIGGERS, ...ROLLUP_TRIGGERS];
  db.transaction(() => {
    const now = new Date().toISOString();
    const note = db.prepare(`INSERT OR REPLACE INTO deferred_schema (name, kind, sql, created_at) VALUES (?, ?, ?, ?)`);
    const indexes = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL`)
      .all() as { name: string; sql: string }[];
    const triggers = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'records' AND name IN (${deferrable.map(() => '?').join(', ')})`)
      .all(...deferrable) as { name: string; sql: string }[];
    for (const i of indexes) {
      note.run(i.name, 'index', i.sql, now);
      db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
    }
    for (const t of triggers) {
      note.run(t.name, 'trigger', t.sql, now);
      db.exec(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`);
    }
    if (triggers.some((t) => FTS_TRIGGERS.includes(t.name))) note.run('records_fts:rebuild', 'fts-rebuild', null, now);
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
  // Helper threads for SQLite's sorter: on 1M rows, CREATE INDEX and the rollup's
  // GROUP BY ran ~12% faster with 2 threads on 2 cores (+~30 MB while sorting).
  const previousThreads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`threads = ${Math.min(4, availableParallelism())}`);
  try {
    rebuild(db, pending);
  } finally {
    db.pragma(`threads = ${previousThreads}`);
  }
  return pending.map((p) => p.name);
}

function rebuild(db: CacheDb, pending: { name: string; kind: 'index' | 'trigger' | 'fts-rebuild'; sql: string | null }[]): void {
  db.transaction(() => {
    for (const p of pending) {
      if (p.kind === 'fts-rebuild' || !p.sql) continue;
      const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(p.name);
      if (!exists) db.exec(p.sql);
    }
    if (pending.some((p) => p.kind === 'fts-rebuild')) db.exec(`INSERT INTO records_fts(records_fts) VALUES ('rebuild')`);
    if (pending.some((p) => p.kind === 'trigger' && ROLLUP_TRIGGERS.includes(p.name))) {
      db.exec('DELETE FROM records_rollup');
      db.exec(ROLLUP_REBUILD_SQL);
    }
    db.exec(`DELETE FROM deferred_schema`);
  })();
}
