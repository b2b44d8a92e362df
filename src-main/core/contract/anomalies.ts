// Contract for anomaly review and model/config findings. Reviews are the auditor's
// decisions: stored in the local cache (append-only), never written to the source.
import { z } from 'zod';
import { method } from './define.js';
import { recordFilterSchema } from './record-filter.js';
import type { RecordFilterInput, RecordSummary } from './records.js';

export type ReviewDecision = 'confirmed' | 'false_positive';

export interface Review {
  reviewId: number;
  tenant: string;
  anomalyKey: string;
  decision: ReviewDecision;
  note: string;
  reviewer: string;
  /** the meaning of the signature, e.g. "Reviewed and confirmed as a security incident" */
  meaning: string;
  /** UTC ISO-8601 */
  reviewedAt: string;
}

export interface AnomalySummary {
  /** the anomaly's id at the source; with tenant, the key reviews refer to */
  anomalyKey: string;
  tenant: string;
  /** 0..1; null when the source value is not a number */
  score: number | null;
  /** the score exactly as the source printed it */
  scoreText: string | null;
  detectedAt: string | null;
  detector: string | null;
  modelVersion: string | null;
  /** pretty-printed features JSON (render as text) */
  features: string | null;
  auditEventId: string | null;
  /** the related event in the cache; null when it is not cached (e.g. deleted at the source) */
  event: RecordSummary | null;
  latestReview: Review | null;
  reviewCount: number;
}

export interface AnomalyList {
  anomalies: AnomalySummary[];
  /** anomalies at or above the threshold (before includeReviewed/limit) */
  total: number;
  unreviewed: number;
}

export interface AnomalyContext {
  anomaly: AnomalySummary;
  /** the related event (also in anomaly.event) */
  event: RecordSummary | null;
  /** same tenant, nearest in time before the event, oldest first */
  before: RecordSummary[];
  /** same tenant, nearest in time after the event, oldest first */
  after: RecordSummary[];
}

export type FindingKind = 'high_temperature' | 'relaxed_safety' | 'secret_in_config' | 'unapproved_model_version';

export interface Finding {
  kind: FindingKind;
  severity: 'high' | 'medium' | 'low';
  tenant: string;
  /** one line for the UI / PDF, e.g. "temperature 1.4 on agent support-bot (openai gpt-4o)" */
  title: string;
  agentId: string | null;
  modelProvider: string | null;
  modelName: string | null;
  modelVersion: string | null;
  deploymentId: string | null;
  /** conversation calls that show this finding */
  count: number;
  firstTs: string | null;
  lastTs: string | null;
  /** up to 5 rids to open in the event drawer */
  sampleRids: number[];
  /** a timeline filter that shows this finding's calls (for a secret in model_config, the calls of that agent and model) */
  related: RecordFilterInput;
  /** for secret_in_config: the matched text with the secret REDACTED, never the secret */
  excerpt: string | null;
}

const tenant = z.string().min(1).max(500);
const anomalyKey = z.string().min(1).max(500);

export const anomaliesContract = {
  /** Anomalies sorted by score (highest first) at or above `threshold`. */
  'anomalies.list': method<AnomalyList>('read')(
    z
      .object({
        tenant: tenant.optional(),
        threshold: z.number().min(0).max(1).default(0.7),
        includeReviewed: z.boolean().default(true),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
  ),
  /** The related event and its neighbours in time (same tenant, ±window records). */
  'anomalies.context': method<AnomalyContext>('read')(z.object({ tenant, anomalyKey, window: z.number().int().min(0).max(100).default(5) }).strict()),
  /** Records a decision. Append-only: a later decision adds a row; the latest one counts. */
  'anomalies.review': method<Review>()(
    z
      .object({
        tenant,
        anomalyKey,
        decision: z.enum(['confirmed', 'false_positive']),
        note: z.string().trim().min(1, 'a review needs a note').max(10_000),
        reviewer: z.string().trim().min(1, 'a review needs the reviewer name').max(200),
        meaning: z.string().trim().min(1, 'a review needs the meaning of the signature').max(500),
      })
      .strict(),
  ),
  /** Every review row (history included), oldest first: for the export and the audit trail. */
  'anomalies.reviews': method<Review[]>('read')(z.object({ tenant: tenant.optional(), anomalyKey: anomalyKey.optional() }).strict()),
  /** Model/config findings: temperature > 0.8, relaxed safety, secrets in model_config, unapproved versions. */
  'anomalies.findings': method<Finding[]>('heavy-read')(
    z
      .object({
        tenant,
        filter: recordFilterSchema.optional(),
        /** "provider/model" → approved versions; models not listed fall back to minShare */
        approvedVersions: z.record(z.string().max(500), z.array(z.string().max(200)).max(200)).optional(),
        /** a version seen in fewer than this share of its model's calls is "unapproved" */
        minShare: z.number().min(0).max(1).default(0.05),
      })
      .strict(),
  ),
};
