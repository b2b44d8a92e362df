// Anomaly list, context and the auditor's review decisions. Decisions live in the
// cache's `reviews` table (never in the source), append-only: a changed mind adds a
// row and the latest row is the current decision, so the history stays evidence.
import type { CacheDb } from '../cache/open.js';
import type { AnomalyContext, AnomalyList, AnomalySummary, Review, ReviewDecision } from '../contract/anomalies.js';
import type { RecordSummary } from '../contract/records.js';
import { SUMMARY_COLUMNS, stmt, toSummary, type SummaryRow } from '../records/sql.js';
import { prettyJson } from '../records/detail.js';
import { UserError } from '../util/errors.js';

interface AnomalyRow {
  source_key: string;
  tenant_id: string;
  anomaly_score: number | null;
  score_text: string | null;
  detected_at: string | null;
  detector: string | null;
  model_version: string | null;
  features: string | null;
  audit_event_id: string | null;
}

interface ReviewRow {
  review_id: number;
  tenant_id: string;
  anomaly_key: string;
  decision: ReviewDecision;
  note: string;
  reviewer: string;
  meaning: string;
  reviewed_at: string;
}

const ANOMALY_COLUMNS = 'a.source_key, a.tenant_id, a.anomaly_score, a.score_text, a.detected_at, a.detector, a.model_version, a.features, a.audit_event_id';

export interface ListInput {
  tenant?: string | undefined;
  threshold: number;
  includeReviewed: boolean;
  limit: number;
}

export function listAnomalies(db: CacheDb, input: ListInput): AnomalyList {
  const rows = stmt(
    db,
    `SELECT ${ANOMALY_COLUMNS} FROM anomalies a
      WHERE (@tenant IS NULL OR a.tenant_id = @tenant) AND a.anomaly_score >= @threshold
      ORDER BY a.anomaly_score DESC, a.detected_at DESC, a.source_key`,
  ).all({ tenant: input.tenant ?? null, threshold: input.threshold }) as AnomalyRow[];
  const out: AnomalySummary[] = [];
  let unreviewed = 0;
  for (const row of rows) {
    const reviews = reviewState(db, row.tenant_id, row.source_key);
    if (!reviews.latest) unreviewed++;
    if (!input.includeReviewed && reviews.latest) continue;
    if (out.length < input.limit) out.push(toAnomaly(db, row, reviews));
  }
  return { anomalies: out, total: rows.length, unreviewed };
}

export function anomalyContext(db: CacheDb, tenant: string, anomalyKey: string, window: number): AnomalyContext {
  const row = findAnomaly(db, tenant, anomalyKey);
  const anomaly = toAnomaly(db, row, reviewState(db, tenant, anomalyKey));
  const event = anomaly.event;
  if (!event || window === 0) return { anomaly, event, before: [], after: [] };
  // Neighbours in the tenant's timeline (events and conversations), ordered like the timeline.
  const byTime = event.ts !== null;
  const before = (
    stmt(
      db,
      byTime
        ? `SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.tenant_id = ? AND (r.ts < ? OR (r.ts = ? AND r.rid < ?))
            ORDER BY r.ts DESC, r.rid DESC LIMIT ?`
        : `SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.tenant_id = ? AND r.rid < ? ORDER BY r.rid DESC LIMIT ?`,
    ).all(...(byTime ? [tenant, event.ts, event.ts, event.rid, window] : [tenant, event.rid, window])) as SummaryRow[]
  )
    .reverse()
    .map((r) => toSummary(r));
  const after = (
    stmt(
      db,
      byTime
        ? `SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.tenant_id = ? AND (r.ts > ? OR (r.ts = ? AND r.rid > ?))
            ORDER BY r.ts ASC, r.rid ASC LIMIT ?`
        : `SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.tenant_id = ? AND r.rid > ? ORDER BY r.rid ASC LIMIT ?`,
    ).all(...(byTime ? [tenant, event.ts, event.ts, event.rid, window] : [tenant, event.rid, window])) as SummaryRow[]
  ).map((r) => toSummary(r));
  return { anomaly, event, before, after };
}

export interface ReviewInput {
  tenant: string;
  anomalyKey: string;
  decision: ReviewDecision;
  note: string;
  reviewer: string;
  meaning: string;
}

export function reviewAnomaly(db: CacheDb, input: ReviewInput, now: Date = new Date()): Review {
  const note = input.note.trim();
  const reviewer = input.reviewer.trim();
  const meaning = input.meaning.trim();
  if (!note) throw new UserError('a review needs a note.', 'E_INPUT', 'Say why you confirmed or dismissed the anomaly.');
  if (!reviewer) throw new UserError('a review needs the reviewer name.', 'E_INPUT', 'Enter your name as it should appear in the export.');
  if (!meaning) throw new UserError('a review needs the meaning of the signature.', 'E_INPUT', 'e.g. "Reviewed and confirmed as a security incident".');
  findAnomaly(db, input.tenant, input.anomalyKey);
  const reviewedAt = now.toISOString();
  const reviewId = db.transaction(() =>
    Number(
      stmt(
        db,
        `INSERT INTO reviews (anomaly_key, tenant_id, decision, note, reviewer, meaning, reviewed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(input.anomalyKey, input.tenant, input.decision, note, reviewer, meaning, reviewedAt).lastInsertRowid,
    ),
  )();
  return {
    reviewId,
    tenant: input.tenant,
    anomalyKey: input.anomalyKey,
    decision: input.decision,
    note,
    reviewer,
    meaning,
    reviewedAt,
  };
}

/** Every review row, oldest first (history included): what the export carries. */
export function listReviews(db: CacheDb, tenant?: string, anomalyKey?: string): Review[] {
  const rows = stmt(db, `SELECT * FROM reviews WHERE (@tenant IS NULL OR tenant_id = @tenant) AND (@key IS NULL OR anomaly_key = @key) ORDER BY review_id`).all({
    tenant: tenant ?? null,
    key: anomalyKey ?? null,
  }) as ReviewRow[];
  return rows.map(toReview);
}

/** The cached event an anomaly points at (events tables only), or null. */
export function eventForAnomaly(db: CacheDb, tenant: string, auditEventId: string | null): RecordSummary | null {
  if (auditEventId === null) return null;
  const row = stmt(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM records r
      WHERE r.table_id IN (SELECT table_id FROM source_tables WHERE kind = 'events')
        AND r.tenant_id = ? AND r.source_key = ? LIMIT 1`,
  ).get(tenant, auditEventId) as SummaryRow | undefined;
  return row ? toSummary(row) : null;
}

function findAnomaly(db: CacheDb, tenant: string, anomalyKey: string): AnomalyRow {
  const row = stmt(db, `SELECT ${ANOMALY_COLUMNS} FROM anomalies a WHERE a.tenant_id = ? AND a.source_key = ? LIMIT 1`).get(tenant, anomalyKey) as AnomalyRow | undefined;
  if (!row) {
    throw new UserError(`anomaly ${anomalyKey.slice(0, 80)} of tenant ${tenant.slice(0, 80)} is not in the cache.`, 'E_NOT_FOUND', 'Sync the tenant again, then reopen the anomaly list.');
  }
  return row;
}

function reviewState(db: CacheDb, tenant: string, anomalyKey: string): { latest: Review | null; count: number } {
  const latest = stmt(db, 'SELECT * FROM reviews WHERE tenant_id = ? AND anomaly_key = ? ORDER BY review_id DESC LIMIT 1').get(tenant, anomalyKey) as ReviewRow | undefined;
  if (!latest) return { latest: null, count: 0 };
  const { n } = stmt(db, 'SELECT count(*) AS n FROM reviews WHERE tenant_id = ? AND anomaly_key = ?').get(tenant, anomalyKey) as {
    n: number;
  };
  return { latest: toReview(latest), count: n };
}

function toAnomaly(db: CacheDb, row: AnomalyRow, reviews: { latest: Review | null; count: number }): AnomalySummary {
  return {
    anomalyKey: row.source_key,
    tenant: row.tenant_id,
    score: row.anomaly_score,
    scoreText: row.score_text,
    detectedAt: row.detected_at,
    detector: row.detector,
    modelVersion: row.model_version,
    features: prettyJson(row.features),
    auditEventId: row.audit_event_id,
    event: eventForAnomaly(db, row.tenant_id, row.audit_event_id),
    latestReview: reviews.latest,
    reviewCount: reviews.count,
  };
}

function toReview(r: ReviewRow): Review {
  return {
    reviewId: r.review_id,
    tenant: r.tenant_id,
    anomalyKey: r.anomaly_key,
    decision: r.decision,
    note: r.note,
    reviewer: r.reviewer,
    meaning: r.meaning,
    reviewedAt: r.reviewed_at,
  };
}
