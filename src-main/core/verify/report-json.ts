// The per-chain shapes of the verify report (docs/verify-report.md), apart from the code
// that fills and words them (report.ts, limits.ts), so those two need not import each other.
import type { JsonSeq } from '../chain/seq.js';
import type { AnchorOutcome, BreakKind } from './types.js';

export interface BreakJson {
  seq: JsonSeq | null;
  kind: BreakKind;
  id: string | null;
  expected: string | null;
  found: string | null;
  time: string | null;
  explanation: string;
}

export interface CheckpointComparisonJson {
  checkpointId: number | null;
  origin: 'sync' | 'verify' | 'external';
  label: string;
  lastSeq: JsonSeq;
  headHash: string;
  createdAt: string | null;
  signature: 'valid' | 'invalid' | 'unsigned';
  outcome: AnchorOutcome;
  foundHash: string | null;
}

export interface ChainReportJson {
  tenant: string;
  table: string;
  rows: number;
  intactRows: number;
  intact: boolean;
  firstSeq: JsonSeq | null;
  lastSeq: JsonSeq | null;
  headHash: string | null;
  merkleRoot: string | null;
  breaks: BreakJson[];
  breaksOmitted: number;
  checkpoints: CheckpointComparisonJson[];
  cacheComparison: { compared: number; differing: number; firstDifferentSeq: JsonSeq | null; cacheLastSeq: JsonSeq | null } | null;
  /** drift findings of this chain in the cache (issue 19); any makes `intact` false */
  driftFindings?: number;
}

export interface RecordedCheckpointJson {
  checkpointId: number;
  table: string;
  tenant: string;
  lastSeq: JsonSeq;
  headHash: string;
  keyId: string;
}
