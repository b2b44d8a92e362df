// Contract for integrity: run a verification as a job (poll jobs.get; its result is
// the VerifyReport of docs/verify-report.md), read the latest stored verdicts, and
// list the signed checkpoints. Output types are plain data: the renderer imports
// them as types only.
import { z } from 'zod';
import { method } from './define.js';

export type {
  VerifyReport,
  ChainReportJson,
  BreakJson,
  CheckpointComparisonJson,
  RecordedCheckpointJson,
  JsonSeq,
  SealReport,
  BreakKind,
  AnchorOutcome,
  ChainLimit,
  ChainLimitsJson,
  ChainAnchorJson,
  ChainVerdict,
  LimitKind,
} from './verify-report.js';

import type { AnchorOutcome, BreakJson, ChainLimitsJson, ChainReportJson, DriftReportJson, JsonSeq, SealReport } from './verify-report.js';

/** A cached row a verdict found changed since the sync stored it (verify/cache-damage.ts). */
export interface CacheDamage {
  table: string;
  tenant: string;
  /** "seq 100", or "id …" for a row without a seq */
  row: string;
  foundAt: string;
  message: string;
}

/**
 * Why a stored verdict is not a check made on this workstation (docs/verification.md, "Stored
 * verdicts are signed"), so no front door shows it as one: 'another-key': signed by another data
 * folder's auditor key (an engagement received from another auditor), their word;
 * 'unsigned': stored without a signature (before cache version 17, or written into the file by
 * something other than AuditDesk); 'signature-invalid': its signature does not cover what the
 * record says now (changed since it was stored). `words`: how every front door names it
 * ("another auditor's verdict (key …)"), each adding that it was not checked here.
 */
export interface NotCheckedHere {
  why: 'another-key' | 'unsigned' | 'signature-invalid';
  /** the signing key's id when the record names one */
  keyId: string | null;
  words: string;
}

export interface IntegrityReport {
  /**
   * latest verdict per hash-chained table and tenant, with its verdict, anchor and limits
   * (absent in verdicts stored before they existed) and the verdict in words (verdictText).
   * `cacheDamage`: damage found in this chain's cached rows after that verdict was given,
   * which the verdict therefore no longer speaks for.
   */
  chains: (ChainReportJson &
    Partial<ChainLimitsJson> & {
      checkedAt: string;
      reportId: number;
      verdictText: string;
      cacheDamage?: CacheDamage | null;
      /** why this stored verdict is not a check made on this workstation, else null */
      notCheckedHere: NotCheckedHere | null;
    })[];
  /** Damage to the cache found by a verdict and not since cleared by one that found the rows as synced; oldest first. */
  cacheDamage: CacheDamage[];
  /** latest verdict per sealed (non-chained) table and tenant */
  seals: (SealReport & { checkedAt: string; reportId: number; notCheckedHere: NotCheckedHere | null })[];
  /**
   * Rows that changed at the source after they were first cached (drift findings, as the cache
   * holds them now, decided ones included): the chain and seal verdicts above are over the rows
   * as they are now, so without this a changed conversation or a deleted anomaly would show nowhere here.
   */
  drift: DriftReportJson;
  lastRun: {
    reportId: number;
    checkedAt: string;
    target: 'source' | 'cache' | 'source+cache';
    intact: boolean;
    /** the source the run was about (host:port/db and fingerprint); null for a run over a cache alone without one recorded */
    source: { label: string; fingerprint: string } | null;
    /** what the run found, so a run that was only EMPTY or limited is not called "breaks found" */
    found: { breaks: number; emptyChains: number; limitedChains: number; sealsChanged: number; driftFindings: number };
    /** what the run said beside its verdicts (the CLI's `note:` lines), as stored with it */
    notes: string[];
    /** why this stored run is not a check made on this workstation, else null */
    notCheckedHere: NotCheckedHere | null;
  } | null;
}

/** A stored checkpoint's signature, checked when it is read (docs/verification.md, "Checkpoints and the auditor key"). */
export type CheckpointSignature = 'valid' | 'invalid' | 'unsigned' | 'other-key';

export interface CheckpointInfo {
  checkpointId: number;
  origin: 'sync' | 'verify' | 'external';
  table: string;
  tenant: string;
  lastSeq: JsonSeq;
  headHash: string;
  merkleRoot: string | null;
  rowCount: number | null;
  createdAt: string;
  sourceFingerprint: string | null;
  /** host:port/db of that source as synced here; null when this engagement never synced it */
  sourceLabel: string | null;
  keyId: string | null;
  /**
   * The Ed25519 signature checked now against the stored body. Only 'valid' ones (signed by
   * this data folder's auditor key) are compared with the chain; 'other-key' verifies, but
   * under a key of another data folder.
   */
  signature: CheckpointSignature;
  /** the signed body plus signature: save it as an anchor file for a later visit (--checkpoint) */
  anchor: Record<string, unknown>;
}

/** An external chain head: published by the tenant or saved on an earlier visit. */
const anchorInput = z
  .object({
    tenant: z.string().min(1).max(200),
    table: z.string().min(1).max(200),
    last_seq: z.union([z.number().int(), z.string().regex(/^-?\d{1,20}$/)], { error: 'last_seq must be an integer (a string above 2^53)' }),
    head_hash: z.string().regex(/^[0-9a-f]{64}([0-9a-f]{64})?$/, 'head_hash must be 64 (or 128) lowercase hex characters'),
    created_at: z.string().max(100).optional(),
    // a checkpoint saved as an anchor file carries row_count null when it was not counted
    row_count: z.number().int().min(0).nullable().optional(),
  })
  .passthrough();

/**
 * An anchor file as `verify --checkpoint FILE` reads it (docs/verification.md): one
 * head, an array of heads, or {"anchors": [...]}. Normalised to a list here so every
 * front door refuses a malformed file with the path of the bad field.
 */
export const anchorFileSchema = z.preprocess(
  (v) => (Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { anchors?: unknown }).anchors) ? (v as { anchors: unknown[] }).anchors : [v]),
  z.array(anchorInput).min(1, 'the anchor file holds no head').max(100),
);

/** One head of an anchor file, as the app understood it. */
export interface AnchorHead {
  label: string;
  tenant: string;
  table: string;
  lastSeq: JsonSeq;
  headHash: string;
  createdAt: string | null;
  /** an AuditDesk checkpoint carries its Ed25519 signature; a plain published head is unsigned */
  signature: 'valid' | 'invalid' | 'unsigned';
  /** the external checkpoint in the history that holds this head (same tenant, table, seq and hash) */
  recorded: { checkpointId: number; table: string; createdAt: string; signature: CheckpointSignature } | null;
}

/** What the current chain says about one head of the anchor file. */
export interface AnchorCheck extends AnchorHead {
  /** null when this run verified no chain of that tenant and table */
  outcome: AnchorOutcome | null;
  /** the hash the chain has at lastSeq now, when it has a row there */
  foundHash: string | null;
  chain: { tenant: string; table: string; lastSeq: JsonSeq | null; intact: boolean } | null;
  /** the break that says where the chain leaves the anchor (rewritten, truncated or deleted) */
  divergence: BreakJson | null;
}

/** The result of an integrity.checkAnchors job. */
export interface AnchorCheckResult {
  checkedAt: string;
  target: 'source' | 'cache' | 'source+cache';
  anchors: AnchorCheck[];
  /** the verification run behind it (also stored as the latest verdicts) */
  reportIntact: boolean;
  notes: string[];
}

const verifyTarget = z.enum(['cache', 'source', 'source+cache']).default('cache');
const checkpointOrigin = z.enum(['sync', 'verify', 'external']);

export const integrityContract = {
  /**
   * Verifies as a job. target 'cache' works offline; 'source' streams the live source
   * of a saved connection (default: the active one); 'source+cache' also compares the
   * source with the cached copy and its seals. The result is a VerifyReport.
   */
  'integrity.verify': method<{ jobId: string }>()(
    z
      .object({
        target: verifyTarget,
        connectionId: z.string().min(1).max(100).optional(),
        tenants: z.array(z.string().min(1).max(200)).max(100).optional(),
        anchors: z.array(anchorInput).max(100).optional(),
      })
      .strict(),
  ),
  /** The latest stored verdict per chain and sealed table (optionally one tenant). */
  'integrity.report': method<IntegrityReport>()(z.object({ tenant: z.string().min(1).max(200).optional() }).strict()),
  /** Signed checkpoints recorded by syncs and verifications, newest first. */
  'integrity.checkpoints': method<CheckpointInfo[]>()(
    z
      .object({
        tenant: z.string().min(1).max(200).optional(),
        table: z.string().min(1).max(200).optional(),
        /** only these origins (e.g. sync and verify: the heads this app saw itself) */
        origins: z.array(checkpointOrigin).min(1).max(3).optional(),
        limit: z.number().int().min(1).max(10_000).default(500),
      })
      .strict(),
  ),
  /**
   * Verifies (as integrity.verify does, same engine and stored verdicts) with the heads
   * of an anchor file, and says for each whether the current chain extends it or where
   * it leaves it, and whether it is recorded as an external checkpoint. The job's
   * result is an AnchorCheckResult.
   */
  'integrity.checkAnchors': method<{ jobId: string }>()(z.object({ file: anchorFileSchema, target: verifyTarget, connectionId: z.string().min(1).max(100).optional() }).strict()),
  /**
   * Records the heads of an anchor file as signed `external` checkpoints, so every later
   * sync-time and verification run compares the chain with them. Heads already recorded
   * are left as they are; a head whose own signature does not verify is refused.
   */
  'integrity.recordAnchors': method<AnchorHead[]>()(z.object({ file: anchorFileSchema }).strict()),
};
