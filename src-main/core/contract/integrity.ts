// Contract for integrity: run a verification as a job (poll jobs.get; its result is
// the VerifyReport of docs/verify-report.md), read the latest stored verdicts, and
// list the signed checkpoints. Output types are plain data: the renderer imports
// them as types only.
import { z } from 'zod';
import { method } from './define.js';

export type { VerifyReport, ChainReportJson, BreakJson, CheckpointComparisonJson, RecordedCheckpointJson, JsonSeq } from '../verify/report.js';
export type { SealReport } from '../verify/seal-compare.js';
export type { BreakKind } from '../verify/types.js';

import type { ChainReportJson, JsonSeq } from '../verify/report.js';
import type { SealReport } from '../verify/seal-compare.js';

export interface IntegrityReport {
  /** latest verdict per hash-chained table and tenant */
  chains: (ChainReportJson & { checkedAt: string; reportId: number })[];
  /** latest verdict per sealed (non-chained) table and tenant */
  seals: (SealReport & { checkedAt: string; reportId: number })[];
  lastRun: { reportId: number; checkedAt: string; target: 'source' | 'cache' | 'source+cache'; intact: boolean } | null;
}

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
  keyId: string | null;
  /** the Ed25519 signature checked now against the stored body */
  signature: 'valid' | 'invalid' | 'unsigned';
  /** the signed body plus signature: save it as an anchor file for a later visit (--checkpoint) */
  anchor: Record<string, unknown>;
}

/** An external chain head: published by the tenant or saved on an earlier visit. */
const anchorInput = z
  .object({
    tenant: z.string().min(1).max(200),
    table: z.string().min(1).max(200),
    last_seq: z.union([z.number().int(), z.string().regex(/^-?\d{1,20}$/)]),
    head_hash: z.string().regex(/^[0-9a-f]{64}([0-9a-f]{64})?$/),
    created_at: z.string().max(100).optional(),
    row_count: z.number().int().min(0).optional(),
  })
  .passthrough();

export const integrityContract = {
  /**
   * Verifies as a job. target 'cache' works offline; 'source' streams the live source
   * of a saved connection (default: the active one); 'source+cache' also compares the
   * source with the cached copy and its seals. The result is a VerifyReport.
   */
  'integrity.verify': method<{ jobId: string }>()(
    z
      .object({
        target: z.enum(['cache', 'source', 'source+cache']).default('cache'),
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
        limit: z.number().int().min(1).max(10_000).default(500),
      })
      .strict(),
  ),
};
