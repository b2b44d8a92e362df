// Bulk mode for a large first fill: the facet indexes, the full-text triggers and
// the per-day rollup triggers on `records` are dropped, rows are inserted, then the
// indexes are built once, the FTS index rebuilt from the table and the rollup
// recomputed with one GROUP BY (several times faster than maintaining all three
// row by row: the rollup trigger alone halves the raw insert speed). What was
// dropped is written to deferred_schema in the same transaction, so a sync killed
// mid-way is repaired by the next one (or by any writer that calls
// restoreDeferredSchema when it opens the cache).
import { availableParallelism } from 'node:os';
import { pristineSchema, type CacheDb } from '../cache/open.js';
import { UserError } from '../util/errors.js';
import { REBUILD_HINT } from '../util/storage-errors.js';
import { rowJson, type CachedTable } from './cache-store.js';

/** FTS5 'hashsize' for the rebuild (integer literal: FTS5 refuses a bound REAL). */
const FTS_HASH_BYTES = 16 * 1024 * 1024;
/** Triggers whose only effect can be recomputed with an FTS 'rebuild'. */
const FTS_TRIGGERS = ['records_fts_insert', 'records_fts_delete', 'records_fts_update'];
/**
 * Triggers that keep records_rollup (cache migration 003) exact. A deferred row for
 * any of them means the rollup no longer matches `records`: restoring them also
 * recomputes the rollup (deferred_schema's kinds predate this, so the trigger rows
 * themselves are the note; no separate marker kind is needed).
 */
const ROLLUP_TRIGGERS = ['records_rollup_insert', 'records_rollup_delete', 'records_rollup_update'];
/**
 * Triggers that move cache_generation on every row (cache migration 013). A fill's rows
 * need only one move, made when they are restored, not a million.
 */
const GENERATION_TRIGGERS = ['records_generation_insert', 'records_generation_update', 'records_generation_delete'];

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

/**
 * The unique (table_id, tenant_id, source_key) index (cache migration 006). Inserting
 * random ids into it costs more than half of a first fill's inserts, so it is deferred
 * too, but only when `records` is empty: then no fetched row can meet a cached one,
 * and writers insert without ON CONFLICT (TableWriter checks for this index). Two
 * source rows with the same id are merged when the index is built (mergeDuplicateKeys).
 */
export const RECORDS_KEY_INDEX = 'records_key';

/**
 * `records` columns that stay NULL for every row these tables write: a column no mapped
 * field fills (events have no agent or model, conversations no event type or severity).
 * temperature_num is computed from `temperature`; the other computed columns are never NULL.
 */
export function columnsNeverFilled(db: CacheDb, tables: readonly CachedTable[]): Set<string> {
  const filled = new Set(['rid', 'table_id', 'kind', 'tenant_id', 'digest', 'sync_id', 'extra']);
  for (const t of tables) {
    for (const c of t.columns) {
      if (!c.field) continue;
      filled.add(c.field);
      if (c.field === 'temperature') filled.add('temperature_num');
    }
  }
  const all = (db.prepare(`PRAGMA table_info(records)`).all() as { name: string }[]).map((c) => c.name);
  return new Set(all.filter((c) => !filled.has(c)));
}

/** The column of a partial index `… WHERE col IS NOT NULL` (cache migration 007), else null. */
function notNullColumnOf(indexSql: string): string | null {
  const m = /\bWHERE\s+"?([A-Za-z_][A-Za-z0-9_]*)"?\s+IS\s+NOT\s+NULL\s*$/i.exec(indexSql);
  return m ? m[1]! : null;
}

/**
 * `neverFilled` (columnsNeverFilled): a partial index over rows where one of these
 * columns is not NULL gets no entry from this fill, so it stays live instead of being
 * rebuilt at the end (a rebuild still scans the whole table: ~0.2 s each on 1M rows,
 * eight of them on a fill of events).
 */
export function enterBulkMode(db: CacheDb, neverFilled: ReadonlySet<string> = new Set()): void {
  const deferrable = [...FTS_TRIGGERS, ...ROLLUP_TRIGGERS, ...GENERATION_TRIGGERS];
  db.transaction(() => {
    const now = new Date().toISOString();
    const note = db.prepare(`INSERT OR REPLACE INTO deferred_schema (name, kind, sql, created_at) VALUES (?, ?, ?, ?)`);
    const keepKey = Boolean(db.prepare('SELECT 1 FROM records LIMIT 1').get());
    const indexes = (
      db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL`).all() as {
        name: string;
        sql: string;
      }[]
    ).filter((i) => !(keepKey && i.name === RECORDS_KEY_INDEX) && !neverFilled.has(notNullColumnOf(i.sql) ?? ''));
    const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'records' AND name IN (${deferrable.map(() => '?').join(', ')})`).all(...deferrable) as {
      name: string;
      sql: string;
    }[];
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

/** A row whose source id appeared twice in one fill, with two contents (mergeDuplicateKeys). */
export interface MergedKey {
  tableId: number;
  tenant: string;
  key: string;
}

/**
 * The indexes a sync needs before it is ready (issue 17): the key (recheck), the chain
 * order (the verdict), and what the timeline opens with (time, kind, tenant, paging).
 * The facet indexes only make filters faster and never change a result, so a sync may
 * be ready without them ('for-reading') and leave them to finishIndexing.
 */
const READING_INDEXES = new Set([RECORDS_KEY_INDEX, 'records_chain', 'records_ts', 'records_kind_ts', 'records_tenant_ts', 'records_rid_kind_ts']);

export type RestoreScope = 'everything' | 'for-reading';

type Deferred = { name: string; kind: 'index' | 'trigger' | 'fts-rebuild'; sql: string | null };

function deferred(db: CacheDb): Deferred[] {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_schema'`).get();
  return hasTable ? (db.prepare(`SELECT name, kind, sql FROM deferred_schema ORDER BY kind, name`).all() as Deferred[]) : [];
}

/**
 * True while a bulk fill has the rollup's triggers set aside: records_rollup then counts
 * the rows from before the fill (none, on a first fill) until the triggers are restored.
 */
export function rollupIsStale(db: CacheDb): boolean {
  return deferred(db).some((d) => d.kind === 'trigger' && ROLLUP_TRIGGERS.includes(d.name));
}

/** Facet indexes a sync left to build after it was ready (empty when the cache is fully indexed). */
export function indexesStillToBuild(db: CacheDb): string[] {
  return deferred(db)
    .filter((d) => d.kind === 'index' && !READING_INDEXES.has(d.name))
    .map((d) => d.name);
}

/**
 * Puts back whatever bulk mode took away ('for-reading': all but the facet indexes); a
 * no-op when nothing is deferred. Returns what it restored; `onMerged` hears of rows
 * merged while the key index was built. One transaction: a kill leaves the list intact
 * for the next call to finish.
 */
export function restoreDeferredSchema(db: CacheDb, onMerged?: (m: MergedKey[]) => void, scope: RestoreScope = 'everything'): string[] {
  const pending = deferred(db).filter((d) => scope === 'everything' || !(d.kind === 'index' && !READING_INDEXES.has(d.name)));
  if (!pending.length) return [];
  // Helper threads for SQLite's sorter: on 1M rows, CREATE INDEX and the rollup's
  // GROUP BY ran ~12% faster with 2 threads on 2 cores (+~30 MB while sorting).
  const previousThreads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`threads = ${Math.min(4, availableParallelism())}`);
  try {
    const merged = rebuild(db, pending);
    if (merged.length) onMerged?.(merged);
  } finally {
    db.pragma(`threads = ${previousThreads}`);
  }
  return pending.map((p) => p.name);
}

/**
 * What is put back is this version's own schema (cache/open.ts pristineSchema), by name,
 * never the text noted in deferred_schema: a cache file is data (the app restores a
 * pending build whenever it opens one, and a cache may come from another engagement
 * folder), and executing SQL from it would let whoever wrote the file add a trigger that
 * edits every row synced later.
 */
function trustedSqlOf(p: Deferred): string {
  const object = pristineSchema().get(p.name);
  const sql = object && object.type === p.kind ? object.sql : undefined;
  if (sql === undefined) {
    throw new UserError(
      `the local cache lists ${p.kind} ${JSON.stringify(p.name)} to rebuild, which this version of AuditDesk never makes: the cache is damaged or was altered.`,
      'E_CACHE_CORRUPT',
      REBUILD_HINT,
    );
  }
  return sql;
}

function rebuild(db: CacheDb, pending: Deferred[]): MergedKey[] {
  // Every name is checked before anything is built, so a refused cache is left as it was.
  const sqlOf = new Map(pending.filter((p) => p.kind !== 'fts-rebuild').map((p) => [p.name, trustedSqlOf(p)]));
  return db.transaction(() => {
    let merged: MergedKey[] = [];
    // The key first: merging duplicate ids changes rows, before the other indexes,
    // the FTS index and the rollup are built from them (and before triggers return).
    const ordered = [...pending].sort((a, b) => Number(b.name === RECORDS_KEY_INDEX) - Number(a.name === RECORDS_KEY_INDEX));
    for (const p of ordered) {
      const sql = sqlOf.get(p.name);
      if (p.kind === 'fts-rebuild' || sql === undefined) continue;
      const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(p.name);
      if (exists) continue;
      if (p.name !== RECORDS_KEY_INDEX) {
        db.exec(sql);
        continue;
      }
      // Looking for duplicates costs as much as the index; only a failed build needs it.
      try {
        db.exec(sql);
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
        merged = mergeDuplicateKeys(db);
        db.exec(sql);
      }
    }
    if (pending.some((p) => p.kind === 'fts-rebuild')) {
      // FTS5 flushes its in-memory term table to a new segment every 1 MB by default and
      // then merges the segments; at 16 MB a rebuild of 1M events took 1.6-1.9 s instead
      // of 3.1-3.3 s, with no measurable change in peak memory. The setting is kept in
      // the index's config (records_fts_config) and only bounds memory per transaction.
      db.exec(`INSERT INTO records_fts(records_fts, rank) VALUES ('hashsize', ${FTS_HASH_BYTES})`);
      db.exec(`INSERT INTO records_fts(records_fts) VALUES ('rebuild')`);
    }
    if (pending.some((p) => p.kind === 'trigger' && ROLLUP_TRIGGERS.includes(p.name))) {
      db.exec('DELETE FROM records_rollup');
      db.exec(ROLLUP_REBUILD_SQL);
    }
    if (pending.some((p) => p.kind === 'trigger' && GENERATION_TRIGGERS.includes(p.name))) db.exec('UPDATE cache_generation SET n = n + 1');
    const done = db.prepare('DELETE FROM deferred_schema WHERE name = ?');
    for (const p of pending) done.run(p.name);
    return merged;
  })();
}

/**
 * Rows of `records` that share a (table_id, tenant_id, source_key), left by a fill
 * without the key index (a source whose ids are not unique), merged as the keyed
 * insert would have done row by row: the first row (lowest rid) stays; a later copy
 * with the same digest is dropped; a later copy with another digest replaces the
 * values of the first, whose version moves to record_versions (evidence is never
 * overwritten silently). Returns the merged keys whose content changed.
 */
export function mergeDuplicateKeys(db: CacheDb): MergedKey[] {
  const groups = db.prepare(`SELECT table_id, tenant_id, source_key FROM records GROUP BY table_id, tenant_id, source_key HAVING count(*) > 1`).all() as {
    table_id: number;
    tenant_id: string;
    source_key: string;
  }[];
  if (!groups.length) return [];
  const rowsOf = db.prepare(`SELECT * FROM records WHERE table_id = ? AND tenant_id = ? AND source_key = ? ORDER BY rid`).safeIntegers(true);
  const columns = (db.prepare('PRAGMA table_info(records)').all() as { name: string }[]).map((c) => c.name).filter((n) => n !== 'rid');
  const update = db.prepare(`UPDATE records SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE rid = @rid`);
  const remove = db.prepare('DELETE FROM records WHERE rid = ?');
  const keep = db.prepare(
    `INSERT INTO record_versions (rid, table_id, tenant_id, source_key, row_json, digest, superseded_by_sync, superseded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const changed: MergedKey[] = [];
  const now = new Date().toISOString();
  for (const g of groups) {
    const [first, ...later] = rowsOf.all(g.table_id, g.tenant_id, g.source_key) as Record<string, unknown>[];
    let current = first!;
    for (const row of later) {
      remove.run(row.rid);
      if (row.digest === current.digest) continue;
      keep.run(first!.rid, g.table_id, g.tenant_id, g.source_key, rowJson(current), current.digest, row.sync_id, now);
      current = { ...row, rid: first!.rid };
      update.run(current);
      changed.push({ tableId: g.table_id, tenant: g.tenant_id, key: g.source_key });
    }
  }
  return changed;
}
