// The controls engine: every control, per tenant, on one read-only source session.
// A control that throws is `error` with its reason (never a silent pass); the report
// is the auditdesk-controls-v1 document the CLI prints, the screen shows and the PDF lists.
import type { SourceSession, TableMapping } from '../source/index.js';
import { isUserError, redactSecrets, UserError } from '../util/errors.js';
import { accessLogCoverage } from './access-log.js';
import { aiConfigChangeLogged, aiModelTraceability, aiSafetyMode, aiSecrets, aiTemperature } from './ai.js';
import { authorsFields } from './authors.js';
import { chainIntact } from './chain.js';
import type { DlqFile } from './dlq-file.js';
import { dlqReconciled } from './dlq.js';
import { encryptionIpAddress } from './encryption.js';
import { immutabilityGuard, immutabilityPrivileges } from './immutability.js';
import { DEFAULT_POLICY, type ControlsPolicy } from './policy.js';
import { retentionArchive, retentionDeletion } from './retention.js';
import { rlsEnabled, rlsPolicy, tenantIsolation } from './rls.js';
import { ControlCannotRun, type Control, type ControlContext, type ControlResult, type ControlStatus } from './types.js';

import { CONTROLS_FORMAT, type ControlsReport } from '../contract/controls-policy.js';

// Re-exported: the report's shape lives in the contract (a leaf, issue 12).
export { CONTROLS_FORMAT, type ControlsReport };

/** In contract order; immutability.guard reads the verdict of immutability.privileges. */
export const CONTROLS: readonly Control[] = [
  rlsEnabled,
  rlsPolicy,
  tenantIsolation,
  immutabilityPrivileges,
  immutabilityGuard,
  chainIntact,
  retentionArchive,
  retentionDeletion,
  accessLogCoverage,
  encryptionIpAddress,
  aiModelTraceability,
  aiTemperature,
  aiSafetyMode,
  aiSecrets,
  aiConfigChangeLogged,
  authorsFields,
  dlqReconciled,
];

export const CONTROL_IDS: readonly string[] = CONTROLS.map((c) => c.id);

export interface ControlsOptions {
  session: SourceSession;
  tenants: string[];
  mapping?: TableMapping;
  policy?: ControlsPolicy;
  dlq?: DlqFile[];
  /** Only these control ids (default: all). */
  only?: string[];
  onProgress?: (p: { tenant: string; control: string }) => void;
  signal?: AbortSignal;
}

export async function runControls(opts: ControlsOptions): Promise<ControlsReport> {
  const checkedAt = new Date().toISOString();
  const policy = opts.policy ?? DEFAULT_POLICY;
  const fp = await opts.session.fingerprint();
  const tables = await opts.session.discover(opts.mapping);
  const tenants = opts.tenants.length ? opts.tenants : await opts.session.tenants();
  if (!tenants.length) {
    throw new UserError('no tenant named and none visible at the source.', 'E_NO_TENANT', 'Name one with --tenant (row-level security shows nothing without a tenant).');
  }
  const unknown = (opts.only ?? []).filter((id) => !CONTROL_IDS.includes(id));
  if (unknown.length) throw new UserError(`unknown control ${unknown.join(', ')}.`, 'E_INPUT', `Known controls: ${CONTROL_IDS.join(', ')}.`);
  const selected = opts.only?.length ? CONTROLS.filter((c) => opts.only!.includes(c.id)) : CONTROLS;
  const report: ControlsReport = { format: CONTROLS_FORMAT, checkedAt, source: { label: opts.session.label, fingerprint: fp.fingerprint }, policy, tenants: [] };
  for (const tenant of tenants) {
    const earlier = new Map<string, ControlResult>();
    const controls: ControlResult[] = [];
    for (const control of selected) {
      if (opts.signal?.aborted) throw new UserError('controls run cancelled.', 'E_CANCELLED');
      opts.onProgress?.({ tenant, control: control.id });
      const result = await runOne(control, {
        tenant,
        tables,
        mapping: opts.mapping,
        policy,
        dlq: opts.dlq ?? [],
        session: opts.session,
        earlier,
      });
      earlier.set(control.id, result);
      controls.push(result);
    }
    report.tenants.push({ tenant, controls });
  }
  return report;
}

async function runOne(control: Control, base: Omit<ControlContext, 'query' | 'record'>): Promise<ControlResult> {
  const queries: string[] = [];
  const record = (sql: string) => {
    const text = dedent(sql);
    if (!queries.includes(text)) queries.push(text);
  };
  const ctx: ControlContext = {
    ...base,
    record,
    query: (sql, params = [], tenant) => {
      record(sql);
      return base.session.query(sql, params, tenant === null ? undefined : (tenant ?? base.tenant));
    },
  };
  try {
    const outcome = await control.run(ctx);
    return { id: control.id, status: outcome.status, summary: outcome.summary, evidence: outcome.evidence, queries };
  } catch (e) {
    // A lost connection ends the run: the later controls could not run either.
    if (isUserError(e) && e.code === 'E_CONNECTION_LOST') throw e;
    const reason = e instanceof ControlCannotRun || isUserError(e) ? e.message : `${(e as Error)?.message ?? String(e)}`;
    return {
      id: control.id,
      status: 'error',
      summary: `could not run: ${redactSecrets(reason)}`,
      evidence: { reason: redactSecrets(reason) },
      queries,
    };
  }
}

/** Query text as written in the source, without the template's indentation. */
function dedent(sql: string): string {
  const lines = sql.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(
    ...lines
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => l.match(/^ */)![0].length),
  );
  return lines.map((l, i) => (i === 0 || !Number.isFinite(indent) ? l : l.slice(Math.max(0, indent - 2)))).join('\n');
}

export function worstStatus(report: ControlsReport): 'fail' | 'error' | 'ok' {
  const all = report.tenants.flatMap((t) => t.controls.map((c) => c.status));
  if (all.includes('fail')) return 'fail';
  if (all.includes('error')) return 'error';
  return 'ok';
}

export function countStatuses(report: ControlsReport): Record<ControlStatus, number> {
  const out: Record<ControlStatus, number> = { pass: 0, fail: 0, warn: 0, not_applicable: 0, error: 0 };
  for (const t of report.tenants) for (const c of t.controls) out[c.status]++;
  return out;
}
