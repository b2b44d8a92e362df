// A saved controls report (`auditdesk controls --json > FILE`), read back to put the
// verdicts into an export's PDF. Only the shape the PDF needs is checked; the report
// is the auditor's own output, and its source fingerprint is printed beside it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { CONTROLS_FORMAT, type ControlsReport } from './engine.js';
import { CONTROL_STATUSES } from './types.js';

const reportSchema = z.object({
  format: z.literal(CONTROLS_FORMAT),
  checkedAt: z.string(),
  source: z.object({ label: z.string(), fingerprint: z.string() }),
  policy: z.record(z.string(), z.unknown()),
  tenants: z.array(
    z.object({
      tenant: z.string(),
      controls: z.array(z.object({ id: z.string(), status: z.enum(CONTROL_STATUSES), summary: z.string(), evidence: z.record(z.string(), z.unknown()), queries: z.array(z.string()) })),
    }),
  ),
});

export function readControlsReport(path: string, tenant?: string): ControlsReport {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the controls report ${path} (${(e as Error).message}).`, 'E_INPUT', 'Save one with `auditdesk controls --json > FILE`.');
  }
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${path} is not an ${CONTROLS_FORMAT} report (at ${issue?.path.join('.') || '(root)'}: ${issue?.message}).`, 'E_INPUT', 'Save one with `auditdesk controls --json > FILE`.');
  }
  const report = parsed.data as ControlsReport;
  if (tenant && !report.tenants.some((t) => t.tenant === tenant)) {
    throw new UserError(`the controls report ${path} holds no verdicts for tenant ${tenant}.`, 'E_INPUT', `Run \`auditdesk controls --tenant ${tenant} --json\` and pass that file.`);
  }
  return report;
}
