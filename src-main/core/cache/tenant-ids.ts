import type { CacheDb } from './open.js';

/**
 * Every tenant the cache holds rows of: those synced (watermarks) and those counted in the
 * per-day rollup, as the app's status line lists them; two small tables, no scan of records.
 * What a tenant is compared with for a look-alike name (printable.ts lookAlikes).
 */
export function cachedTenantIds(db: CacheDb): string[] {
  return db.prepare('SELECT tenant_id FROM watermarks UNION SELECT tenant_id FROM records_rollup').pluck().all() as string[];
}
