// The drift section of a verification report as plain data and words (issue 19):
// no database here, so report.ts (bundled into the verify page) stays free of the cache.
import type { DriftFindingJson, DriftReportJson } from '../contract/verify-report.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export type { DriftFindingJson, DriftReportJson };

/** Findings listed in a report; the count is always exact. */
export const MAX_DRIFT_LISTED = 1000;

/** The CLI's lines for the drift section. */
export function humanDriftLines(d: DriftReportJson | undefined): string[] {
  if (!d?.count) return [];
  const lines = d.findings.map((f) => `DRIFT   ${f.explanation}`);
  if (d.findingsOmitted) lines.push(`  … and ${d.findingsOmitted} more drift finding(s), listed in --json only up to the limit.`);
  return lines;
}
