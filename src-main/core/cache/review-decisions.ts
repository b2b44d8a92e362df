// The ids of exceptions-queue items and the latest signed decision on one
// (review_decisions, migration 011). Kept below sync and verify: a drift finding's
// status in every verification report and package is the queue's signed decision,
// and those layers must not reach up into the review core that derives the queue.
import { createHash } from 'node:crypto';
import { jcs } from '../chain/canonical.js';
import type { CacheDb } from './open.js';

/** `<kind>:<first 16 hex of sha256(JCS([kind, source fingerprint, tenant, table, key]))>` */
export function itemIdOf(kind: string, sourceFingerprint: string, tenant: string, table: string, key: string): string {
  const digest = createHash('sha256')
    .update(jcs([kind, sourceFingerprint, tenant, table, key]), 'utf8')
    .digest('hex');
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

/** The newest signed decision on each item of a kind (a later one supersedes, both stay in the table), by item id: one query for a whole report. */
export function latestDecisions(db: CacheDb, kind: string): Map<string, LatestDecision> {
  const rows = db
    .prepare(
      `SELECT item_id, disposition, signer_name, signed_at FROM review_decisions
        WHERE decision_id IN (SELECT max(decision_id) FROM review_decisions WHERE kind = ? GROUP BY item_id)`,
    )
    .all(kind) as { item_id: string; disposition: string; signer_name: string; signed_at: string }[];
  return new Map(rows.map((r) => [r.item_id, { disposition: r.disposition, signerName: r.signer_name, signedAt: r.signed_at }]));
}
