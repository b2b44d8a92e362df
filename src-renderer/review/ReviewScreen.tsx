// Review (issue 14): review by exception. Everything in the engagement that needs a human
// decision (chain breaks, EMPTY chains, drift, anomalies at or above the threshold,
// model/config findings, failed controls) with its evidence as a readable table; each
// decision signed (disposition, meaning from the fixed list, note, optional reference);
// superseded decisions stay visible; the review is completed by a signed record that
// lists any item left open.
import { useCallback, useEffect, useState } from 'react';
import type { DecisionView, Disposition, ExceptionItem, ExceptionKind, ExceptionQueue, SignatureMeaning } from '../../src-main/core/contract/review.js';
import { printable, printableText } from '../../src-main/core/util/printable.js';
import { api, errorCode, errorMessage } from '../api/client.js';
import { countOf, formatTs, type TimeZoneMode } from '../app/format.js';
import { verificationSourceIn } from '../app/worded-times.js';
import { useApp } from '../app/store.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { Dialog, SignatureFields, signingInput, type Signature } from './SignDialog.js';
import { CacheDamageNotice } from '../app/CacheDamageNotice.js';
import './review.css';

// The contract's lists, restated here because the renderer imports the contract as types
// only; the two checks below fail the build if a value is added there and not here.
const DISPOSITION_LABELS = {
  confirmed: 'Confirmed (a real exception)',
  false_positive: 'False positive',
  accepted_risk: 'Accepted risk',
  escalated: 'Escalated',
} as const satisfies Record<Disposition, string>;
const MEANINGS = ['Reviewed', 'Approved', 'Confirmed as exception', 'Dismissed as false positive', 'Risk accepted', 'Escalated', 'Review completed'] as const satisfies readonly SignatureMeaning[];
const allMeaningsListed: Exclude<SignatureMeaning, (typeof MEANINGS)[number]> extends never ? true : false = true;
void allMeaningsListed;
const KIND_LABELS = {
  chain_break: 'Chain breaks',
  chain_empty: 'Empty chains',
  drift: 'Changes at the source',
  anomaly: 'Anomalies',
  model_finding: 'Model/config findings',
  control_failure: 'Failed controls',
} as const satisfies Record<ExceptionKind, string>;

/** An error of a signing attempt in the app's words (the core's hint for E_PASSWORD names CLI flags). */
function signingError(e: unknown): string {
  return errorCode(e) === 'E_PASSWORD' ? 'Wrong password for this identity.' : errorMessage(e);
}

/**
 * One signing attempt of a dialog: the signature the fields gave, busy while it runs, and
 * the error of a refused attempt (nothing was recorded then); `onDone` after a recorded one.
 */
function useSigning(onDone: () => void, sign: (signed: Awaited<ReturnType<typeof signingInput>>) => Promise<void>) {
  const [signature, setSignature] = useState<Signature | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!signature) return;
    setBusy(true);
    setError(null);
    try {
      await sign(await signingInput(signature));
      onDone();
    } catch (e) {
      setError(signingError(e));
      setBusy(false);
    }
  };
  return { signature, setSignature, error, busy, submit };
}

/** The meaning a disposition usually carries; the reviewer may choose another. */
const USUAL_MEANING: Record<Disposition, SignatureMeaning> = {
  confirmed: 'Confirmed as exception',
  false_positive: 'Dismissed as false positive',
  accepted_risk: 'Risk accepted',
  escalated: 'Escalated',
};

/** A signing time in the chosen zone, always with its zone or offset (formatTs adds it). */
function when(ts: string, tz: TimeZoneMode): string {
  return formatTs(ts, tz);
}

function DecisionLine({ d, superseded, tz }: { d: DecisionView; superseded: boolean; tz: TimeZoneMode }) {
  return (
    <li className={superseded ? 'decision superseded' : 'decision'} data-testid={superseded ? 'decision-superseded' : 'decision-current'}>
      {superseded ? <span className="tag">superseded</span> : null} <strong>{DISPOSITION_LABELS[d.disposition]}</strong>
      {d.reference ? ` · ${printable(d.reference)}` : ''} · “{d.signature.meaning}” · signed by <strong>{printable(d.signature.signerName)}</strong> at {when(d.signature.signedAt, tz)}
      <div className="decision-note">{printableText(d.note)}</div>
    </li>
  );
}

function ItemView({ item, tz, onDecide }: { item: ExceptionItem; tz: TimeZoneMode; onDecide(item: ExceptionItem): void }) {
  const open = item.status === 'open';
  const title = printable(item.title);
  return (
    <li className="exception" data-item={item.itemId} data-status={item.status} data-kind={item.kind}>
      <div className="exception-head">
        <span className={open ? 'tag tag-open' : 'tag tag-decided'}>{open ? 'OPEN' : 'DECIDED'}</span>
        <span className="exception-title">{title}</span>
        <button type="button" onClick={() => onDecide(item)} aria-label={`${item.decision ? 'Decide again' : 'Decide'}: ${title}`}>
          {item.decision ? 'Decide again…' : 'Decide…'}
        </button>
      </div>
      {item.decisionOnEarlierEvidence ? <p className="error-text small">The item changed after its latest decision was signed: it needs deciding again.</p> : null}
      <details>
        <summary>Evidence ({printable(verificationSourceIn(item.source, tz))})</summary>
        {/* A decision signs these values as recorded, so they are shown unconverted. */}
        <p className="muted small">As recorded, and as a decision signs it: times in UTC.</p>
        <table className="data-table evidence-table" aria-label={`Evidence of ${title}`}>
          <tbody>
            {item.evidence.map((f) => (
              <tr key={f.label}>
                <th scope="row">{printable(f.label)}</th>
                <td>{printableText(f.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {item.decision || item.unsignedHistory.length ? (
        <ul className="decisions" aria-label={`Decisions on ${title}`}>
          {item.decision ? <DecisionLine d={item.decision} superseded={false} tz={tz} /> : null}
          {item.history.map((d) => (
            <DecisionLine key={d.decisionId} d={d} superseded tz={tz} />
          ))}
          {item.unsignedHistory.map((u) => (
            <li key={u.reviewId} className="decision superseded">
              <span className="tag">unsigned</span> {printable(u.decision)} by “{printable(u.reviewer)}” (a typed name, no signature) at {when(u.reviewedAt, tz)}
              <div className="decision-note">{printableText(u.note)}</div>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function DecideDialog({ item, onClose, onDone }: { item: ExceptionItem; onClose(): void; onDone(): void }) {
  const [disposition, setDisposition] = useState<Disposition>('confirmed');
  const [meaning, setMeaning] = useState<SignatureMeaning>(USUAL_MEANING.confirmed);
  const [note, setNote] = useState('');
  const [reference, setReference] = useState('');
  const { signature, setSignature, error, busy, submit } = useSigning(onDone, async (signed) => {
    await api['review.decide']({
      itemId: item.itemId,
      evidenceHash: item.evidenceHash,
      disposition,
      meaning,
      note,
      ...(reference.trim() ? { reference: reference.trim() } : {}),
      ...signed,
    });
  });
  return (
    <Dialog title={`Decide: ${printable(item.title)}`} onClose={onClose}>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Disposition
          <select
            aria-label="Disposition"
            value={disposition}
            onChange={(e) => {
              const d = e.target.value as Disposition;
              setDisposition(d);
              setMeaning(USUAL_MEANING[d]);
            }}
          >
            {(Object.keys(DISPOSITION_LABELS) as Disposition[]).map((d) => (
              <option key={d} value={d}>
                {DISPOSITION_LABELS[d]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Meaning of the signature
          <select aria-label="Meaning of the signature" value={meaning} onChange={(e) => setMeaning(e.target.value as SignatureMeaning)}>
            {MEANINGS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="span2">
          Note (required)
          <textarea aria-label="Note" required rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <label className="span2">
          Reference (optional: a CAPA or ticket id)
          <input aria-label="Reference" value={reference} onChange={(e) => setReference(e.target.value)} />
        </label>
        <div className="span2">
          <SignatureFields onChange={setSignature} />
        </div>
        {error ? (
          <p className="error-text span2" role="alert" data-testid="decide-error">
            {error} Nothing was recorded.
          </p>
        ) : null}
        <div className="span2 dialog-actions">
          <button type="submit" className="primary" disabled={!signature || !note.trim() || busy}>
            Sign decision
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CompleteDialog({ queue, onClose, onDone }: { queue: ExceptionQueue; onClose(): void; onDone(): void }) {
  const openItems = queue.items.filter((i) => i.status === 'open');
  const [note, setNote] = useState('');
  const [acceptOpen, setAcceptOpen] = useState(false);
  const { signature, setSignature, error, busy, submit } = useSigning(onDone, async (signed) => {
    await api['review.complete']({ note, acceptOpenItems: acceptOpen, ...signed });
  });
  return (
    <Dialog title="Complete the review" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>
          {countOf(queue.coverage.total, 'item')}: {queue.coverage.decided} decided, {queue.coverage.open} open. The completion is signed with the meaning “Review completed”.
        </p>
        {openItems.length ? (
          <div className="warn-box">
            <p>These items are still open and will be listed as open in the signed completion:</p>
            <ul data-testid="open-at-completion">
              {openItems.map((i) => (
                <li key={i.itemId}>{printable(i.title)}</li>
              ))}
            </ul>
            <label>
              <input type="checkbox" checked={acceptOpen} onChange={(e) => setAcceptOpen(e.target.checked)} /> I complete the review with these items open
            </label>
          </div>
        ) : null}
        <label className="block">
          Note (required)
          <textarea aria-label="Completion note" required rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <SignatureFields onChange={setSignature} />
        {error ? (
          <p className="error-text" role="alert" data-testid="complete-error">
            {error} Nothing was recorded.
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={!signature || !note.trim() || busy || (openItems.length > 0 && !acceptOpen)}>
            Sign completion
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type StatusFilter = 'all' | 'open' | 'decided';

export function ReviewScreen() {
  const tz = useApp((s) => s.timeZone);
  const [queue, setQueue] = useState<ExceptionQueue | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<StatusFilter>('all');
  const [deciding, setDeciding] = useState<ExceptionItem | null>(null);
  const [completing, setCompleting] = useState(false);
  const load = useCallback(() => {
    api['review.queue']({ status: 'all' }).then(
      (q) => {
        setQueue(q);
        setError(null);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(() => load(), [load]);
  const closeDecide = useCallback(() => setDeciding(null), []);
  const closeComplete = useCallback(() => setCompleting(false), []);
  // A recorded signature changes the queue: close the dialog and read the queue again.
  const afterSigning = (close: () => void) => () => {
    close();
    load();
  };

  if (error) return <ErrorState message={error} onRetry={load} />;
  if (!queue) return <Loading label="Reading the exceptions queue…" />;
  const c = queue.coverage;
  const kinds = (Object.keys(c.byKind) as ExceptionKind[]).filter((k) => c.byKind[k].total > 0);
  const shown = queue.items.filter((i) => filter === 'all' || i.status === filter);
  const done = queue.completion;
  const damaged = queue.cacheDamage.length > 0;
  return (
    <div className="review-screen">
      <h1>Review</h1>
      {damaged ? (
        <CacheDamageNotice damage={queue.cacheDamage}>
          The chain items below come from those verdicts, so breaks may be missing, and the review cannot be completed until the cache is rebuilt:{' '}
          <a href="#/integrity">Rebuild the cache on the Integrity screen</a>
        </CacheDamageNotice>
      ) : null}
      {queue.verifiedElsewhere.length ? (
        <div className="banner" role="status" data-testid="review-verified-elsewhere">
          The chain items below come from verdicts not checked on this workstation ({countOf(queue.verifiedElsewhere.length, 'chain')}; first:{' '}
          {printable(queue.verifiedElsewhere[0]!.notCheckedHere.words)}): the review can be completed once this workstation has verified the cache.{' '}
          <a href="#/integrity">Verify it on the Integrity screen</a>
        </div>
      ) : null}
      <section aria-label="Coverage" className="review-coverage">
        <p data-testid="review-coverage" className={c.open || damaged || queue.verifiedElsewhere.length ? 'error-text' : c.total ? 'ok-text' : undefined}>
          <strong>
            {countOf(c.total, 'exception')}: {c.decided} decided, {c.open} open
          </strong>
        </p>
        {kinds.length ? (
          <table className="data-table coverage-table" aria-label="Coverage by kind">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Items</th>
                <th scope="col">Decided</th>
                <th scope="col">Open</th>
              </tr>
            </thead>
            <tbody>
              {kinds.map((k) => (
                <tr key={k}>
                  <th scope="row">{KIND_LABELS[k]}</th>
                  <td>{c.byKind[k].total}</td>
                  <td>{c.byKind[k].decided}</td>
                  <td className={c.byKind[k].open ? 'error-text' : undefined}>{c.byKind[k].open}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <p data-testid="review-completion">
          {done ? (
            <>
              Review completed by <strong>{printable(done.signature.signerName)}</strong> at {when(done.signature.signedAt, tz)}, “{done.signature.meaning}”
              {done.openItemIds.length ? <span className="error-text">, with {countOf(done.openItemIds.length, 'item')} signed off as open</span> : null}. {printableText(done.note)}
            </>
          ) : (
            <span className="error-text">Review not completed: no signed completion record.</span>
          )}{' '}
          <button type="button" onClick={() => setCompleting(true)} disabled={damaged || queue.verifiedElsewhere.length > 0 || (!queue.items.length && !c.total)}>
            {done ? 'Complete again…' : 'Complete the review…'}
          </button>
        </p>
      </section>
      <div className="review-toolbar" role="radiogroup" aria-label="Show">
        {(['all', 'open', 'decided'] as const).map((f) => (
          <label key={f}>
            <input type="radio" name="review-filter" checked={filter === f} onChange={() => setFilter(f)} /> {f === 'all' ? 'All' : f === 'open' ? 'Open' : 'Decided'}
          </label>
        ))}
      </div>
      {!queue.items.length ? (
        <Empty title={damaged ? 'No exception listed, but the cache is damaged (see above).' : 'Nothing needs a decision.'}>
          {damaged ? null : "No chain break, drift, anomaly at or above the threshold, model/config finding or failed control in this engagement's cache. Sync and verify first if the cache is new."}
        </Empty>
      ) : !shown.length ? (
        <Empty title={`No ${filter} item.`} />
      ) : (
        <ul className="exception-list" aria-label="Exceptions">
          {shown.map((i) => (
            <ItemView key={i.itemId} item={i} tz={tz} onDecide={setDeciding} />
          ))}
        </ul>
      )}
      {deciding ? <DecideDialog item={deciding} onClose={closeDecide} onDone={afterSigning(closeDecide)} /> : null}
      {completing ? <CompleteDialog queue={queue} onClose={closeComplete} onDone={afterSigning(closeComplete)} /> : null}
    </div>
  );
}
