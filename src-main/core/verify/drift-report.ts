// Drift findings in a verification report (issue 19). A row that changed at the
// source after it was first cached stays a finding in every later run, whatever the
// latest seal says: the re-seal after the change committed to the changed rows, so
// comparing with it alone would call the table intact. Kept apart from run.ts and
// report.ts so the chain and seal checks stay as they were.
import type { CacheDb } from '../cache/open.js';
import { driftSentence, listDriftFindings, type DriftChange, type DriftFinding } from '../sync/index.js';
import type { ChainReportJson } from './report.js';
import { MAX_DRIFT_LISTED, type DriftReportJson } from './drift-words.js';
export type { DriftFindingJson, DriftReportJson } from './drift-words.js';
import type { SealReport } from './seal-compare.js';

const CHANGE_WORDS: Record<DriftChange, string> = {
  modified: 'was modified at the source',
  deleted: 'was deleted at the source (the cached copy is kept)',
  added: 'appeared at the source behind the sync watermark (inserted late or back-dated)',
};

/** A deleted row whose finding a rebuild carried over: the rebuilt cache never held its copy. */
const DELETED_CARRIED = 'was deleted at the source (its last cached version is in the finding)';

export function explainDrift(f: DriftFinding): string {
  const decided = f.status === 'decided' ? ` Decided: ${f.decision ?? '-'}${f.decidedBy ? ` by ${f.decidedBy}` : ''}${f.decidedAt ? ` at ${f.decidedAt}` : ''}.` : ' Not decided yet.';
  const digests = [f.earlierDigest && `earlier digest ${f.earlierDigest.slice(0, 16)}…`, f.laterDigest && `later digest ${f.laterDigest.slice(0, 16)}…`].filter(Boolean).join(', ');
  const change = f.carriedFrom && f.change === 'deleted' ? DELETED_CARRIED : CHANGE_WORDS[f.change];
  const detected = f.carriedFrom
    ? `first detected ${f.detectedAt}; carried over from the cache set aside at the rebuild of ${f.carriedFrom.at} (${f.carriedFrom.file}), where sync #${f.detectedSyncId} recorded it`
    : `first detected ${f.detectedAt} by sync #${f.detectedSyncId}`;
  return `${f.table} (tenant ${f.tenant}) row ${f.key} ${change} after it was first cached; ${detected} (${digests}).${decided}`;
}

/** The drift section of a report over the cache's findings for these tenants (all when none named). */
export function driftReport(db: CacheDb, tenants: readonly string[] | undefined): { json: DriftReportJson; findings: DriftFinding[] } {
  const findings = listDriftFindings(db, { tenants });
  return {
    findings,
    json: {
      count: findings.length,
      open: findings.filter((f) => f.status === 'open').length,
      findings: findings.slice(0, MAX_DRIFT_LISTED).map((f) => ({
        findingId: f.findingId,
        table: f.table,
        tenant: f.tenant,
        key: f.key,
        change: f.change,
        detectedAt: f.detectedAt,
        detectedSyncId: f.detectedSyncId,
        earlierDigest: f.earlierDigest,
        laterDigest: f.laterDigest,
        status: f.status,
        decision: f.decision,
        carriedFrom: f.carriedFrom,
        explanation: explainDrift(f),
      })),
      findingsOmitted: Math.max(0, findings.length - MAX_DRIFT_LISTED),
    },
  };
}

const driftOf = (findings: readonly DriftFinding[], table: string, tenant: string) => findings.filter((f) => f.table === table && f.tenant === tenant).length;

/**
 * A chain or sealed table with drift findings is not called intact, even when its
 * rows match the latest seal or link up: that seal was taken after the change.
 */
export function markDrift(findings: readonly DriftFinding[], tenants: (ChainReportJson & { verdict?: string })[], seals: SealReport[]): void {
  for (const t of tenants) {
    const n = driftOf(findings, t.table, t.tenant);
    t.driftFindings = n;
    if (!n) continue;
    t.intact = false;
    if (t.verdict !== undefined) t.verdict = 'broken';
  }
  for (const s of seals) {
    const n = driftOf(findings, s.table, s.tenant);
    s.driftFindings = n;
    if (!n) continue;
    s.intact = false;
    s.explanation = `${s.explanation.replace(/ still holds exactly what /, ' holds what ')} But ${driftSentence(n)} (drift findings below); the seal was compared with the rows as they are now.`;
  }
}
