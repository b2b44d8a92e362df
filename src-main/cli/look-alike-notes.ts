// Two tenants whose names draw alike ("glоbex-bank" with a Cyrillic о beside "globex-bank")
// print identically in a terminal, so a verdict line could be read as the other tenant's.
// A line naming such a tenant also says which tenant of the same output it looks like, in
// the words the app's status line and report.pdf use. Human output only: --json keeps ids exact.
import { lookAlikes, lookAlikeWords } from '../core/util/printable.js';
import type { VerifyReport } from '../core/verify/report.js';

/** " (gl\u{43E}bex-bank looks like globex-bank)" after a name of `names` that draws like another of them, "" after any other. */
export function lookAlikeNote(names: readonly string[]): (name: string) => string {
  const alike = lookAlikes(names);
  return (name) => {
    const other = alike.get(name);
    return other === undefined ? '' : ` (${lookAlikeWords(name, other)})`;
  };
}

/**
 * A copy of a report for its human rendering, each tenant that looks like another of the
 * report named with the note. The core's renderers (humanReport, humanControlsReport) draw
 * a tenant id as given and use it for nothing else, so the note lands beside the name on
 * every line that names it.
 */
export function namingLookAlikes<R extends { tenants: readonly { tenant: string }[] }>(report: R, note = lookAlikeNote(report.tenants.map((t) => t.tenant))): R {
  return { ...report, tenants: report.tenants.map((t) => ({ ...t, tenant: `${t.tenant}${note(t.tenant)}` })) };
}

/**
 * namingLookAlikes for a verify report, whose sealed tables' lines name tenants too: there the
 * note follows the seal's sentence. `cachedTenants`: the other tenants of the cache verified,
 * so a run naming one tenant of a pair (--tenant) still says which it is not.
 */
export function verifyReportNamingLookAlikes(report: VerifyReport, cachedTenants: readonly string[] = []): VerifyReport {
  const note = lookAlikeNote([...[...report.tenants, ...report.seals].map((t) => t.tenant), ...cachedTenants]);
  return { ...namingLookAlikes(report, note), seals: report.seals.map((s) => ({ ...s, explanation: `${s.explanation}${note(s.tenant)}` })) };
}
