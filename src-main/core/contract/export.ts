// Contract for compliance packages (issue 5): preview, export as a job, offline
// package verification, and the signing identities. Output types are plain
// interfaces: the renderer imports them as types.
import { z } from 'zod';
import { method } from './define.js';
import { recordFilterSchema } from './record-filter.js';

export interface ExportPreview {
  tenant: string;
  events: number;
  conversations: number;
  anomalies: number;
  reviews: number;
  accessLog: number;
  /** True when no facet narrows the events: missing seq numbers then count as chain breaks. */
  wholeChain: boolean;
  /** Rows of the selection that changed at the source after they were first cached (drift findings; changes.csv). */
  driftFindings: number;
}

export interface PackageFileView {
  name: string;
  sha256: string;
  size: number;
  rows: number | null;
}

/** What a finished export job returns (jobs.get → result). */
export interface ExportJobResult {
  out: string;
  packageId: string;
  createdAt: string;
  signerFingerprint: string;
  files: PackageFileView[];
  counts: Record<string, number>;
  integrity: { intact: boolean | null; breaks: number };
  /** Drift findings in the package: `chainRows` of them on the hash-chained table (then it is not called intact). */
  drift: { findings: number; chainRows: number; statement: string | null };
  /** the source the package's rows came from, as its manifest names it */
  source: { label: string; fingerprint: string } | null;
}

export interface PackageFailureView {
  /** Stable code: ZIP_UNREADABLE, UNSAFE_PATH, SIGNATURE_INVALID, HASH_MISMATCH, MISSING_FILE, … */
  code: string;
  file?: string;
  message: string;
}

export interface PackageChainBreakView {
  /** JSON number when exact, else a decimal string; null for a row without a usable seq. */
  seq: number | string | null;
  /** modified, deleted, inserted, reordered, duplicate, malformed, rewritten, truncated */
  kind: string;
  id: string | null;
  expected: string | null;
  found: string | null;
  time: string | null;
  explanation: string;
}

/** The chain recomputed from audit_events.csv (same per-chain shape as the verify report). */
export interface PackageChainView {
  tenant: string;
  table: string;
  rows: number;
  intactRows: number;
  intact: boolean;
  firstSeq: number | string | null;
  lastSeq: number | string | null;
  headHash: string | null;
  merkleRoot: string | null;
  breaks: PackageChainBreakView[];
  breaksOmitted: number;
  checkpoints: { label: string; lastSeq: number | string; headHash: string; signature: string; outcome: string; foundHash: string | null }[];
}

/** One data subject: a user id, and the conversation sessions tied to them (conversation logs carry no user id). */
const dataSubjectSchema = z
  .object({
    userId: z.string().trim().min(1).max(200),
    sessions: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
  })
  .strict();

export interface PackageVerificationView {
  /** valid: every check passed and the signer is pinned · unpinned: every check passed, but anyone could have signed · invalid: a check failed. */
  verdict: 'valid' | 'unpinned' | 'invalid';
  /** verdict === 'valid'. */
  valid: boolean;
  failures: PackageFailureView[];
  notes: string[];
  /** Every string is escaped (control characters, bidi overrides); name, org and email come from the certificate. */
  signer: { name: string; org: string; email: string; fingerprint: string; trusted: boolean | null; pinnedBy: string | null } | null;
  packageId: string | null;
  createdAt: string | null;
  chain: PackageChainView | null;
  /** Rows that changed at the source after they were first cached, as the signed manifest counts them (checked against changes.csv). */
  drift: { findings: number; statement: string | null } | null;
  /** 'subset': each row was recomputed, the chain's continuity is not shown. */
  chainMethod: 'engine' | 'subset' | null;
  subject: { userId: string; sessions: string[]; rule: string } | null;
}

/** Who an identity is, as every front door shows it. */
export interface IdentityInfo {
  name: string;
  org: string;
  email: string;
  /** SHA-256 of the Ed25519 (manifest) certificate DER, hex. */
  fingerprint: string;
  /** SHA-256 of the RSA (PDF) certificate DER, hex. */
  pdfFingerprint: string;
  notBefore: string;
  notAfter: string;
  /** True when no organisation certificate is involved (created by AuditDesk); false when an organisation key issued it. */
  selfSigned: boolean;
}

/** An identity as the UI lists it: who, the fingerprints, and where the file is. */
export interface IdentityView extends IdentityInfo {
  file: string;
  /** True when the password is kept in the keychain (or memory) so exports need not ask. */
  passwordStored: boolean;
}

/** A signer the user marked trusted: packages it signs verify as "valid", not "unpinned". */
export interface TrustedSignerView {
  fingerprint: string;
  label: string;
  addedAt: string;
}

const path = z.string().min(1).max(4096);
const password = z.string().min(1).max(1024);
const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);

export const exportContract = {
  'export.preview': method<ExportPreview>()(z.object({ filter: recordFilterSchema, subject: dataSubjectSchema.optional() }).strict()),
  'export.start': method<{ jobId: string }>()(
    z
      .object({
        filter: recordFilterSchema,
        /** A GDPR data-subject export: the subject's rows only (docs/package-format.md#subject-packages). */
        subject: dataSubjectSchema.optional(),
        /** Identity by fingerprint (from identity.list). */
        identity: fingerprint,
        /** Only needed when the password is not stored; `remember` stores it. */
        password: password.optional(),
        remember: z.boolean().default(false),
        out: path,
        createdAt: z.string().max(40).optional(),
        neutraliseFormulas: z.boolean().default(true),
        appendixCap: z.number().int().min(0).max(1_000_000).default(10_000),
        anomalyThreshold: z.number().min(0).max(1).default(0.7),
        approvedVersions: z.array(z.string().max(200)).max(500).optional(),
        /** The package of an earlier visit: the new chain must extend it (a consistency proof goes in). Whole-chain exports only. */
        previous: path.optional(),
      })
      .strict(),
  ),
  /** The tenant's last package this engagement exported (still on disk): the Export screen's default previous package. */
  'export.lastPackage': method<{ path: string; packageId: string; exportedAt: string } | null>()(z.object({ tenant: z.string().min(1).max(1000) }).strict()),
  'export.verifyPackage': method<PackageVerificationView>()(z.object({ path, trust: z.string().max(20_000).optional() }).strict()),
  'identity.list': method<IdentityView[]>()(z.object({}).strict()),
  'identity.create': method<IdentityView>()(
    z
      .object({
        name: z.string().min(1).max(200),
        org: z.string().min(1).max(200),
        email: z.string().min(3).max(200),
        password,
        remember: z.boolean().default(true),
      })
      .strict(),
  ),
  'identity.import': method<IdentityView>()(z.object({ file: path, password, remember: z.boolean().default(true) }).strict()),
  'identity.trusted': method<TrustedSignerView[]>()(z.object({}).strict()),
  /** Marks a signer trusted by its certificate fingerprint (hex; colons allowed); returns the list. */
  'identity.trust': method<TrustedSignerView[]>()(
    z
      .object({
        fingerprint: z
          .string()
          .max(100)
          .transform((s) => s.replace(/:/g, '').toLowerCase())
          .pipe(fingerprint),
        label: z.string().trim().min(1).max(200),
      })
      .strict(),
  ),
  'identity.untrust': method<TrustedSignerView[]>()(z.object({ fingerprint }).strict()),
};
