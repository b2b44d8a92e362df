// A rebuild starts a new cache from the source as it is now. The signed checkpoints are
// what shows a history rewritten since an earlier visit (a bare hash chain re-chained
// from the rewritten row reads intact), so a rebuild that dropped them would turn
// "rewritten" into "intact": anyone able to flip one byte of the cache file could erase
// that evidence by making the auditor rebuild. The checkpoints of the damaged file are
// carried into the new one, each only if it was signed by the auditor key and its signature
// still verifies over what its row says (verifyCheckpointSignature): damage that touched a
// checkpoint, or a head someone signed with a key of their own, is not carried.
import Database from 'better-sqlite3';
import { moveAsideIfDamaged, openCache, type CacheDb } from '../cache/open.js';
import { listCheckpoints, storeCheckpoint } from './checkpoints.js';

export interface CarriedCheckpoints {
  /** the file the damaged cache was moved to */
  aside: string;
  carried: number;
  /** unsigned, signed by another key, or no longer verifying: not carried */
  leftBehind: number;
  /** why the damaged file's checkpoints could not be read at all, when they could not */
  unreadable: string | null;
}

export function carryOverCheckpoints(aside: string, db: CacheDb, auditorKey: string | null): CarriedCheckpoints {
  let found;
  try {
    const old = new Database(aside, { readonly: true, fileMustExist: true });
    try {
      found = listCheckpoints(old, { limit: 1_000_000 }, auditorKey);
    } finally {
      old.close();
    }
  } catch (e) {
    return { aside, carried: 0, leftBehind: 0, unreadable: (e as Error).message };
  }
  const sound = found.filter((c) => c.signatureStatus === 'valid');
  db.transaction(() => {
    for (const c of sound) storeCheckpoint(db, c);
  })();
  return { aside, carried: sound.length, leftBehind: found.length - sound.length, unreadable: null };
}

/** What a rebuild tells the auditor: where the old file is, and what the new cache took from it. */
export function rebuiltMessage(r: CarriedCheckpoints): string {
  const kept = r.unreadable
    ? `Its checkpoints could not be read (${r.unreadable}): a history rewritten since them is not found by this cache; compare with a package or anchor saved earlier (--previous, --checkpoint).`
    : `${r.carried} signed checkpoint(s) carried into the new cache, so a history rewritten since them is still found${r.leftBehind ? `; ${r.leftBehind} left behind (unsigned, signed by another key, or their signature no longer verifies)` : ''}.`;
  return `the damaged cache was moved aside to ${r.aside} (kept for inspection, with the review decisions, journal and drift findings it holds). ${kept}`;
}

/**
 * --rebuild: a cache that cannot be used as it is goes aside (cache/open.ts, moveAsideIfDamaged),
 * a new one is opened in its place and takes the old one's sound checkpoints. A sound cache is
 * opened as it is (`carried` null).
 */
export function openRebuilt(path: string, auditorKey: string | null): { db: CacheDb; carried: CarriedCheckpoints | null } {
  const aside = moveAsideIfDamaged(path);
  const db = openCache(path);
  try {
    return { db, carried: aside ? carryOverCheckpoints(aside, db, auditorKey) : null };
  } catch (e) {
    db.close();
    throw e;
  }
}
