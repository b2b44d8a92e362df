// A chain's seq in JSON (reports, packages, the API): a number when a double holds it
// exactly, else its decimal string, so a bigint seq never loses a digit on the way out.
import type { JsonSeq } from '../contract/verify-report.js';

// Re-exported: the type lives in the contract (a leaf, issue 12).
export type { JsonSeq };

export function seqJson(seq: bigint): JsonSeq {
  return seq <= BigInt(Number.MAX_SAFE_INTEGER) && seq >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(seq) : seq.toString();
}

/** The same rule for a seq read as text (SQLite and PostgreSQL give it so); null stays null. */
export function seqJsonFromText(seq: string | null): JsonSeq | null {
  return seq === null ? null : seqJson(BigInt(seq));
}
