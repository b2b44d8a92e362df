// Contract for the audit-trail review (issue 14): the exceptions queue, signed
// decisions, the review's completion and the reviewer journal. Everything lives in
// the engagement's cache, append-only; nothing is ever written to the source.
//
// Review by exception is only acceptable when the exceptions are complete, so the
// queue is derived from every verdict source the engagement holds (chain breaks,
// EMPTY chains, drift findings, anomalies at or above the threshold, model/config
// findings, control failures), and its coverage is shown above it.
import { z } from 'zod';
import { method } from './define.js';
import type { CacheDamage, NotCheckedHere } from './integrity.js';

export const EXCEPTION_KINDS = ['chain_break', 'chain_empty', 'drift', 'anomaly', 'model_finding', 'control_failure'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const DISPOSITIONS = ['confirmed', 'false_positive', 'accepted_risk', 'escalated'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** The fixed list of signature meanings (Part 11 §11.50(a)(3)); shown wherever a signature is. */
export const SIGNATURE_MEANINGS = ['Reviewed', 'Approved', 'Confirmed as exception', 'Dismissed as false positive', 'Risk accepted', 'Escalated', 'Review completed'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

/** One readable evidence line: label and value as text (never raw JSON for the reader to parse). */
export interface EvidenceField {
  label: string;
  value: string;
}

/** A signature manifestation: who (from the certificate), when (UTC), what it means. */
export interface SignatureView {
  /** printed name from the signing certificate's subject, never typed by hand */
  signerName: string;
  /** SHA-256 fingerprint (hex) of the signing certificate */
  signerFingerprint: string;
  /** UTC ISO-8601 with Z */
  signedAt: string;
  meaning: SignatureMeaning;
  /** base64 signature over the decision's RFC 8785 canonical JSON */
  signature: string;
}

export interface DecisionView {
  decisionId: number;
  itemId: string;
  disposition: Disposition;
  note: string;
  /** e.g. a CAPA or ticket id (confirmed exceptions) */
  reference: string | null;
  /** the item's evidence hash the signature covers: a decision cannot move to another item or version */
  evidenceHash: string;
  signature: SignatureView;
  /** the decision this one supersedes (both stay visible), or null */
  supersedes: number | null;
}

/** A legacy anomaly review: a typed name, no signature (shown as history only). */
export interface UnsignedReviewView {
  reviewId: number;
  decision: string;
  note: string;
  /** the name as typed, not taken from a certificate */
  reviewer: string;
  meaning: string;
  reviewedAt: string;
  signed: false;
}

export interface ExceptionItem {
  /** stable id: derived from kind, source fingerprint, tenant, table and key (documented in docs/review.md) */
  itemId: string;
  kind: ExceptionKind;
  tenant: string;
  /** what it is, in one sentence */
  title: string;
  /** SHA-256 (hex) of the evidence's canonical JSON */
  evidenceHash: string;
  evidence: EvidenceField[];
  /** rids to open in the event drawer (rows the evidence refers to), at most 20 */
  rids: number[];
  /** open also when the latest decision was signed over an earlier version of the evidence */
  status: 'open' | 'decided';
  /** the current decision (latest), or null */
  decision: DecisionView | null;
  /** true when `decision` covers an earlier evidence hash: the item changed since and needs deciding again */
  decisionOnEarlierEvidence: boolean;
  /** earlier decisions this one superseded, newest first */
  history: DecisionView[];
  /**
   * Decisions recorded before signatures existed (the anomalies screen's `reviews`),
   * oldest first: shown as history marked unsigned; they never decide an item.
   */
  unsignedHistory: UnsignedReviewView[];
  /** where the item comes from, e.g. "verification of 2026-12-04T10:00:00Z (source demo · ab12…)" */
  source: string;
}

export interface ExceptionCoverage {
  total: number;
  decided: number;
  open: number;
  byKind: Record<ExceptionKind, { total: number; decided: number; open: number }>;
}

export interface ReviewCompletion {
  completionId: number;
  /** items open at completion: a completion with open items lists them, it never hides them */
  openItemIds: string[];
  coverage: ExceptionCoverage;
  note: string;
  signature: SignatureView;
}

export interface ExceptionQueue {
  coverage: ExceptionCoverage;
  items: ExceptionItem[];
  /** the latest completion record, or null when the review was never completed */
  completion: ReviewCompletion | null;
  /**
   * Damage found in the cache and not cleared (the tenant's, when the queue is scoped): the
   * verdicts the chain items come from no longer speak for it, so the queue may miss a break
   * and the review cannot be completed until the cache is rebuilt or re-verified.
   */
  cacheDamage: CacheDamage[];
  /**
   * Chains whose latest verdict is not a check made on this workstation (another auditor's run,
   * an engagement received from them; or a record no auditor key signed): the chain items come
   * from it, and the review cannot be completed until the cache is verified here
   * (E_NOT_VERIFIED_HERE). Empty where the caller gave no auditor key to compare with.
   */
  verifiedElsewhere: { tenant: string; table: string; notCheckedHere: NotCheckedHere }[];
}

/** Whether the next signature needs the identity named again (first in session, or after 15 min idle). */
export interface SigningSession {
  /** fingerprint of the identity of this session's last signature, or null */
  identity: string | null;
  /** true: the next signature needs identity AND password; false: password only */
  needsIdentity: boolean;
  /** UTC ISO-8601 when the session lapses (15 minutes after the last signature), or null */
  expiresAt: string | null;
}

export interface JournalEntryView {
  seq: number;
  /** canonical UTC */
  at: string;
  action: 'engagement_opened' | 'sync' | 'verification' | 'decision' | 'anchor_recorded' | 'export' | 'review_completed' | 'cache_rebuilt';
  /** one sentence */
  summary: string;
  hash: string;
}

export interface JournalVerification {
  verdict: 'intact' | 'broken' | 'empty';
  entries: number;
  /** first broken entry, with what differs, when broken */
  firstBreak: { seq: number; problem: string } | null;
  /** decision signatures checked inside the journal, and any that fail */
  signaturesChecked: number;
  badSignatures: { seq: number; problem: string }[];
  head: string | null;
}

const tenant = z.string().min(1).max(500);
const itemId = z.string().min(1).max(200);
const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);
const password = z.string().min(1).max(1024);
const note = z.string().trim().min(1, 'a decision needs a note').max(10_000);

export const reviewContract = {
  /** The queue of everything that needs a human decision, with its coverage. */
  'review.queue': method<ExceptionQueue>()(
    z
      .object({
        tenant: tenant.optional(),
        kind: z.enum(EXCEPTION_KINDS).optional(),
        status: z.enum(['open', 'decided', 'all']).default('all'),
        anomalyThreshold: z.number().min(0).max(1).default(0.7),
      })
      .strict(),
  ),
  /** Whether the next signature asks for the identity as well as the password. */
  'review.session': method<SigningSession>()(z.object({}).strict()),
  /**
   * Records a signed decision. The password is never taken from the keychain: a signature
   * is the signer's act (§11.200). `identity` is required when review.session says needsIdentity.
   * A wrong password records nothing (E_PASSWORD).
   */
  'review.decide': method<DecisionView>()(
    z
      .object({
        itemId,
        /** the evidence hash the reviewer saw: refused (E_STALE_ITEM) if the item changed since */
        evidenceHash: z.string().regex(/^[0-9a-f]{64}$/),
        disposition: z.enum(DISPOSITIONS),
        meaning: z.enum(SIGNATURE_MEANINGS),
        note,
        reference: z.string().trim().max(200).optional(),
        identity: fingerprint.optional(),
        password,
      })
      .strict(),
  ),
  /** Signs the review's completion; open items are listed in it, never hidden. */
  'review.complete': method<ReviewCompletion>()(
    z
      .object({
        note,
        /** must be true when items are open: the signer acknowledges completing with open items */
        acceptOpenItems: z.boolean().default(false),
        identity: fingerprint.optional(),
        password,
      })
      .strict(),
  ),
  /** The reviewer journal, newest last. */
  'journal.list': method<JournalEntryView[]>()(z.object({ limit: z.number().int().min(1).max(10_000).default(500) }).strict()),
  /** Re-verifies the journal chain and every decision signature in it. */
  'journal.verify': method<JournalVerification>()(z.object({}).strict()),
};
