// A break found in the cache is evidence about the tenant only if the cached rows are
// still what the sync stored. SQLite keeps no page checksums: a flipped byte inside a
// row passes quick_check, and the chain then reads "modified", blaming the tenant for
// damage to the local file. Every cached row carries the digest of its values taken at
// sync time (chain/digest.ts), so before a cached chain's breaks are reported its rows
// are digested again: a row that no longer matches was changed here, not at the source.
import type { CacheDb } from '../cache/open.js';
import { rowDigest } from '../chain/digest.js';
import { cachedRows } from '../sync/index.js';
import { UserError } from '../util/errors.js';
import type { CachedChain } from './adapters.js';

/**
 * Throws E_CACHE_CORRUPT when a row of `chain` differs from what the sync stored.
 * `afterSeq`: the rows up to it were found matching by an earlier verdict, and are still
 * those rows with those digests (hashed-rows.ts), so only the rows after it are digested.
 */
export function assertCachedAsSynced(db: CacheDb, cachePath: string, chain: CachedChain, afterSeq?: bigint): void {
  for (const r of cachedRows(db, 'events', chain.tableId, chain.tenant, chain.columns, { afterSeq })) {
    if (rowDigest(chain.columns, r.values) === r.digest) continue;
    const where = r.seq !== null ? `seq ${r.seq}` : `id ${r.key}`;
    throw new UserError(
      `cache ${cachePath} is damaged: row ${where} of ${chain.name} (tenant ${chain.tenant}) no longer matches what the sync stored, so its breaks say nothing about the source.`,
      'E_CACHE_CORRUPT',
      'Pass --rebuild to move the cache aside and sync again (the damaged file is kept for inspection).',
    );
  }
}
