// One call per auditor action, where it happens (CLI and app paths alike): each
// records what a later reader needs to know the action by, never a secret.
import type { CacheDb } from '../cache/open.js';
import type { SyncResult } from '../contract/sync.js';
import type { VerifyReport } from '../verify/report.js';
import { appendJournal } from './journal.js';

export function journalEngagementOpened(db: CacheDb, engagement: { name: string; dir: string }): void {
  appendJournal(db, 'engagement_opened', { engagement: engagement.name, dir: engagement.dir });
}

/** A finished sync with the seal of each table it sealed. */
export function journalSync(db: CacheDb, s: SyncResult): void {
  appendJournal(db, 'sync', {
    syncId: s.syncId,
    source: s.source,
    sourceFingerprint: s.fingerprint,
    tenants: s.tenants,
    rows: s.rowsFetched,
    changed: s.rowsChanged,
    deleted: s.rowsDeleted,
    seals: s.tables.length,
    sealed: s.tables.map((t) => ({ table: t.table, tenant: t.tenant, rows: t.seal.rowCount, merkleRoot: t.seal.merkleRoot, headSeq: t.seal.headSeq, headHash: t.seal.headHash })),
  });
}

/** A stored verification: its verdict and the checkpoints it recorded. */
export function journalVerification(db: CacheDb, r: VerifyReport, reportId: number): void {
  appendJournal(db, 'verification', {
    reportId,
    checkedAt: r.checkedAt,
    target: r.target,
    sourceFingerprint: r.source?.fingerprint ?? null,
    verdict: r.verdict,
    chains: r.tenants.length,
    breaks: r.tenants.reduce((n, t) => n + t.breaks.length + t.breaksOmitted, 0),
    checkpoints: r.checkpointsRecorded.map((c) => ({ checkpointId: c.checkpointId, table: c.table, tenant: c.tenant, lastSeq: c.lastSeq, headHash: c.headHash, keyId: c.keyId })),
  });
}

export function journalAnchor(db: CacheDb, a: { label: string; table: string; tenant: string; lastSeq: string; headHash: string }): void {
  appendJournal(db, 'anchor_recorded', a);
}

export function journalExport(db: CacheDb, e: { packageId: string; manifestHash: string; out: string; tenant: string }): void {
  appendJournal(db, 'export', e);
}
