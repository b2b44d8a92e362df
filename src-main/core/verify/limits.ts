// What a chain verdict could not see (issues 20 and 21), as structured facts per
// chain, and their words: the CLI text, the PDF's "What this verification cannot show"
// and the Integrity screen all render these sentences, so they say the same.
//
//  - number_precision / duplicate_key: rows whose json/jsonb values the profile
//    cannot protect (a change to them would not change the hash).
//  - no_anchor: nothing recorded earlier to compare the chain with: rows removed from
//    its end, or a chain rewritten consistently from its start, are invisible.
//  - hidden_rows: a row-level-security policy filters on more than the tenant, so this
//    role may not see every row of the tenant (rows hidden at the end leave no gap).
//
// A chain with no visible rows gets the verdict `empty`, never "intact".
import { seqJson } from '../chain/seq.js';
import { printableLookAlike } from '../util/printable.js';
import type { ChainReportJson } from '../contract/verify-report.js';
import type { ChainResult } from './types.js';
import type { TablePolicies } from '../source/policies.js';
import type { ChainVerdict, ChainLimit, LimitKind, ChainAnchorJson, ChainLimitsJson } from '../contract/verify-report.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export type { ChainVerdict, ChainLimit, LimitKind, ChainAnchorJson, ChainLimitsJson };

export interface LimitContext {
  /** The policies on the chain's table (live source only). */
  policies?: TablePolicies;
  /** Other tenants this session or cache can see, to make a typo easy to spot. */
  otherTenants?: number;
  /** Where those tenants were seen (default: the live session). */
  otherTenantsIn?: 'session' | 'cache';
  /** Those of them whose ids draw like this chain's tenant (gl\u{43E}bex-bank beside globex-bank). */
  lookAlikeTenants?: string[];
  /** The profile the chain was verified with, for the sentences. */
  profileName?: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The sentence for an empty chain (issue 21), with the count of other visible tenants. */
export function emptySentence(tenant: string, otherTenants: number | undefined, where: 'session' | 'cache' = 'session', lookAlikeTenants: readonly string[] = []): string {
  const seen = where === 'cache' ? 'held in this cache' : 'visible to this session';
  // A look-alike id typed or pasted draws like the tenant meant: the sentence must not read as that tenant's.
  if (lookAlikeTenants.length) {
    const twins = lookAlikeTenants.map(printableLookAlike).join(' and ');
    return `no rows are visible for tenant ${printableLookAlike(tenant)}, which looks like tenant ${twins} ${seen} but is not the same id: check which one is meant.`;
  }
  const others = otherTenants ? ` ${fmt(otherTenants)} other tenant(s) are ${seen}: check the id.` : '';
  return `no rows are visible for tenant ${tenant}: the id may be wrong, row-level security may hide them from this role, or the chain was removed.${others}`;
}

/**
 * The anchor a chain was checked against: the farthest earlier head whose signature
 * is not invalid, else the cached copy when the live source was compared with it.
 */
export function anchorOf(r: ChainResult): ChainAnchorJson | null {
  const trusted = r.anchors.filter((a) => a.signature !== 'invalid');
  const farthest = trusted.reduce<(typeof trusted)[number] | null>((best, a) => (best === null || a.lastSeq > best.lastSeq ? a : best), null);
  if (farthest) return { origin: farthest.origin, label: farthest.label, lastSeq: seqJson(farthest.lastSeq) };
  if (r.reference && r.reference.referenceLastSeq !== null) {
    return { origin: 'cache', label: r.reference.label, lastSeq: seqJson(r.reference.referenceLastSeq) };
  }
  return null;
}

export function chainLimits(r: ChainResult, ctx: LimitContext = {}): ChainLimitsJson {
  const anchor = anchorOf(r);
  const limits: ChainLimit[] = [];
  for (const u of r.unprotected) {
    limits.push({
      kind: u.kind,
      rows: u.rows,
      firstSeq: seqJson(u.firstSeq),
      seqs: u.seqs.map(seqJson),
      explanation: `${fmt(u.rows)} rows carry values this profile (${ctx.profileName ?? 'jcs-sha256-v1'}) cannot protect (${u.kind === 'number_precision' ? 'json numbers a double cannot hold exactly' : 'repeated keys in a json value'}): changes to them would not be detected; first at seq ${u.firstSeq}. Chains written with jcs-exact-sha256-v2 protect them.`,
    });
  }
  if (anchor === null) {
    limits.push({
      kind: 'no_anchor',
      explanation:
        'no earlier checkpoint, anchor file, package or cached copy was compared: rows removed from the end of the chain, or a chain rewritten consistently from its start, would not be seen.',
    });
  }
  const hiding = ctx.policies?.hidingPredicates ?? [];
  if (hiding.length) {
    const p = ctx.policies!;
    limits.push({
      kind: 'hidden_rows',
      predicates: hiding,
      policies: p.policies.filter((x) => x.appliesToReads).map((x) => ({ name: x.name, using: x.using })),
      explanation: `this role may not see every row of the tenant: row-level security on ${p.table.name} also filters on ${hiding.map((h) => `"${h}"`).join(' and ')}, and rows hidden at the end of a chain leave no gap.`,
    });
  }
  const verdict: ChainVerdict = r.rows === 0 ? 'empty' : r.intact ? 'intact' : 'broken';
  return { verdict, verdictExplanation: verdict === 'empty' ? emptySentence(r.tenant, ctx.otherTenants, ctx.otherTenantsIn, ctx.lookAlikeTenants) : null, anchor, limits };
}

/** A chain entry with its verdict, anchor and limits; an empty chain is never intact. */
export function withLimits<T extends ChainReportJson>(entry: T, r: ChainResult, ctx: LimitContext = {}): T & ChainLimitsJson {
  const l = chainLimits(r, ctx);
  return { ...entry, intact: entry.intact && l.verdict !== 'empty', ...l };
}

/** An entry for a tenant the run was asked for but found no chain of (the cache holds none). */
export function emptyChainEntry(table: string, tenant: string, ctx: LimitContext = {}): ChainReportJson & ChainLimitsJson {
  const result: ChainResult = {
    table,
    tenant,
    rows: 0,
    intactRows: 0,
    intact: true,
    firstSeq: null,
    lastSeq: null,
    headHash: null,
    merkleRoot: null,
    breaks: [],
    breaksOmitted: 0,
    anchors: [],
    reference: null,
    unprotected: [],
  };
  return withLimits(
    { tenant, table, rows: 0, intactRows: 0, intact: false, firstSeq: null, lastSeq: null, headHash: null, merkleRoot: null, breaks: [], breaksOmitted: 0, checkpoints: [], cacheComparison: null },
    result,
    ctx,
  );
}

type WithLimits = Partial<ChainLimitsJson> & Pick<ChainReportJson, 'tenant' | 'intact' | 'rows'>;

/** How many values of the chain the profile could not protect. */
export function unprotectedRows(t: WithLimits): number {
  return (t.limits ?? []).reduce((n, l) => n + (l.kind === 'number_precision' || l.kind === 'duplicate_key' ? l.rows : 0), 0);
}

/**
 * The verdict in words: "empty", "broken", "intact", "intact, with N unprotected
 * values", "intact as far as this run can see". Reports stored before limits existed
 * (no `verdict`) read as they did.
 */
export function verdictPhrase(t: WithLimits): string {
  const verdict = t.verdict ?? (t.intact ? 'intact' : 'broken');
  if (verdict !== 'intact') return verdict;
  const lost = unprotectedRows(t);
  if (lost) return `intact, with ${fmt(lost)} unprotected value(s)`;
  if ((t.limits ?? []).some((l) => l.kind === 'no_anchor' || l.kind === 'hidden_rows')) return 'intact as far as this run can see';
  return 'intact';
}

/** The CLI's lines for one chain's limits and anchor (indented under its verdict line). */
export function limitLines(t: WithLimits): string[] {
  const lines: string[] = [];
  if (t.verdictExplanation) lines.push(`  ${t.verdictExplanation}`);
  if (t.anchor) lines.push(`  checked against ${t.anchor.label}.`);
  for (const l of t.limits ?? []) lines.push(`  limit [${l.kind}] ${l.explanation}`);
  return lines;
}
