// The names and fixed header of a package's files, apart from the code that writes
// them: the verify page inside every package (src-renderer/verify-page) bundles this
// module, and must not pull in the PDF and ZIP writers.
export const PACKAGE_FILES = {
  conversations: 'conversation_logs.csv',
  events: 'audit_events.csv',
  anomalies: 'anomalies.csv',
  reviews: 'reviews.csv',
  access: 'access_log.csv',
  verification: 'verification.json',
  report: 'report.pdf',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  signer: 'signer.pem',
  /** #18 (docs/tlog-evidence.md): the chain's signed C2SP checkpoint and the key that checks it */
  checkpoint: 'checkpoint.note',
  vkey: 'signer.vkey',
  /** the manifest signature again, in minisign's format (unnamed, like manifest.sig), and its public key */
  minisig: 'manifest.json.minisig',
  minisignKey: 'manifest.minisign.pub',
  /** with --previous: the earlier package's checkpoint and the RFC 6962 consistency proof from it */
  previousCheckpoint: 'previous-checkpoint.note',
  consistency: 'consistency.proof',
  /** the self-contained verify page */
  verifyPage: 'verify.html',
  /** only when rows of the package changed at the source after they were first cached (issue 19) */
  changes: 'changes.csv',
  /** added by `auditdesk cosign` after the package was signed (docs/tlog-evidence.md#cosignatures) */
  cosignature: 'checkpoint.cosig',
  cosigner: 'cosigner.pem',
} as const;

/** Files every package holds (access_log.csv only when it has rows; changes.csv only when drift was found). */
export const REQUIRED_FILES = [
  PACKAGE_FILES.signer,
  PACKAGE_FILES.report,
  PACKAGE_FILES.verification,
  PACKAGE_FILES.events,
  PACKAGE_FILES.conversations,
  PACKAGE_FILES.anomalies,
  PACKAGE_FILES.reviews,
] as const;

/** Entries the manifest cannot name, because they sign it. */
export const UNNAMED_FILES: readonly string[] = [PACKAGE_FILES.manifest, PACKAGE_FILES.signature, PACKAGE_FILES.minisig];

/**
 * Entries a second person adds after the package was signed (a QA cosignature): the
 * manifest cannot name them, and adding them leaves every signed byte as it was. They
 * are checked on their own terms (checkpoint.cosig must extend the signed checkpoint.note).
 */
export const COSIGNATURE_FILES: readonly string[] = [PACKAGE_FILES.cosignature, PACKAGE_FILES.cosigner];

export const CONVERSATION_HEADER = [
  'Log ID',
  'Timestamp',
  'Agent ID',
  'Session ID',
  'Channel',
  'Prompt',
  'Response',
  'Model Info',
  'Model Provider',
  'Model Name',
  'Model Version',
  'Deployment ID',
  'Temperature',
  'Safety Mode',
  'Model Config',
] as const;

/** A name no package entry may have: absolute, climbing out with .., a backslash, a drive letter or a NUL. */
export function isUnsafePath(name: string): boolean {
  return name === '' || name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name) || name.includes('\\') || name.includes('\0') || name.split('/').some((p) => p === '..');
}
