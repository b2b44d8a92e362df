// Named filters the auditor keeps (in the cache, like reviews: nothing goes to the source).
import type { CacheDb } from '../cache/open.js';
import type { SavedFilter } from '../contract/records.js';
import { recordFilterSchema, type RecordFilterInput } from './filter.js';
import { stmt } from './sql.js';

export function listSavedFilters(db: CacheDb): SavedFilter[] {
  const rows = stmt(db, 'SELECT name, filter_json, created_at FROM saved_filters ORDER BY name COLLATE NOCASE, name').all() as {
    name: string;
    filter_json: string;
    created_at: string;
  }[];
  const out: SavedFilter[] = [];
  for (const r of rows) {
    // A filter saved by another version may no longer parse: skip it rather than fail the list.
    const parsed = safeFilter(r.filter_json);
    if (parsed) out.push({ name: r.name, filter: parsed, createdAt: r.created_at });
  }
  return out;
}

export function saveFilter(db: CacheDb, name: string, filter: RecordFilterInput): SavedFilter {
  const createdAt = new Date().toISOString();
  const json = JSON.stringify(recordFilterSchema.parse(filter));
  db.transaction(() => {
    stmt(
      db,
      `INSERT INTO saved_filters (name, filter_json, created_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET filter_json = excluded.filter_json, created_at = excluded.created_at`,
    ).run(name, json, createdAt);
  })();
  return { name, filter: JSON.parse(json) as RecordFilterInput, createdAt };
}

export function deleteSavedFilter(db: CacheDb, name: string): boolean {
  return stmt(db, 'DELETE FROM saved_filters WHERE name = ?').run(name).changes > 0;
}

function safeFilter(json: string): RecordFilterInput | null {
  try {
    const r = recordFilterSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
