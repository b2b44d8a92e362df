// The ids of exceptions-queue items and the latest signed decision on one
// (review_decisions, migration 011). Kept below sync and verify: a drift finding's
// status in every verification report and package is the queue's signed decision,
// and those layers must not reach up into the review core that derives the queue.
import { createHash } from 'node:crypto';
import { jcs } from '../chain/canonical.js';
import type { CacheDb } from './open.js';

/** `<kind>:<first 16 hex of sha256(JCS([kind, source fingerprint, tenant, table, key]))>` */
export function itemIdOf(kind: string, sourceFingerprint: string, tenant: string, table: string, key: string): string {
  const digest = createHash('sha256').update(jcs([kind, sourceFingerprint, tenant, table, key]), 'utf8').digest('hex');
  return `${kind}:${digest.slice(0, 16)}`;
}

/** A drift finding's key within its table: the row and both digests, so a later change of the same row is another item. */
export function driftItemKey(f: { sourceKey: string; change: string; earlierDigest: string | null; laterDigest: string | null }): string {
  return `${f.sourceKey}/${f.change}/${f.earlierDigest ?? ''}/${f.laterDigest ?? ''}`;
}

export interface LatestDecision {
  disposition: string;
  signerName: string;
  signedAt: string;
}

/** The newest signed decision on the item (a later one supersedes, both stay in the table), or null. */
export function latestDecision(db: CacheDb, itemId: string): LatestDecision | null {
  const row = db.prepare('SELECT disposition, signer_name, signed_at FROM review_decisions WHERE item_id = ? ORDER BY decision_id DESC LIMIT 1').get(itemId) as
    | { disposition: string; signer_name: string; signed_at: string }
    | undefined;
  return row ? { disposition: row.disposition, signerName: row.signer_name, signedAt: row.signed_at } : null;
}
