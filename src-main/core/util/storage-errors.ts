// Failures of the local disk or cache file, in the words every front door uses. SQLite and
// Node report them by code (SQLITE_FULL, ENOSPC, SQLITE_CORRUPT, SQLITE_BUSY); an auditor
// needs to hear what happened, that committed work is safe, and what to do.
import { UserError } from './errors.js';

/**
 * The way out of a damaged cache, in the words of both front doors that can take it: the
 * CLI's flag and the app's button (Integrity) do the same thing (cache/open.ts).
 */
export const REBUILD_HINT =
  'Rebuild the cache (`auditdesk sync --rebuild`, or "Rebuild the cache" on the Integrity screen): the damaged file is moved aside and kept for inspection, and a new one is synced.';

/** A UserError for a known storage failure, or null for anything else. `path`: the file being written, when known. */
export function storageFailure(e: unknown, path?: string): UserError | null {
  const code = (e as { code?: unknown } | null)?.code;
  // SQLite reports a full disk (ENOSPC underneath) as SQLITE_FULL; Node's own file writes as ENOSPC.
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    const where = path ? `the disk holding ${path}` : 'the disk';
    return new UserError(
      `${where} is full: the last batch was not written (${(e as Error).message}). Everything committed before it is intact.`,
      'E_DISK_FULL',
      'Free some space there (or move the file to a larger disk), then run the same command again: a sync continues after the last committed batch.',
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new UserError(`the local cache is damaged (${(e as Error).message}).`, 'E_CACHE_CORRUPT', REBUILD_HINT);
  }
  if (code === 'SQLITE_BUSY') {
    // Another connection (the sync worker building indexes) holds the write lock past the busy timeout.
    return new UserError('the local cache is busy: a sync is writing to it.', 'E_CACHE_BUSY', 'Try again in a few seconds, or when the sync has finished.');
  }
  return null;
}
