// Electronic signatures on review decisions and completions (Part 11 §11.50, §11.70):
// the signature covers the RFC 8785 canonical JSON of the signed document, which
// names the item's evidence hash, the disposition, the meaning and the signer, so it
// cannot be moved to another item, another version of an item or another meaning.
// Verifiable without AuditDesk: docs/review.md and docs/verify-by-hand.md.
import { createHash, sign, verify, X509Certificate } from 'node:crypto';
import { jcs, type JsonValue } from '../chain/canonical.js';
import type { LoadedIdentity } from '../identity/identity.js';
import type { Disposition, SignatureMeaning } from '../contract/review.js';

export const DECISION_FORMAT = 'auditdesk-review-decision-v1';
export const COMPLETION_FORMAT = 'auditdesk-review-completion-v1';

/** What a decision's signature covers (docs/review.md "Decision canonical JSON"). */
export interface SignedDecision {
  format: typeof DECISION_FORMAT;
  itemId: string;
  evidenceHash: string;
  disposition: Disposition;
  meaning: SignatureMeaning;
  note: string;
  reference: string | null;
  signerName: string;
  signerFingerprint: string;
  signedAt: string;
  /** decision id this one supersedes, or null */
  supersedes: number | null;
}

export interface SignedCompletion {
  format: typeof COMPLETION_FORMAT;
  openItemIds: string[];
  coverage: { total: number; decided: number; open: number };
  note: string;
  meaning: 'Review completed';
  signerName: string;
  signerFingerprint: string;
  signedAt: string;
}

/**
 * A stored decision's columns (review_decisions, a package's decisions.csv) and the signed
 * decision's fields each must equal: a note edited beside an intact signature is a tampered
 * decision.
 */
export const DECISION_SIGNED_FIELDS = [
  ['item_id', 'itemId'],
  ['disposition', 'disposition'],
  ['meaning', 'meaning'],
  ['note', 'note'],
  ['reference', 'reference'],
  ['signer_name', 'signerName'],
  ['signer_fingerprint', 'signerFingerprint'],
  ['signed_at', 'signedAt'],
  ['evidence_hash', 'evidenceHash'],
] as const;

export interface Signed {
  /** the exact canonical text that was signed */
  signedJson: string;
  /** base64 Ed25519 signature over UTF-8(signedJson) */
  signature: string;
  /** base64 DER of the signing certificate (its SHA-256 is the signer fingerprint) */
  certificate: string;
}

/** SHA-256 hex of the canonical JSON of any evidence object. */
export function evidenceHashOf(evidence: JsonValue): string {
  return createHash('sha256').update(jcs(evidence), 'utf8').digest('hex');
}

/** The printed name a signature shows: the certificate subject's common name. */
export function signerNameOf(identity: LoadedIdentity): string {
  return identity.info.name;
}

export function signDocument(identity: LoadedIdentity, doc: SignedDecision | SignedCompletion): Signed {
  const signedJson = jcs(doc as unknown as JsonValue);
  return {
    signedJson,
    signature: sign(null, Buffer.from(signedJson, 'utf8'), identity.signingKey).toString('base64'),
    certificate: identity.signingCertDer.toString('base64'),
  };
}

/**
 * Checks one signed document: the certificate is the one its fingerprint names, the
 * signature verifies with the certificate's key over the canonical text, and the text
 * is canonical (re-serialising it gives the same bytes). Returns the problem, or null.
 */
export function signatureProblem(signed: Signed): string | null {
  const text = signedTextProblem(signed);
  if (typeof text === 'string') return text;
  let cert: X509Certificate;
  const der = Buffer.from(signed.certificate, 'base64');
  try {
    cert = new X509Certificate(der);
  } catch {
    return CERT_UNREADABLE;
  }
  const fp = createHash('sha256').update(der).digest('hex');
  if (text.signerFingerprint !== fp) return fingerprintProblem(text.signerFingerprint, fp);
  let ok: boolean;
  try {
    ok = verify(null, Buffer.from(signed.signedJson, 'utf8'), cert.publicKey, Buffer.from(signed.signature, 'base64'));
  } catch {
    ok = false;
  }
  return ok ? null : SIGNATURE_FAILS;
}

// The words and the text rules of signatureProblem, shared with the verify page's
// WebCrypto version (src-renderer/verify-page/review-crypto.ts).
export const CERT_UNREADABLE = 'the signer certificate cannot be read';
export const SIGNATURE_FAILS = 'the signature does not verify over the signed text';
export const fingerprintProblem = (named: unknown, actual: string) => `the signer fingerprint ${String(named)} is not the certificate's (${actual})`;

/** The signed text's own rules (JSON, RFC 8785 canonical): the problem, or the fingerprint it names. */
export function signedTextProblem(signed: Signed): string | { signerFingerprint: unknown } {
  let doc: { signerFingerprint?: unknown };
  try {
    doc = JSON.parse(signed.signedJson) as { signerFingerprint?: unknown };
  } catch {
    return 'the signed text is not JSON';
  }
  if (!doc || typeof doc !== 'object' || jcs(doc as JsonValue) !== signed.signedJson) return 'the signed text is not in RFC 8785 canonical form';
  return { signerFingerprint: doc.signerFingerprint };
}
