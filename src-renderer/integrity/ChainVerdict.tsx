import type { IntegrityReport } from '../../src-main/core/contract/integrity.js';
import { useApp } from '../app/store.js';
import { checkpointLabelIn } from '../app/worded-times.js';
import { printable } from '../../src-main/core/util/printable.js';

type Chain = IntegrityReport['chains'][number];

/**
 * A chain's verdict as the CLI and the PDF word it (verdictText from the main process):
 * "intact" in green only when nothing limits it and this workstation's run gave it; "intact,
 * with N unprotected values", "intact as far as this run can see" and a verdict not checked
 * here (another auditor's, or a record no key of this workstation signed) are marked, EMPTY and
 * BROKEN are errors.
 */
export function ChainVerdict({ c }: { c: Chain }) {
  const verdict = c.verdict ?? (c.intact ? 'intact' : 'broken');
  // Damage found in the cached rows after this verdict: it no longer speaks for the cache.
  if (c.cacheDamage) {
    return (
      <>
        <strong className="error-text" data-verdict="cache-damaged">
          NOT KNOWN: cache damaged
        </strong>
        <div className="small">
          row {printable(c.cacheDamage.row)} of the cache no longer matches what the sync stored; the verdict before ({verdict === 'intact' ? c.verdictText : verdict.toUpperCase()}) no longer applies.
        </div>
      </>
    );
  }
  const limited = verdict === 'intact' && (c.limits?.length ?? 0) > 0;
  // Another auditor's run gave it (a cache received from them), or no key of this workstation
  // signed its record (written into the file by something else): not a check made here, never green.
  const other = c.notCheckedHere;
  const cls = verdict !== 'intact' ? 'error-text' : limited || other ? 'warn' : 'ok-text';
  const word = verdict === 'intact' ? c.verdictText : verdict.toUpperCase();
  return (
    <>
      <strong className={cls} data-verdict={verdict} data-limited={limited ? 'yes' : undefined} data-given={other?.why}>
        {word}
      </strong>
      {other ? (
        <div className="small" data-testid="verdict-another-key">
          {printable(other.words)}, not checked here
        </div>
      ) : null}
    </>
  );
}

/** What the verdict could not see: the empty sentence, the anchor (or its absence) and every limit. */
export function ChainLimitMarks({ c }: { c: Chain }) {
  const tz = useApp((s) => s.timeZone);
  if (!c.limits && !c.verdictExplanation) return null;
  return (
    <ul className="limit-list small" aria-label={printable(`What the verification of ${c.tenant} ${c.table} cannot show`)}>
      {c.verdictExplanation ? <li data-limit-kind="empty">{printable(c.verdictExplanation)}</li> : null}
      {c.anchor ? <li className="muted">checked against {printable(checkpointLabelIn(c.anchor.label, tz))}</li> : null}
      {(c.limits ?? []).map((l) => (
        <li key={l.kind} data-limit-kind={l.kind}>
          <strong>{l.kind.replace('_', ' ')}</strong>: {printable(l.explanation)}
        </li>
      ))}
    </ul>
  );
}
