// The human rendering of a controls report (the CLI without --json): verdicts as words
// in one place, each naming the tenant and source it is about.
import { countStatuses, type ControlsReport } from './engine.js';
import type { ControlStatus } from './types.js';
import { printable } from '../util/printable.js';

export const STATUS_LABEL: Record<ControlStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  not_applicable: 'N/A',
  error: 'ERROR',
};

export function humanControlsReport(r: ControlsReport): string {
  const out: string[] = [];
  out.push(`Controls at ${r.source.label} (source fingerprint ${r.source.fingerprint.slice(0, 16)}…), checked ${r.checkedAt}`);
  out.push(`Effective policy: ${JSON.stringify(r.policy)}`);
  for (const t of r.tenants) {
    out.push('', `Tenant ${t.tenant}`);
    const width = Math.max(...t.controls.map((c) => c.id.length));
    for (const c of t.controls) out.push(`  ${STATUS_LABEL[c.status].padEnd(5)}  ${c.id.padEnd(width)}  ${c.summary}`);
  }
  const n = countStatuses(r);
  out.push('', `${n.pass} passed, ${n.fail} failed, ${n.warn} warnings, ${n.not_applicable} not applicable, ${n.error} could not run. Evidence and queries: --json.`);
  // Tenant ids and summaries quote the source's values: escaped as the verify report's are.
  return out.map(printable).join('\n') + '\n';
}
