// manifest.json: the one signed document that names every other file of a package
// (docs/package-format.md). Its bytes are exactly what manifest.sig signs, so it is
// serialised once, deterministically (fixed key order, 2-space JSON, LF, final newline).
import type { ChainProfile } from '../chain/profile.js';
import type { RecordFilter } from '../records/filter.js';
import type { ManifestAnchor } from './integrity.js';
import type { DriftSummary } from './changes.js';

export const PACKAGE_FORMAT = 'auditdesk-package/1';

export interface ManifestColumn {
  /** The CSV header cell. */
  header: string;
  /** Source column name (the key in row digests and the hash payload). */
  name: string;
  /** PostgreSQL type name as the source reported it. */
  type: string;
  /** True when formula neutralisation applies to this column's cells. */
  neutralised: boolean;
  /** audit_events.csv only: AuditDesk's name for the column (source_key = row id, ts = time), null for extra columns. */
  field?: string | null;
}

export interface ManifestFile {
  name: string;
  sha256: string;
  size: number;
  /** Data rows (header excluded) for CSV files; null for other files. */
  rows: number | null;
  mediaType: string;
  columns?: ManifestColumn[];
  /** RFC 6962 Merkle root over the row digests of this CSV's rows (docs/hash-chain.md). */
  merkleRoot?: string;
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  packageId: string;
  createdAt: string;
  tool: { name: 'auditdesk'; version: string };
  signer: {
    name: string;
    org: string;
    email: string;
    /** SHA-256 of signer.pem's DER: the Ed25519 certificate whose key signed this manifest. */
    fingerprint: string;
    certificate: 'signer.pem';
    /** SHA-256 of the RSA certificate inside report.pdf's embedded signature. */
    pdfCertificateFingerprint: string;
  };
  source: { fingerprint: string; label: string; databaseName: string; serverVersion: string } | null;
  query: {
    tenant: string;
    period: { from: string | null; to: string | null };
    filter: RecordFilter;
    /** Every event of the period is in audit_events.csv (no facet narrowed it). */
    wholeChain: boolean;
    /** A GDPR data-subject package: whose rows, and the rule that chose them. */
    subject?: { userId: string; sessions: string[]; rule: string };
  };
  csv: {
    dialect: 'RFC 4180';
    encoding: 'UTF-8';
    lineEnd: 'CRLF';
    null: 'empty unquoted field';
    emptyString: '""';
    formulaNeutralisation: {
      enabled: boolean;
      triggers: string[];
      prefix: "'";
      appliesTo: 'columns marked neutralised';
      /** Header cells are neutralised too (absent in packages written before issue 11: headers as they are). */
      headers?: boolean;
      reverse: "remove one leading ' when the rest starts with ' * then one of the triggers";
    };
  };
  chain: {
    profile: ChainProfile;
    table: string | null;
    /** 'engine': the whole period, checked by the verification engine; 'subset': a filtered export, checked row by row. */
    method: 'engine' | 'subset';
    /** The seq the chain is expected to start at (1 without a start bound). */
    startSeq: string | null;
    /** Signed checkpoints from the cache the chain was compared with; the verifier re-uses exactly these. */
    checkpoints: ManifestAnchor[];
    rows: number;
    intact: boolean | null;
    breaks: number;
    firstSeq: number | string | null;
    lastSeq: number | string | null;
    headHash: string | null;
    /** RFC 6962 root over the row digests of audit_events.csv (= files[].merkleRoot; equals the sync seal for the same rows). */
    merkleRoot: string | null;
  };
  /** Rows of the package that changed at the source after they were first cached (changes.csv); as in verification.json. */
  drift: DriftSummary;
  /** The sync seal each CSV's rows came from, and whether the CSV's Merkle root is the seal's. */
  seals: {
    file: string;
    table: string;
    sealId: number;
    syncId: number;
    sealedAt: string;
    rows: number;
    merkleRoot: string;
    sameRoot: boolean;
    why: string | null;
  }[];
  counts: Record<string, number>;
  files: ManifestFile[];
}

/** The exact bytes that are signed. */
export function serialiseManifest(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}

/**
 * Why a manifest file entry's columns cannot be used to read its CSV, or null. A
 * manifest is read before (and whatever) its signature says, so a damaged one must give
 * a named failure, never a crash.
 */
export function columnsProblem(f: ManifestFile): string | null {
  if (!Array.isArray(f.columns)) return `the manifest's columns for ${f.name} are not a list`;
  const bad = f.columns.findIndex((c) => !c || typeof c.name !== 'string' || typeof c.type !== 'string' || typeof c.header !== 'string' || typeof c.neutralised !== 'boolean');
  return bad < 0 ? null : `the manifest's column ${bad + 1} of ${f.name} lacks a name, type, header or neutralised flag`;
}
