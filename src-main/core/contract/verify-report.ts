// The verify report's shapes (docs/verify-report.md) as plain data: the verify engine
// fills them, the CLI prints them, packages keep them and the renderer reads them, so
// they live in the contract, which imports nothing from the domain (issue 12).
import type { ChainProfile } from './chain-profile.js';
import type { TableKind } from './connection-profile.js';

// A chain's seq in JSON (reports, packages, the API): a number when a double holds it
// exactly, else its decimal string, so a bigint seq never loses a digit on the way out.
export type JsonSeq = number | string;

export type BreakKind = 'modified' | 'deleted' | 'inserted' | 'reordered' | 'duplicate' | 'malformed' | 'rewritten' | 'truncated';

export type AnchorOutcome =
  /** the row at lastSeq still has headHash: the current chain extends the anchor */
  | 'extended'
  /** the row at lastSeq has another hash: history up to lastSeq was rewritten */
  | 'rewritten'
  /** the chain now ends before lastSeq (live source) */
  | 'truncated'
  /** the checked copy ends before lastSeq but may simply be out of date (cache) */
  | 'not-reached'
  /** the row at lastSeq is missing (reported as deleted) */
  | 'row-missing';

export interface BreakJson {
  seq: JsonSeq | null;
  kind: BreakKind;
  id: string | null;
  expected: string | null;
  found: string | null;
  time: string | null;
  explanation: string;
  /** what `explanation` says, as data; absent in reports written before it existed and in package subset checks */
  facts?: BreakFacts;
}

/** A row a break sentence names: its seq (null when it has none), id and time. */
export interface BreakRowFacts<S = JsonSeq> {
  seq: S | null;
  id: string;
  time: string | null;
}

/**
 * What the engine established about one break, as data (issue 12): `explanation` is
 * rendered from these by verify/explain.ts, so scripts and tests read the numbers here
 * instead of parsing the sentence. `cause` names the sentence; the other fields are
 * what that sentence states. S is the seq type: bigint in the engine, JsonSeq in JSON.
 */
export type BreakFacts<S = JsonSeq> =
  /** a row whose seq is NULL (seqText null) or not an integer */
  | { cause: 'malformed_seq'; row: BreakRowFacts<S>; seqText: string | null }
  /** a row whose seq lies before the chain's first seq */
  | { cause: 'before_start'; row: BreakRowFacts<S>; startSeq: S }
  /** a row delivered after a later seq (afterSeq) */
  | { cause: 'out_of_order'; row: BreakRowFacts<S>; afterSeq: S }
  /** a hash column that is not hex of the profile's length (the column's value, or null when that column is well-formed) */
  | { cause: 'malformed_hash'; row: BreakRowFacts<S>; hexChars: number; hash: { column: string; value: string | null } | null; prevHash: { column: string; value: string | null } | null }
  /** the row after this one (next) links past it to the row before it */
  | { cause: 'inserted_between'; row: BreakRowFacts<S>; next: { seq: S; id: string } }
  /** a second row with the same seq that copies the genuine one (id genuineId) */
  | { cause: 'duplicate'; row: BreakRowFacts<S>; genuineId: string; sameHash: boolean }
  /** a foreign row with the same seq as the genuine one (id genuineId) */
  | { cause: 'inserted_same_seq'; row: BreakRowFacts<S>; genuineId: string }
  /** the stored hash (storedHash) does not match the row's content (contentHash) */
  | { cause: 'content_changed'; row: BreakRowFacts<S>; storedHash: string | null; contentHash: string }
  /** neither the link nor the content hash holds; previousSeq null: the genesis value */
  | { cause: 'altered'; row: BreakRowFacts<S>; prevHashColumn: string; previousSeq: S | null; storedHash: string | null; contentHash: string }
  /** the row hashes correctly, but the next row records another hash for it */
  | { cause: 'next_disagrees'; row: BreakRowFacts<S>; next: { seq: S; id: string }; recordedHash: string | null; currentHash: string | null; prevHashColumn: string }
  /** the row links to linksTo, but the previous row (previousSeq) has previousHash */
  | { cause: 'relinked'; row: BreakRowFacts<S>; prevHashColumn: string; linksTo: string | null; previousSeq: S | null; previousHash: string | null }
  /** the first row does not link to the genesis value */
  | { cause: 'first_not_genesis'; row: BreakRowFacts<S>; prevHashColumn: string; linksTo: string | null; genesis: string }
  /**
   * a missing seq in a run of `missing` rows (firstMissing–lastMissing) between `from`
   * (null: the start of the chain) and `next`; gap says what the next row's link shows
   */
  | {
      cause: 'deleted';
      seq: S;
      from: BreakRowFacts<S> | null;
      next: BreakRowFacts<S>;
      missing: S;
      firstMissing: S;
      lastMissing: S;
      gap: 'relinked' | 'dangling' | 'start';
      prevHashColumn: string;
    }
  /** by its link the row belongs at belongsAt (after afterId); holder is the row that belongs at this row's seq */
  | { cause: 'swapped'; row: BreakRowFacts<S>; prevHashColumn: string; belongsAt: S; afterId: string | null; holder: { id: string; seq: S | null } }
  /** a swapped row whose content, at the seq it belongs at, does not hash to its stored hash either */
  | { cause: 'swapped_and_changed'; row: BreakRowFacts<S>; belongsAt: S; contentHash: string; storedHash: string | null }
  /** the chain is consistent but differs from an earlier copy (the cache) from this row on */
  | {
      cause: 'rewritten_since_reference';
      row: BreakRowFacts<S>;
      foundHash: string | null;
      reference: { label: string; takenAt: string | null };
      recordedHash: string | null;
      differing: number;
      checkpointsDisagreeing: number;
    }
  /** the row at an anchor's seq no longer has its head hash (or the tree of its first size rows its root); rewritten somewhere in from–to */
  | {
      cause: 'rewritten_since_anchor';
      seq: S;
      foundHash: string | null;
      anchorLabel: string;
      headHash: string;
      tree: { size: string; root: string } | null;
      from: S;
      to: S;
    }
  /** the chain ends at `end` (null: no row) but `reference` recorded it up to reference.lastSeq: count rows firstGone–reference.lastSeq are gone */
  | {
      cause: 'truncated';
      end: BreakRowFacts<S> | null;
      reference: { label: string; lastSeq: S; headHash: string | null };
      firstGone: S;
      count: S;
    };

export type BreakCause = BreakFacts['cause'];

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

export type ChainVerdict = 'intact' | 'broken' | 'empty';

export type ChainLimit =
  | { kind: 'number_precision' | 'duplicate_key'; rows: number; firstSeq: JsonSeq; seqs: JsonSeq[]; explanation: string }
  | { kind: 'no_anchor'; explanation: string }
  | { kind: 'hidden_rows'; predicates: string[]; policies: { name: string; using: string | null }[]; explanation: string };

export type LimitKind = ChainLimit['kind'];

/** The earlier head a chain was checked against: a checkpoint, an anchor file, a package, or the cached copy. */
export interface ChainAnchorJson {
  origin: 'sync' | 'verify' | 'external' | 'cache';
  label: string;
  /** the anchor's last seq (the cached copy's last seq for `cache`) */
  lastSeq: JsonSeq | null;
}

/** What limits.ts adds to every chain entry of the report. */
export interface ChainLimitsJson {
  verdict: ChainVerdict;
  /** For `empty`: the sentence of issue 21 with the count of other visible tenants; else null. */
  verdictExplanation: string | null;
  anchor: ChainAnchorJson | null;
  limits: ChainLimit[];
}

export interface SealReport {
  table: string;
  kind: TableKind;
  tenant: string;
  /** what the seal was compared with */
  against: 'source' | 'cache';
  sealId: number;
  sealedAt: string;
  rowsSealed: number;
  rowsNow: number;
  merkleRootSealed: string;
  merkleRootNow: string;
  /** nothing modified, deleted or added within the sealed range */
  intact: boolean;
  /** ids of rows changed since the seal (at most MAX_KEYS_LISTED each; counts are exact) */
  modified: string[];
  deleted: string[];
  added: string[];
  counts: { modified: number; deleted: number; added: number };
  explanation: string;
  /** drift findings of this table in the cache (issue 19); any makes `intact` false */
  driftFindings?: number;
}

export type DriftChange = 'modified' | 'deleted' | 'added';

export interface DriftFindingJson {
  findingId: number;
  table: string;
  tenant: string;
  key: string;
  change: DriftChange;
  detectedAt: string;
  detectedSyncId: number;
  earlierDigest: string | null;
  laterDigest: string | null;
  status: 'open' | 'decided';
  decision: string | null;
  /** a finding a rebuild carried over from the cache file it set aside: that file's name and the rebuild's time; its ids are that file's */
  carriedFrom?: { file: string; at: string } | null;
  explanation: string;
}

export interface DriftReportJson {
  /** every finding in scope, open or decided */
  count: number;
  open: number;
  findings: DriftFindingJson[];
  findingsOmitted: number;
}

export const REPORT_FORMAT = 'auditdesk-verify-report-v1';

export interface VerifyReport {
  format: typeof REPORT_FORMAT;
  checkedAt: string;
  /** what was verified: the live source, the cache, or the live source against the cache */
  target: 'source' | 'cache' | 'source+cache';
  source: { label: string; fingerprint: string; serverVersion: string | null; database: string | null } | null;
  cache: { path: string } | null;
  profile: ChainProfile;
  intact: boolean;
  /** broken if any chain or seal is; else empty if a chain has no visible rows; else intact (limits.ts) */
  verdict: ChainVerdict;
  summary: {
    chains: number;
    rows: number;
    intactRows: number;
    breaks: number;
    byKind: Partial<Record<BreakKind, number>>;
    sealsChecked: number;
    sealsChanged: number;
    /** rows changed at the source after they were first cached (drift findings, open or decided) */
    driftFindings: number;
  };
  /** one entry per hash-chained table and tenant, with its verdict, anchor and limits */
  tenants: (ChainReportJson & ChainLimitsJson)[];
  /** the row-level-security policies in force on each table read from a live source (source/policies.ts) */
  policies?: PoliciesJson[];
  /** tables without a hash chain, checked against their latest seal */
  seals: SealReport[];
  checkpointsRecorded: RecordedCheckpointJson[];
  notes: string[];
  /** every drift finding the cache holds for the verified tenants (none without a cache) */
  drift: DriftReportJson;
  /**
   * Set when this verdict was not made now but reused (verify --cache without --full):
   * the stored report it comes from; nothing it depends on changed in the cache since.
   */
  reusedFrom?: { reportId: number; checkedAt: string };
}

export interface PoliciesJson {
  table: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  bypassedBy: string | null;
  policies: { name: string; command: string; permissive: boolean; using: string | null; appliesToReads: boolean }[];
  hidingPredicates: string[];
}
