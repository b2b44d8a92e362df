// The latest stored chain verdict per tenant, shared by every place a tenant appears (status
// line, Timeline header, tenant facet, Export preview): a broken chain must be visible
// wherever the tenant is, not only on the Integrity screen. Read from integrity.report (the
// verdicts the last verification stored); refreshed with each status poll.
import { create } from 'zustand';
import type { IntegrityReport, NotCheckedHere } from '../../src-main/core/contract/integrity.js';
import { api } from '../api/client.js';

export interface TenantChainVerdict {
  tenant: string;
  /** breaks found in this tenant's chains by their latest verification (listed + omitted) */
  breaks: number;
  /** the chained tables that are broken, e.g. ["audit_logs"] */
  brokenTables: string[];
  /** the chained tables whose cached rows a verdict found damaged since their verdict: not known now */
  damagedTables: string[];
  /** the chained tables with no row to verify (verdict EMPTY): neither intact nor broken */
  emptyTables: string[];
  checkedAt: string;
  /** what the latest run compared: the cache, the source, or both (null: an earlier run) */
  against: 'source' | 'cache' | 'source+cache' | null;
  /** why one of these verdicts is not a check made on this workstation (another auditor's run, or a record no auditor key signed), else null */
  notCheckedHere: NotCheckedHere | null;
}

interface ChainVerdictsState {
  byTenant: Record<string, TenantChainVerdict>;
  load(): Promise<void>;
}

export function verdictsByTenant(report: IntegrityReport): Record<string, TenantChainVerdict> {
  const out: Record<string, TenantChainVerdict> = {};
  for (const c of report.chains) {
    const v = (out[c.tenant] ??= { tenant: c.tenant, breaks: 0, brokenTables: [], damagedTables: [], emptyTables: [], checkedAt: c.checkedAt, against: null, notCheckedHere: null });
    v.notCheckedHere ??= c.notCheckedHere;
    if (c.cacheDamage) v.damagedTables.push(c.table);
    // An empty chain was not intact, but nothing in it broke either: counting it as one break read "chain broken: 1 break".
    const empty = !c.cacheDamage && c.verdict === 'empty';
    if (empty) v.emptyTables.push(c.table);
    const breaks = c.intact || c.cacheDamage || empty ? 0 : Math.max(1, c.breaks.length + c.breaksOmitted);
    v.breaks += breaks;
    if (breaks) v.brokenTables.push(c.table);
    if (c.checkedAt > v.checkedAt) v.checkedAt = c.checkedAt;
    if (report.lastRun && c.reportId === report.lastRun.reportId) v.against = report.lastRun.target;
  }
  return out;
}

let lastJson = '';

export const useChainVerdicts = create<ChainVerdictsState>((set) => ({
  byTenant: {},
  load: async () => {
    try {
      const byTenant = verdictsByTenant(await api['integrity.report']({}));
      // Unchanged verdicts keep the same object, so screens do not re-render every poll.
      const json = JSON.stringify(byTenant);
      if (json !== lastJson) {
        lastJson = json;
        set({ byTenant });
      }
    } catch {
      /* the status line already says when the app process is not answering */
    }
  },
}));

/** Whether a tenant's chain verdict needs a warning wherever the tenant appears. */
export function needsWarning(v: TenantChainVerdict | undefined): v is TenantChainVerdict {
  return Boolean(v && (v.breaks > 0 || v.damagedTables.length > 0 || v.emptyTables.length > 0));
}

/** Whether a tenant's chain verdict says intact but is not a check made here (another auditor's, or a record no key here signed): no tick either. */
export function intactNotCheckedHere(v: TenantChainVerdict | undefined): v is TenantChainVerdict & { notCheckedHere: NotCheckedHere } {
  return Boolean(v?.notCheckedHere) && !needsWarning(v);
}

/** "2 breaks" / "1 break", or that the verdict is not known or had no row: how the chain verdict reads next to a tenant. */
export function breaksLabel(v: TenantChainVerdict): string {
  const damaged = v.damagedTables.length ? 'cache damaged: chain verdict not known' : '';
  const broken = v.breaks
    ? `chain broken: ${v.breaks} ${v.breaks === 1 ? 'break' : 'breaks'}${v.notCheckedHere ? (v.notCheckedHere.why === 'another-key' ? " (another auditor's verdict)" : ' (not checked here)') : ''}`
    : '';
  const empty = v.emptyTables.length ? 'chain empty: no row to verify' : '';
  return [broken, damaged, empty].filter(Boolean).join('; ');
}

export function againstLabel(against: TenantChainVerdict['against']): string {
  return against === 'source' ? 'the source' : against === 'cache' ? 'the cache' : against === 'source+cache' ? 'the source and the cache' : 'an earlier run';
}
