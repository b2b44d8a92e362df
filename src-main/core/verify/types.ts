// Shapes shared by the verification engine, its adapters and the report.
// Plain data only: the engine is pure and never touches a database.
import type { UnprotectedKind } from '../chain/exact-json.js';
import type { BreakKind, AnchorOutcome, BreakFacts } from '../contract/verify-report.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export type { BreakKind, AnchorOutcome };

/** One row of one chain (table + tenant), as the adapters hand it to the engine in seq order. */
export interface ChainRow {
  /** null when the stored seq is NULL or not an integer: the row is malformed. */
  seq: bigint | null;
  /** The seq as stored, for explanations of malformed rows. */
  seqText?: string | null;
  /** The row's id at the source (for the auditor to find it). */
  id: string;
  /** Canonical UTC time of the row, when the table has one. */
  time: string | null;
  prevHash: string | null;
  hash: string | null;
  /** payload(row) under the profile, built from the row's stored values. */
  payload: string;
  /** The row's source values (text as printed); lets the engine re-check a displaced row at another seq. */
  values?: readonly (string | null)[];
  /**
   * chainHash(prevHash, payload) under the verifier's profile, when the adapter already
   * computed it (the worker threads do); the engine computes it itself otherwise.
   */
  computed?: string | null;
  /** Values of this row the profile cannot protect (a `number_precision` or `duplicate_key` limit). */
  unprotected?: readonly UnprotectedKind[];
}

/** Rows whose values the profile cannot protect, per kind: a change to them would not be detected. */
export interface UnprotectedRows {
  kind: UnprotectedKind;
  rows: number;
  firstSeq: bigint;
  /** the first 100 seqs */
  seqs: bigint[];
}

export interface ChainBreak {
  /** The seq the break is about (the missing seq for `deleted`); null for a row without a usable seq. */
  seq: bigint | null;
  kind: BreakKind;
  /** id of the row concerned; null when the row is gone (deleted, truncated). */
  id: string | null;
  /** What the chain or a reference says should be there (meaning per kind: docs/verify-report.md). */
  expected: string | null;
  /** What is there now. */
  found: string | null;
  /** What the engine established, as data: `explanation` is rendered from it (explain.ts). */
  facts: BreakFacts<bigint>;
  /** One sentence for the auditor: which row, what was expected, what was found, the likely cause. */
  explanation: string;
  /** Time of the row concerned, when known. */
  time: string | null;
}

/** A chain head recorded earlier (signed checkpoint in the cache, or an external anchor file). */
export interface Anchor {
  /** Human name: "checkpoint #12 (sync, 2026-11-20T10:00:00Z)" or "anchor file head.json". */
  label: string;
  origin: 'sync' | 'verify' | 'external';
  checkpointId: number | null;
  lastSeq: bigint;
  headHash: string;
  createdAt: string | null;
  signature: 'valid' | 'invalid' | 'unsigned';
  /**
   * The chain must reach this anchor even where ending early is no break (a cache that
   * may be out of date): a package's earlier package records rows that were handed
   * over, and a package that ends before them does not hold them.
   */
  mustReach?: boolean;
  /**
   * A signed tlog checkpoint (--checkpoint FILE in note form) names a tree, not a head:
   * its first `size` leaves must give `root` (base64). lastSeq is then the seq where an
   * unbroken chain from seq 1 reaches that size, and headHash is empty until the chain
   * gets there (the engine fills in the row it found).
   */
  tree?: { size: string; root: string; /** first 16 hex digits of the source fingerprint the origin names */ source: string };
}

export interface AnchorResult extends Anchor {
  outcome: AnchorOutcome;
  /** hash of the row at lastSeq now, when there is one */
  foundHash: string | null;
}

/** Earlier hashes of the same chain in seq order (e.g. from the cache), compared row by row. */
export interface ReferenceHashes {
  label: string;
  /** Time the reference was taken (e.g. the last sync), for explanations. */
  takenAt: string | null;
  /** Next (seq, hash) in ascending seq order, or null at the end. */
  next(): { seq: bigint; hash: string | null } | null;
  close?(): void;
}

export interface ReferenceComparison {
  label: string;
  compared: number;
  differing: number;
  firstDifferentSeq: bigint | null;
  /** the reference holds rows past the checked chain's end */
  referenceLastSeq: bigint | null;
}

export interface ChainResult {
  table: string;
  tenant: string;
  rows: number;
  intactRows: number;
  intact: boolean;
  firstSeq: bigint | null;
  lastSeq: bigint | null;
  headHash: string | null;
  /** RFC 6962 root over the rows' stored hashes in seq order (null unless asked for: --merkle). */
  merkleRoot: string | null;
  /** the same tree's size and root, for the recorded checkpoint's signed note (when asked for) */
  tree?: { size: bigint; root: Buffer } | null;
  breaks: ChainBreak[];
  /** Breaks found beyond maxBreaks are counted, not listed. */
  breaksOmitted: number;
  anchors: AnchorResult[];
  reference: ReferenceComparison | null;
  unprotected: UnprotectedRows[];
}
