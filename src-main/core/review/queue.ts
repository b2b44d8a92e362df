// The exceptions queue, derived from what the cache holds each time it is read:
// nothing is copied into a queue table, so an item cannot be missing because a copy
// was not refreshed. Sources: the latest verification of each chain (each break, an
// EMPTY verdict, breaks beyond the listed ones), drift findings, anomalies at or above
// the threshold, model/config findings and the latest controls run's failures.
// Item ids and evidence hashes are specified in docs/review.md.
import type { CacheDb } from '../cache/open.js';
import { jcs } from '../chain/canonical.js';
import { driftItemKey, itemIdOf as cacheItemIdOf } from '../cache/review-decisions.js';
import { findings } from '../anomalies/findings.js';
import { chainsVerifiedElsewhere, latestResults } from '../verify/store.js';
import { latestControlsRun } from './controls-store.js';
import { openCacheDamage } from '../verify/cache-damage.js';
import { evidenceHashOf } from '../journal/signing.js';
import {
  EXCEPTION_KINDS,
  type DecisionView,
  type ExceptionCoverage,
  type ExceptionItem,
  type ExceptionKind,
  type ExceptionQueue,
  type ReviewCompletion,
  type UnsignedReviewView,
} from '../contract/review.js';

export interface QueueOptions {
  tenant?: string | undefined;
  kind?: ExceptionKind | undefined;
  status?: 'open' | 'decided' | 'all' | undefined;
  anomalyThreshold?: number | undefined;
  /** the reading workstation's auditor key id, to name the chains whose verdicts another key's run gave (ExceptionQueue.verifiedElsewhere) */
  auditorKeyId?: string | null | undefined;
}

export const DEFAULT_ANOMALY_THRESHOLD = 0.7;
const MAX_RIDS = 20;

/** An item before its decisions are joined: what the evidence is and where it came from. */
interface Derived {
  kind: ExceptionKind;
  tenant: string;
  /** the parts that name the item: source fingerprint, table and key (docs/review.md) */
  idParts: [source: string, table: string, key: string];
  title: string;
  /** label → value, in reading order; hashed as {kind, tenant, evidence} */
  evidence: Record<string, string>;
  rids: number[];
  source: string;
}

/** The kind an item id names (its prefix), or undefined for an id of no known kind. */
export function kindOfItemId(itemId: string): ExceptionKind | undefined {
  return EXCEPTION_KINDS.find((k) => itemId.startsWith(`${k}:`));
}

/** The item with this id as the cache holds it now (only its kind is derived), or undefined. */
export function findItem(db: CacheDb, itemId: string, anomalyThreshold?: number): ExceptionItem | undefined {
  const kind = kindOfItemId(itemId);
  return kind ? deriveItems(db, { anomalyThreshold, onlyKinds: [kind] }).find((i) => i.itemId === itemId) : undefined;
}

export function itemIdOf(kind: ExceptionKind, sourceFingerprint: string, tenant: string, table: string, key: string): string {
  return cacheItemIdOf(kind, sourceFingerprint, tenant, table, key);
}

const text = (v: unknown): string =>
  v === null || v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);

function ridsWhere(db: CacheDb, table: string, tenant: string, where: string, ...params: unknown[]): number[] {
  return db
    .prepare(
      `SELECT r.rid FROM records r JOIN source_tables t ON t.table_id = r.table_id
        WHERE t.table_name = ? AND r.tenant_id = ? AND (${where}) ORDER BY r.rid LIMIT ${MAX_RIDS}`,
    )
    .pluck()
    .all(table, tenant, ...params) as number[];
}

function sourceOfReport(db: CacheDb, reportId: number, table: string): { fingerprint: string; label: string } {
  const row = db.prepare(`SELECT s.fingerprint, s.label FROM verify_reports v LEFT JOIN sources s ON s.fingerprint = v.source_fingerprint WHERE v.report_id = ?`).get(reportId) as
    { fingerprint: string | null; label: string | null } | undefined;
  if (row?.fingerprint) return { fingerprint: row.fingerprint, label: row.label ?? row.fingerprint.slice(0, 12) };
  // A verification of the cache alone names no source: the table's source does.
  const bySource = db.prepare('SELECT s.fingerprint, s.label FROM source_tables t JOIN sources s ON s.source_id = t.source_id WHERE t.table_name = ? ORDER BY t.table_id LIMIT 1').get(table) as
    { fingerprint: string; label: string } | undefined;
  return bySource ?? { fingerprint: '', label: 'the cache' };
}

function chainItems(db: CacheDb, tenant: string | undefined): Derived[] {
  const out: Derived[] = [];
  for (const c of latestResults(db, null, tenant).chains) {
    const src = sourceOfReport(db, c.reportId, c.table);
    const source = `verification of ${c.checkedAt} (${src.label}${src.fingerprint ? ` · ${src.fingerprint.slice(0, 12)}…` : ''})`;
    if (c.verdict === 'empty' || c.rows === 0) {
      out.push({
        kind: 'chain_empty',
        tenant: c.tenant,
        idParts: [src.fingerprint, c.table, ''],
        title: `The chain of ${c.table} for tenant ${c.tenant} showed no rows: nothing of it could be verified.`,
        evidence: { Table: c.table, Tenant: c.tenant, 'Visible rows': '0', Explanation: c.verdictExplanation ?? 'no rows visible' },
        rids: [],
        source,
      });
      continue;
    }
    for (const b of c.breaks) {
      const where = b.seq !== null ? `seq ${b.seq}` : b.id !== null ? `row ${b.id}` : 'a row without seq';
      out.push({
        kind: 'chain_break',
        tenant: c.tenant,
        idParts: [src.fingerprint, c.table, `${b.kind}@${b.seq ?? ''}/${b.id ?? ''}`],
        title: `Chain break (${b.kind}) at ${where} of ${c.table}, tenant ${c.tenant}.`,
        evidence: {
          Table: c.table,
          Tenant: c.tenant,
          Break: b.kind,
          Seq: text(b.seq),
          'Row id': text(b.id),
          Expected: text(b.expected),
          Found: text(b.found),
          'Row time': text(b.time),
          Explanation: b.explanation,
        },
        rids: b.seq !== null || b.id !== null ? ridsWhere(db, c.table, c.tenant, 'r.seq = ? OR r.source_key = ?', b.seq === null ? null : BigInt(b.seq), b.id) : [],
        source,
      });
    }
    // Breaks beyond the report's list are exceptions too: one item says how many, so
    // the coverage never counts fewer exceptions than the verification found.
    if (c.breaksOmitted > 0) {
      out.push({
        kind: 'chain_break',
        tenant: c.tenant,
        idParts: [src.fingerprint, c.table, 'omitted'],
        title: `${c.breaksOmitted} further chain breaks of ${c.table}, tenant ${c.tenant}, beyond those listed.`,
        evidence: { Table: c.table, Tenant: c.tenant, 'Breaks not listed': String(c.breaksOmitted), 'Listed breaks': String(c.breaks.length) },
        rids: [],
        source,
      });
    }
  }
  return out;
}

function driftItems(db: CacheDb, tenant: string | undefined): Derived[] {
  // Those a rebuild carried over first (recorded before it), then this cache's own. Both give the
  // item the same id and evidence as in the file they were recorded in, so a decision signed there
  // (carried with them) stays on its item; where it came from is in the item's source.
  const rows = db
    .prepare(
      `SELECT * FROM (
       SELECT NULL AS carried_from, NULL AS carried_at, d.finding_id, d.tenant_id, d.source_key, d.change, d.detected_at, d.earlier_digest, d.later_digest,
              t.table_name, s.fingerprint, s.label
         FROM drift_findings d JOIN source_tables t ON t.table_id = d.table_id JOIN sources s ON s.source_id = t.source_id
        WHERE (@tenant IS NULL OR d.tenant_id = @tenant)
       UNION ALL
       SELECT c.carried_from, c.carried_at, c.finding_id, c.tenant_id, c.source_key, c.change, c.detected_at, c.earlier_digest, c.later_digest,
              c.table_name, c.source_fingerprint, coalesce(s.label, 'source')
         FROM drift_findings_carried c LEFT JOIN sources s ON s.fingerprint = c.source_fingerprint
        WHERE (@tenant IS NULL OR c.tenant_id = @tenant)
       ) ORDER BY carried_from IS NULL, finding_id`,
    )
    .all({ tenant: tenant ?? null }) as {
    carried_from: string | null;
    carried_at: string | null;
    finding_id: number;
    tenant_id: string;
    source_key: string;
    change: string;
    detected_at: string;
    earlier_digest: string | null;
    later_digest: string | null;
    table_name: string;
    fingerprint: string;
    label: string;
  }[];
  return rows.map((d) => ({
    kind: 'drift' as const,
    tenant: d.tenant_id,
    idParts: [d.fingerprint, d.table_name, driftItemKey({ sourceKey: d.source_key, change: d.change, earlierDigest: d.earlier_digest, laterDigest: d.later_digest })] as [string, string, string],
    title: `Row ${d.source_key} of ${d.table_name} was ${d.change} at the source after it was cached (tenant ${d.tenant_id}).`,
    evidence: {
      Table: d.table_name,
      Tenant: d.tenant_id,
      'Row id': d.source_key,
      Change: d.change,
      'Detected at': d.detected_at,
      'Earlier digest': text(d.earlier_digest),
      'Later digest': text(d.later_digest),
    },
    rids: ridsWhere(db, d.table_name, d.tenant_id, 'r.source_key = ?', d.source_key),
    source: d.carried_from
      ? `drift finding #${d.finding_id} of ${d.carried_from}, carried over at the rebuild of ${d.carried_at} (${d.label} · ${d.fingerprint.slice(0, 12)}…)`
      : `drift finding #${d.finding_id} (${d.label} · ${d.fingerprint.slice(0, 12)}…)`,
  }));
}

function anomalyItems(db: CacheDb, tenant: string | undefined, threshold: number): Derived[] {
  const rows = db
    .prepare(
      `SELECT a.source_key, a.tenant_id, a.score_text, a.anomaly_score, a.detected_at, a.detector, a.model_version, a.features,
              a.audit_event_id, a.digest, t.table_name, s.fingerprint, s.label
         FROM anomalies a JOIN source_tables t ON t.table_id = a.table_id JOIN sources s ON s.source_id = t.source_id
        WHERE (@tenant IS NULL OR a.tenant_id = @tenant) AND a.anomaly_score >= @threshold
        ORDER BY a.anomaly_score DESC, a.source_key`,
    )
    .all({ tenant: tenant ?? null, threshold }) as {
    source_key: string;
    tenant_id: string;
    score_text: string | null;
    anomaly_score: number;
    detected_at: string | null;
    detector: string | null;
    model_version: string | null;
    features: string | null;
    audit_event_id: string | null;
    digest: string;
    table_name: string;
    fingerprint: string;
    label: string;
  }[];
  return rows.map((a) => {
    const evidence: Record<string, string> = {
      Tenant: a.tenant_id,
      Anomaly: a.source_key,
      Score: a.score_text ?? String(a.anomaly_score),
      Detector: text(a.detector),
      'Detector model version': text(a.model_version),
      'Detected at': text(a.detected_at),
      'Audit event': text(a.audit_event_id),
    };
    // Detector features as readable lines, one per feature, not a JSON blob.
    for (const [k, v] of Object.entries(parseObject(a.features))) evidence[`Feature ${k}`] = text(v);
    evidence['Row digest'] = a.digest;
    const rids = a.audit_event_id
      ? (db
          .prepare(
            `SELECT r.rid FROM records r WHERE r.table_id IN (SELECT table_id FROM source_tables WHERE kind = 'events')
               AND r.tenant_id = ? AND r.source_key = ? LIMIT 1`,
          )
          .pluck()
          .all(a.tenant_id, a.audit_event_id) as number[])
      : [];
    return {
      kind: 'anomaly' as const,
      tenant: a.tenant_id,
      idParts: [a.fingerprint, a.table_name, a.source_key] as [string, string, string],
      title: `Anomaly ${a.source_key} scored ${a.score_text ?? a.anomaly_score} by ${a.detector ?? 'an unnamed detector'} (tenant ${a.tenant_id}).`,
      evidence,
      rids,
      source: `anomalies of ${a.table_name} (${a.label} · ${a.fingerprint.slice(0, 12)}…), threshold ${threshold}`,
    };
  });
}

function parseObject(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { text: json };
  }
}

function modelItems(db: CacheDb, tenant: string | undefined): Derived[] {
  const tenants = tenant !== undefined ? [tenant] : (db.prepare(`SELECT DISTINCT tenant_id FROM records_rollup WHERE kind = 'conversation' ORDER BY tenant_id`).pluck().all() as string[]);
  const src = db.prepare(`SELECT s.fingerprint FROM sources s ORDER BY s.source_id LIMIT 1`).pluck().get() as string | undefined;
  const out: Derived[] = [];
  for (const t of tenants) {
    for (const f of findings(db, t)) {
      out.push({
        kind: 'model_finding',
        tenant: t,
        idParts: [src ?? '', 'conversations', jcs([f.kind, f.agentId, f.modelProvider, f.modelName, f.modelVersion, f.deploymentId, f.title])],
        title: `Model/config finding (${f.kind.replace(/_/g, ' ')}, ${f.severity}): ${f.title}.`,
        evidence: {
          Tenant: t,
          Finding: f.kind,
          Severity: f.severity,
          Agent: text(f.agentId),
          Model: [f.modelProvider, f.modelName].filter(Boolean).join(' ') || '—',
          'Model version': text(f.modelVersion),
          Deployment: text(f.deploymentId),
          Calls: String(f.count),
          'First call': text(f.firstTs),
          'Last call': text(f.lastTs),
          ...(f.excerpt ? { Excerpt: f.excerpt } : {}),
        },
        rids: f.sampleRids.slice(0, MAX_RIDS),
        source: 'model/config findings over the cached conversations',
      });
    }
  }
  return out;
}

function controlItems(db: CacheDb, tenant: string | undefined): Derived[] {
  const run = latestControlsRun(db);
  if (!run) return [];
  const out: Derived[] = [];
  for (const t of run.report.tenants) {
    if (tenant !== undefined && t.tenant !== tenant) continue;
    for (const c of t.controls) {
      if (c.status !== 'fail' && c.status !== 'error') continue;
      const evidence: Record<string, string> = { Tenant: t.tenant, Control: c.id, Status: c.status, Summary: c.summary };
      for (const [k, v] of Object.entries(c.evidence)) evidence[`Evidence ${k}`] = text(v);
      out.push({
        kind: 'control_failure',
        tenant: t.tenant,
        idParts: [run.report.source.fingerprint, '', c.id],
        title: c.status === 'fail' ? `Control ${c.id} failed for tenant ${t.tenant}: ${c.summary}` : `Control ${c.id} could not run for tenant ${t.tenant}: ${c.summary}`,
        evidence,
        rids: [],
        source: `controls run of ${run.report.checkedAt} (${run.report.source.label} · ${run.report.source.fingerprint.slice(0, 12)}…)`,
      });
    }
  }
  return out;
}

interface DecisionRow {
  decision_id: number;
  item_id: string;
  evidence_hash: string;
  disposition: DecisionView['disposition'];
  meaning: DecisionView['signature']['meaning'];
  note: string;
  reference: string | null;
  signer_name: string;
  signer_fingerprint: string;
  signed_at: string;
  supersedes: number | null;
  signature: string;
}

export function toDecisionView(r: DecisionRow): DecisionView {
  return {
    decisionId: r.decision_id,
    itemId: r.item_id,
    disposition: r.disposition,
    note: r.note,
    reference: r.reference,
    evidenceHash: r.evidence_hash,
    supersedes: r.supersedes,
    signature: { signerName: r.signer_name, signerFingerprint: r.signer_fingerprint, signedAt: r.signed_at, meaning: r.meaning, signature: r.signature },
  };
}

/** Every decision on an item, newest first. */
export function decisionsOf(db: CacheDb, itemId: string): DecisionView[] {
  return (db.prepare('SELECT * FROM review_decisions WHERE item_id = ? ORDER BY decision_id DESC').all(itemId) as DecisionRow[]).map(toDecisionView);
}

function unsignedReviews(db: CacheDb, tenant: string, anomalyKey: string): UnsignedReviewView[] {
  return (
    db.prepare('SELECT review_id, decision, note, reviewer, meaning, reviewed_at FROM reviews WHERE tenant_id = ? AND anomaly_key = ? ORDER BY review_id').all(tenant, anomalyKey) as {
      review_id: number;
      decision: string;
      note: string;
      reviewer: string;
      meaning: string;
      reviewed_at: string;
    }[]
  ).map((r) => ({ reviewId: r.review_id, decision: r.decision, note: r.note, reviewer: r.reviewer, meaning: r.meaning, reviewedAt: r.reviewed_at, signed: false as const }));
}

/** Every item of the queue (tenant-scoped when asked), with its decisions, in a stable order. */
export function deriveItems(db: CacheDb, opts: Pick<QueueOptions, 'tenant' | 'anomalyThreshold'> & { onlyKinds?: readonly ExceptionKind[] } = {}): ExceptionItem[] {
  // A decision needs only its own kind derived (the kind is the item id's prefix); the queue needs all.
  const wanted = (...kinds: ExceptionKind[]) => !opts.onlyKinds || kinds.some((k) => opts.onlyKinds!.includes(k));
  const derived = [
    ...(wanted('chain_break', 'chain_empty') ? chainItems(db, opts.tenant) : []),
    ...(wanted('drift') ? driftItems(db, opts.tenant) : []),
    ...(wanted('anomaly') ? anomalyItems(db, opts.tenant, opts.anomalyThreshold ?? DEFAULT_ANOMALY_THRESHOLD) : []),
    ...(wanted('model_finding') ? modelItems(db, opts.tenant) : []),
    ...(wanted('control_failure') ? controlItems(db, opts.tenant) : []),
  ];
  return derived.map((d) => {
    const itemId = itemIdOf(d.kind, d.idParts[0], d.tenant, d.idParts[1], d.idParts[2]);
    const evidenceHash = evidenceHashOf({ kind: d.kind, tenant: d.tenant, evidence: d.evidence });
    const [latest, ...history] = decisionsOf(db, itemId);
    const current = latest ?? null;
    const onEarlier = current !== null && current.evidenceHash !== evidenceHash;
    return {
      itemId,
      kind: d.kind,
      tenant: d.tenant,
      title: d.title,
      evidenceHash,
      evidence: Object.entries(d.evidence).map(([label, value]) => ({ label, value })),
      rids: d.rids,
      status: current && !onEarlier ? 'decided' : 'open',
      decision: current,
      decisionOnEarlierEvidence: onEarlier,
      history,
      unsignedHistory: d.kind === 'anomaly' ? unsignedReviews(db, d.tenant, d.idParts[2]) : [],
      source: d.source,
    };
  });
}

export function coverageOf(items: readonly ExceptionItem[]): ExceptionCoverage {
  const byKind = Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, { total: 0, decided: 0, open: 0 }])) as ExceptionCoverage['byKind'];
  const all = { total: 0, decided: 0, open: 0 };
  for (const i of items) {
    for (const c of [all, byKind[i.kind]]) {
      c.total++;
      c[i.status]++;
    }
  }
  return { ...all, byKind };
}

interface CompletionRow {
  completion_id: number;
  open_items_json: string;
  coverage_json: string;
  note: string;
  signer_name: string;
  signer_fingerprint: string;
  signed_at: string;
  signature: string;
}

export function latestCompletion(db: CacheDb): ReviewCompletion | null {
  const r = db.prepare('SELECT * FROM review_completions ORDER BY completion_id DESC LIMIT 1').get() as CompletionRow | undefined;
  return r ? toCompletionView(r) : null;
}

export function toCompletionView(r: CompletionRow): ReviewCompletion {
  return {
    completionId: r.completion_id,
    openItemIds: JSON.parse(r.open_items_json) as string[],
    coverage: JSON.parse(r.coverage_json) as ExceptionCoverage,
    note: r.note,
    signature: { signerName: r.signer_name, signerFingerprint: r.signer_fingerprint, signedAt: r.signed_at, meaning: 'Review completed', signature: r.signature },
  };
}

/** The queue as review.queue returns it: coverage over the tenant's items, then the kind/status filter. */
export function exceptionQueue(db: CacheDb, opts: QueueOptions = {}): ExceptionQueue {
  const items = deriveItems(db, opts);
  const shown = items.filter((i) => (opts.kind === undefined || i.kind === opts.kind) && (opts.status === undefined || opts.status === 'all' || i.status === opts.status));
  const cacheDamage = openCacheDamage(db).filter((d) => opts.tenant === undefined || d.tenant === opts.tenant);
  const verifiedElsewhere = opts.auditorKeyId === undefined ? [] : chainsVerifiedElsewhere(db, opts.auditorKeyId, opts.tenant);
  return { coverage: coverageOf(items), items: shown, completion: latestCompletion(db), cacheDamage, verifiedElsewhere };
}
