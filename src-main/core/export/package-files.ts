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
  /** only when rows of the package changed at the source after they were first cached (issue 19) */
  changes: 'changes.csv',
} as const;

export const CONVERSATION_HEADER = [
  'Log ID', 'Timestamp', 'Agent ID', 'Session ID', 'Channel', 'Prompt', 'Response', 'Model Info',
  'Model Provider', 'Model Name', 'Model Version', 'Deployment ID', 'Temperature', 'Safety Mode', 'Model Config',
] as const;

/** A name no package entry may have: absolute, climbing out with .., a backslash, a drive letter or a NUL. */
export function isUnsafePath(name: string): boolean {
  return (
    name === '' ||
    name.startsWith('/') ||
    name.startsWith('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.split('/').some((p) => p === '..')
  );
}
