// The verification report: one JSON document per run (docs/verify-report.md), and
// its human rendering for the CLI. Seqs are JSON numbers when exact (|v| ≤ 2^53−1),
// else decimal strings, so no reader loses a digit.
import { seqJson } from '../chain/seq.js';
import { printable } from '../util/printable.js';
import type { SealReport } from './seal-compare.js';
import type { BreakKind, ChainResult } from './types.js';
import { limitLines, verdictPhrase } from './limits.js';
import { humanDriftLines } from './drift-words.js';
import { driftSentence } from '../sync/drift-words.js';
import type { JsonSeq } from '../chain/seq.js';
// Re-exported: it was defined here before it moved to chain/seq.ts.
export type { JsonSeq };

export type { BreakJson, ChainReportJson, CheckpointComparisonJson, RecordedCheckpointJson } from '../contract/verify-report.js';
import type { BreakFacts, ChainReportJson } from '../contract/verify-report.js';
import { REPORT_FORMAT, type VerifyReport, type PoliciesJson } from '../contract/verify-report.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export { REPORT_FORMAT, type VerifyReport, type PoliciesJson };

const seqOrNull = (s: bigint | null) => (s === null ? null : seqJson(s));

/** A break's facts with every seq (the only bigints in them) as a JSON seq. */
function factsJson(f: BreakFacts<bigint>): BreakFacts {
  const walk = (v: unknown): unknown => (typeof v === 'bigint' ? seqJson(v) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v);
  return walk(f) as BreakFacts;
}

export function chainReportJson(r: ChainResult): ChainReportJson {
  return {
    tenant: r.tenant,
    table: r.table,
    rows: r.rows,
    intactRows: r.intactRows,
    intact: r.intact,
    firstSeq: seqOrNull(r.firstSeq),
    lastSeq: seqOrNull(r.lastSeq),
    headHash: r.headHash,
    merkleRoot: r.merkleRoot,
    breaks: r.breaks.map((b) => ({
      seq: seqOrNull(b.seq),
      kind: b.kind,
      id: b.id,
      expected: b.expected,
      found: b.found,
      time: b.time,
      explanation: b.explanation,
      facts: factsJson(b.facts),
    })),
    breaksOmitted: r.breaksOmitted,
    checkpoints: r.anchors.map((a) => ({
      checkpointId: a.checkpointId,
      origin: a.origin,
      label: a.label,
      lastSeq: seqJson(a.lastSeq),
      headHash: a.headHash,
      createdAt: a.createdAt,
      signature: a.signature,
      outcome: a.outcome,
      foundHash: a.foundHash,
    })),
    cacheComparison: r.reference
      ? {
          compared: r.reference.compared,
          differing: r.reference.differing,
          firstDifferentSeq: seqOrNull(r.reference.firstDifferentSeq),
          cacheLastSeq: seqOrNull(r.reference.referenceLastSeq),
        }
      : null,
  };
}

export function summarise(tenants: ChainReportJson[], seals: SealReport[]): VerifyReport['summary'] {
  const byKind: Partial<Record<BreakKind, number>> = {};
  let breaks = 0;
  for (const t of tenants) {
    for (const b of t.breaks) byKind[b.kind] = (byKind[b.kind] ?? 0) + 1;
    breaks += t.breaks.length + t.breaksOmitted;
  }
  return {
    chains: tenants.length,
    rows: tenants.reduce((n, t) => n + t.rows, 0),
    intactRows: tenants.reduce((n, t) => n + t.intactRows, 0),
    breaks,
    byKind,
    sealsChecked: seals.length,
    sealsChanged: seals.filter((s) => !s.intact).length,
    driftFindings: 0,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The CLI's human output: one verdict line per chain, then every break's sentence. */
export function humanReport(r: VerifyReport): string {
  const lines: string[] = [];
  const what = r.target === 'source+cache' ? `${r.source?.label} against cache ${r.cache?.path}` : r.target === 'source' ? r.source?.label : `cache ${r.cache?.path}`;
  if (r.reusedFrom) {
    lines.push(
      `Verdict of ${r.reusedFrom.checkedAt} (stored report #${r.reusedFrom.reportId}, ${what} with profile ${r.profile.name}), given again without re-reading any row: the cache's change counter has not moved since, and every trigger that moves it is in place.`,
    );
    lines.push('A change that bypasses the counter (a disk fault, a byte edited by hand, triggers dropped and put back) is seen only by re-reading: add --full to re-read and re-hash every row now.');
  } else lines.push(`Verified ${what} with profile ${r.profile.name} at ${r.checkedAt}.`);
  for (const t of r.tenants) {
    const head = t.lastSeq === null ? 'no rows' : `seq ${t.firstSeq}–${t.lastSeq}, head ${t.headHash?.slice(0, 16)}…`;
    const cps = t.checkpoints.length ? `; ${t.checkpoints.length} checkpoint(s) compared` : '';
    const word = (t.verdict ?? (t.intact ? 'intact' : 'broken')).toUpperCase().padEnd(7);
    lines.push(
      `${word} ${t.table} · tenant ${t.tenant}: ${verdictPhrase(t)}; ${fmt(t.rows)} rows (${head}), ${fmt(t.intactRows)} intact${t.breaks.length || t.breaksOmitted ? `, ${fmt(t.breaks.length + t.breaksOmitted)} break(s)` : ''}${cps}.`,
    );
    lines.push(...limitLines(t));
    for (const b of t.breaks) lines.push(`  [${b.kind}] ${b.explanation}`);
    if (t.breaksOmitted) lines.push(`  … and ${fmt(t.breaksOmitted)} more break(s), listed in --json only up to the limit.`);
    for (const c of t.checkpoints) {
      if (c.outcome === 'extended') continue;
      lines.push(`  checkpoint ${c.label}: ${c.outcome}${c.signature !== 'valid' ? ` (signature ${c.signature})` : ''}.`);
    }
  }
  // A seal over no rows commits to nothing: unchanged, but not "intact" (the app says "empty" too).
  for (const s of r.seals) lines.push(`${s.intact && s.rowsSealed === 0 ? 'EMPTY  ' : s.intact ? 'INTACT ' : 'CHANGED'} ${s.explanation}`);
  lines.push(...humanDriftLines(r.drift));
  for (const n of r.notes) lines.push(`note: ${n}`);
  const sum = r.summary;
  const kinds = Object.entries(sum.byKind)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const empty = r.tenants.filter((t) => t.verdict === 'empty');
  lines.push(
    r.intact
      ? `All ${sum.chains} chain(s)${sum.sealsChecked ? ` and ${sum.sealsChecked} seal(s)` : ''} intact (${fmt(sum.rows)} rows).`
      : r.verdict === 'empty'
        ? `EMPTY: ${empty.length} of ${sum.chains} chain(s) have no visible rows (${empty.map((t) => t.tenant).join(', ')}); nothing was proven for them.`
        : `Integrity broken: ${fmt(sum.breaks)} break(s)${kinds ? ` (${kinds})` : ''}${sum.sealsChanged ? `, ${sum.sealsChanged} sealed table(s) changed` : ''}${sum.driftFindings ? `; ${driftSentence(sum.driftFindings)}` : ''}.`,
  );
  const limited = r.tenants.filter((t) => t.verdict === 'intact' && t.limits?.length);
  if (r.intact && limited.length) lines.push(`${limited.length} chain(s) are intact only as far as the limits above allow.`);
  if (r.checkpointsRecorded.length) lines.push(`Recorded ${r.checkpointsRecorded.length} signed checkpoint(s) (key ${r.checkpointsRecorded[0]!.keyId}).`);
  // Tenant ids, row values and cached checkpoint labels are others' text: no control or bidi
  // character of theirs may move the terminal's cursor over the verdict.
  return lines.map(printable).join('\n') + '\n';
}
