// A break found in the cache is evidence about the tenant only if the cached rows are
// still what the sync stored. SQLite keeps no page checksums: a flipped byte inside a
// row passes quick_check, and the chain then reads "modified", blaming the tenant for
// damage to the local file. Every cached row carries the digest of its values taken at
// sync time (chain/digest.ts), so before a cached chain's breaks are reported its rows
// are digested again: a row that no longer matches was changed here, not at the source.
//
// Damage found so is also recorded in the file (cache migration 015): the verdicts stored
// before it no longer speak for the cache, and the Integrity screen, the status line and
// --rebuild must know that after the run that found it has ended.
import type { CacheDb } from '../cache/open.js';
import type { CacheDamage } from '../contract/integrity.js';
import { UserError } from '../util/errors.js';
import { REBUILD_HINT } from '../util/storage-errors.js';
import type { CachedChain } from './adapters.js';
import { firstDamagedRowHere, type CacheReaders, type DigestCheckOptions } from './cached-parallel.js';
import type { ChainShape } from './rows.js';

/** A cached row found changed since the sync stored it; `damage` is what gets recorded. */
export class CachedRowDamaged extends UserError {
  constructor(readonly damage: Omit<CacheDamage, 'foundAt'>) {
    super(damage.message, 'E_CACHE_CORRUPT', REBUILD_HINT);
  }
}

/** The error for row `row` ("seq 7", "id …") of a source table, found changed in the cache at `cachePath`. */
export function cachedRowDamaged(cachePath: string, table: string, tenant: string, row: string): CachedRowDamaged {
  return new CachedRowDamaged({
    table,
    tenant,
    row,
    message: `cache ${cachePath} is damaged: row ${row} of ${table} (tenant ${tenant}) no longer matches what the sync stored, so what the cache shows of it says nothing about the source.`,
  });
}

/**
 * Throws CachedRowDamaged (E_CACHE_CORRUPT) when a row of `chain` differs from what the sync stored.
 * `afterSeq`: the rows up to it were found matching by an earlier verdict, and are still
 * those rows with those digests (hashed-rows.ts), so only the rows after it are digested.
 * With `readers` the read workers digest the rows range by range, on every core.
 */
export async function assertCachedAsSynced(db: CacheDb, cachePath: string, chain: CachedChain, shape: ChainShape, opts: DigestCheckOptions & { readers?: CacheReaders | null }): Promise<void> {
  const row = opts.readers ? await opts.readers.firstDamagedRow(db, chain, shape, opts) : firstDamagedRowHere(db, chain, shape, opts.afterSeq);
  if (row !== null) throw cachedRowDamaged(cachePath, chain.name, chain.tenant, row);
}

/** Keeps what a verdict found, unless the same damage is already on record and not cleared. */
export function recordCacheDamage(db: CacheDb, damage: Omit<CacheDamage, 'foundAt'>): void {
  const known = db.prepare('SELECT 1 FROM cache_damage WHERE cleared_by_report IS NULL AND table_name = ? AND tenant_id = ? AND row_ref = ?').get(damage.table, damage.tenant, damage.row);
  if (known) return;
  db.prepare('INSERT INTO cache_damage (found_at, table_name, tenant_id, row_ref, message) VALUES (?, ?, ?, ?, ?)').run(
    new Date().toISOString(),
    damage.table,
    damage.tenant,
    damage.row,
    damage.message,
  );
}

/** Damage on record that no later verdict over the chain's cached rows has cleared, oldest first. */
export function openCacheDamage(db: CacheDb): CacheDamage[] {
  return (
    db.prepare('SELECT table_name, tenant_id, row_ref, found_at, message FROM cache_damage WHERE cleared_by_report IS NULL ORDER BY damage_id').all() as {
      table_name: string;
      tenant_id: string;
      row_ref: string;
      found_at: string;
      message: string;
    }[]
  ).map((d) => ({ table: d.table_name, tenant: d.tenant_id, row: d.row_ref, foundAt: d.found_at, message: d.message }));
}

/**
 * A verdict that read `table`/`tenant`'s cached rows and found no row changed since the
 * sync stored it (the file was restored, or the row put back) clears what was on record.
 */
export function clearCacheDamage(db: CacheDb, reportId: number, table: string, tenant: string): void {
  db.prepare('UPDATE cache_damage SET cleared_by_report = ? WHERE cleared_by_report IS NULL AND table_name = ? AND tenant_id = ?').run(reportId, table, tenant);
}
