import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AnomalySummary, ReviewDecision } from '../../src-main/core/contract/anomalies.js';
import type { RecordSummary } from '../../src-main/core/contract/records.js';
import { printable, printableText } from '../../src-main/core/util/printable.js';
import { selectCacheTenants, useApp } from '../app/store.js';
import { LookAlikeMark, LookAlikeNote, tenantChoiceLabel, useCachedTenantLookAlikes } from '../app/LookAlike.js';
import { useShortcuts } from '../app/keys.js';
import { anomalyTitle, featureWords, scoreLabel } from './describe.js';
import { countOf, formatCount, formatTs } from '../app/format.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { errorMessage } from '../api/client.js';
import { Highlighted } from '../timeline/Highlighted.js';
import { DEFAULT_THRESHOLD, useAnomalies } from './store.js';
import { FindingsView } from './FindingsView.js';
import { navigate } from '../app/routes.js';

const MEANINGS: Record<ReviewDecision, string> = {
  confirmed: 'Reviewed and confirmed as a genuine anomaly requiring follow-up',
  false_positive: 'Reviewed and determined to be a false positive',
};

function rememberedReviewer(): string {
  try {
    return localStorage.getItem('auditdesk.reviewer') ?? '';
  } catch {
    return '';
  }
}

function EventLine({ row, highlight }: { row: RecordSummary; highlight?: boolean }) {
  const tz = useApp((s) => s.timeZone);
  return (
    <li className={highlight ? 'context-row context-hit' : 'context-row'}>
      <span className="mono small">{formatTs(row.ts, tz)}</span> <span className={`pill pill-${row.kind}`}>{row.kind === 'event' ? printable(row.eventType ?? '') : 'chat'}</span>{' '}
      {printable(row.kind === 'event' ? `${row.severity ?? ''} ${row.userId ?? ''}` : `${row.agentId ?? ''} ${row.modelProvider ?? ''}`)}{' '}
      <span className="muted">
        <Highlighted segments={row.preview} />
      </span>
    </li>
  );
}

function ReviewForm({ anomaly }: { anomaly: AnomalySummary }) {
  const review = useAnomalies((s) => s.review);
  const tz = useApp((s) => s.timeZone);
  const [decision, setDecision] = useState<ReviewDecision | null>(null);
  const [note, setNote] = useState('');
  const [reviewer, setReviewer] = useState(rememberedReviewer);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    setDecision(null);
    setNote('');
    setMessage(null);
  }, [anomaly.anomalyKey, anomaly.tenant]);
  const ready = decision !== null && note.trim().length > 0 && reviewer.trim().length > 0;
  return (
    <form
      className="review-form"
      aria-label="Review this anomaly"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!decision) return setMessage({ ok: false, text: 'Choose confirmed or false positive.' });
        if (!note.trim()) return setMessage({ ok: false, text: 'A review needs a note explaining the decision.' });
        if (!reviewer.trim()) return setMessage({ ok: false, text: 'Enter your name as the reviewer.' });
        setBusy(true);
        try {
          try {
            localStorage.setItem('auditdesk.reviewer', reviewer.trim());
          } catch {
            /* not remembered: fine */
          }
          const r = await review({ decision, note: note.trim(), reviewer: reviewer.trim(), meaning: MEANINGS[decision] });
          setMessage({ ok: true, text: `Recorded: ${r.decision === 'confirmed' ? 'confirmed' : 'false positive'} by ${r.reviewer} at ${formatTs(r.reviewedAt, tz)}. It goes into the next export.` });
          setNote('');
        } catch (err) {
          setMessage({ ok: false, text: errorMessage(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset>
        <legend>Decision</legend>
        <label>
          <input type="radio" name="decision" checked={decision === 'confirmed'} onChange={() => setDecision('confirmed')} /> Confirmed
        </label>
        <label>
          <input type="radio" name="decision" checked={decision === 'false_positive'} onChange={() => setDecision('false_positive')} /> False positive
        </label>
      </fieldset>
      <label className="stack">
        Note (required)
        <textarea required value={note} maxLength={10000} rows={3} onChange={(e) => setNote(e.target.value)} />
      </label>
      <label className="stack">
        Reviewer
        <input required value={reviewer} maxLength={200} onChange={(e) => setReviewer(e.target.value)} />
      </label>
      {decision ? <p className="muted small">Meaning recorded with your name: “{MEANINGS[decision]}”. Stored in the local cache only, never in the source.</p> : null}
      <button type="submit" className="primary" disabled={busy || !ready}>
        Record review
      </button>
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok-text' : 'error-text'}>
          {printable(message.text)}
        </p>
      ) : null}
    </form>
  );
}

function ContextPanel() {
  const context = useAnomalies((s) => s.context);
  const selected = useAnomalies((s) => s.selected);
  const tz = useApp((s) => s.timeZone);
  const tenantTwins = useCachedTenantLookAlikes();
  if (!selected) return <Empty title="Select an anomaly to see its events in context and review it." />;
  if (context.state === 'error') return <ErrorState message={context.message} />;
  if (context.state !== 'ready') return <Loading />;
  const { anomaly, event, before, after } = context.value;
  const features = featureWords(anomaly.features, 5);
  return (
    <div className="anomaly-detail">
      <h2>
        {printable(anomalyTitle(anomaly))} <LookAlikeNote name={anomaly.tenant} other={tenantTwins.get(anomaly.tenant)} />
      </h2>
      <p>
        Score <strong>{printable(anomaly.scoreText ?? '?')}</strong> · {printable(`${anomaly.detector ?? 'unknown detector'}${features ? `: ${features}` : ''}`)} · detected{' '}
        {formatTs(anomaly.detectedAt, tz)}
      </p>
      <p className="muted small">
        Detector model {printable(anomaly.modelVersion ?? '?')} · anomaly id <span className="mono">{printable(anomaly.anomalyKey)}</span>
      </p>
      {anomaly.latestReview ? (
        <p className={`review-state review-${anomaly.latestReview.decision}`} data-testid="latest-review">
          Latest review: <strong>{anomaly.latestReview.decision === 'confirmed' ? 'confirmed' : 'false positive'}</strong> by {printable(anomaly.latestReview.reviewer)},{' '}
          {formatTs(anomaly.latestReview.reviewedAt, tz)} — “{printableText(anomaly.latestReview.note)}”{anomaly.reviewCount > 1 ? ` (${countOf(anomaly.reviewCount, 'review')})` : ''}
        </p>
      ) : null}
      {anomaly.features ? (
        <details>
          <summary>Detector features</summary>
          <pre className="json">{printableText(anomaly.features)}</pre>
        </details>
      ) : null}
      <h3>Events in context</h3>
      {event === null ? (
        <p className="warn">The related event {printable(anomaly.auditEventId ?? '')} is not in the cache (deleted at the source, or not synced yet).</p>
      ) : (
        <ol className="context-list">
          {before.map((r) => (
            <EventLine key={r.rid} row={r} />
          ))}
          <EventLine row={event} highlight />
          {after.map((r) => (
            <EventLine key={r.rid} row={r} />
          ))}
        </ol>
      )}
      <ReviewForm anomaly={anomaly} />
    </div>
  );
}

function AnomalyReview() {
  const { tenant, threshold, includeReviewed, list, selected, setTenant, setThreshold, setIncludeReviewed, load, select } = useAnomalies();
  const tenants = useApp(selectCacheTenants);
  const tenantTwins = useCachedTenantLookAlikes();
  const [pending, setPending] = useState(threshold);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (pending === threshold) return;
    const t = setTimeout(() => setThreshold(pending), 150);
    return () => clearTimeout(t);
  }, [pending, threshold, setThreshold]);
  const tz = useApp((s) => s.timeZone);
  // j/k walk the list as they walk the Timeline; the detail follows the selection.
  const step = (delta: 1 | -1) => {
    const { list: current, selected: sel } = useAnomalies.getState();
    if (current.state !== 'ready' || current.value.anomalies.length === 0) return false;
    const items = current.value.anomalies;
    const at = sel ? items.findIndex((a) => a.tenant === sel.tenant && a.anomalyKey === sel.anomalyKey) : -1;
    const next = items[at === -1 ? 0 : Math.min(items.length - 1, Math.max(0, at + delta))]!;
    select(next.tenant, next.anomalyKey);
    // Focus follows the selection (as a click would put it), so Enter and Tab act from there.
    document.querySelector<HTMLElement>(`[data-anomaly="${CSS.escape(next.anomalyKey)}"]`)?.focus();
  };
  useShortcuts({ j: () => step(1), k: () => step(-1) });

  return (
    <div className="split">
      <section className="split-left" aria-label="Anomalies">
        <div className="toolbar wrap">
          <label>
            Tenant{' '}
            <select value={tenant ?? ''} onChange={(e) => setTenant(e.target.value || null)}>
              <option value="">All tenants</option>
              {tenants.map((t) => (
                <option key={t.tenant} value={t.tenant}>
                  {tenantChoiceLabel(t.tenant, tenantTwins.get(t.tenant))}
                </option>
              ))}
            </select>
          </label>
          <label className="slider">
            Score ≥ <output htmlFor="threshold">{pending.toFixed(2)}</output>
            <input id="threshold" type="range" min={0} max={1} step={0.01} value={pending} aria-label="Score threshold" onChange={(e) => setPending(Number(e.target.value))} />
          </label>
          {pending !== DEFAULT_THRESHOLD ? (
            <button type="button" className="link" onClick={() => setPending(DEFAULT_THRESHOLD)}>
              Reset to {DEFAULT_THRESHOLD}
            </button>
          ) : null}
          <label>
            <input type="checkbox" checked={includeReviewed} onChange={(e) => setIncludeReviewed(e.target.checked)} /> Show reviewed
          </label>
        </div>
        {list.state === 'error' ? (
          <ErrorState message={list.message} onRetry={() => void load()} />
        ) : list.state !== 'ready' ? (
          <Loading />
        ) : list.value.anomalies.length === 0 ? (
          <Empty title={`No anomalies scored ${threshold.toFixed(2)} or higher.`}>Lower the threshold, or sync a tenant first.</Empty>
        ) : (
          <>
            <p className="muted small" role="status">
              {formatCount(list.value.total)} at or above {threshold.toFixed(2)}, {formatCount(list.value.unreviewed)} not reviewed yet
            </p>
            <ul className="anomaly-list" role="listbox" aria-label="Anomalies by score">
              {list.value.anomalies.map((a) => {
                const isSel = selected?.anomalyKey === a.anomalyKey && selected.tenant === a.tenant;
                const score = printable(scoreLabel(a));
                return (
                  <li
                    key={`${a.tenant}/${a.anomalyKey}`}
                    role="option"
                    aria-selected={isSel}
                    tabIndex={0}
                    className={isSel ? 'selected' : undefined}
                    data-anomaly={a.anomalyKey}
                    onClick={() => select(a.tenant, a.anomalyKey)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') select(a.tenant, a.anomalyKey);
                    }}
                  >
                    <span className="score-badge" aria-label={`score ${score}`}>
                      {score}
                    </span>
                    <span className="anomaly-main">
                      <span className="anomaly-title">{printable(anomalyTitle(a))}</span>
                      <span className="muted small">
                        {printable([a.detector, featureWords(a.features)].filter(Boolean).join(': '))} · {formatTs(a.detectedAt, tz)}
                      </span>
                    </span>
                    {/* Beside the title, not inside it: a long title is cut short, the mark never. */}
                    <LookAlikeMark name={a.tenant} other={tenantTwins.get(a.tenant)} />
                    <span className={`review-chip ${a.latestReview ? `review-${a.latestReview.decision}` : 'review-none'}`}>
                      {a.latestReview ? (a.latestReview.decision === 'confirmed' ? 'confirmed' : 'false positive') : 'to review'}
                    </span>
                  </li>
                );
              })}
            </ul>
            <p className="keys-help muted small">
              Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous anomaly
            </p>
          </>
        )}
      </section>
      <section className="split-right" aria-label="Anomaly detail">
        <ContextPanel />
      </section>
    </div>
  );
}

type View = 'anomalies' | 'findings';
const VIEWS: { view: View; label: string }[] = [
  { view: 'anomalies', label: 'Anomalies' },
  { view: 'findings', label: 'Findings' },
];

/** Anomaly review and model/config findings: two views of one screen, the view kept in the URL (?view=findings). */
export function AnomaliesScreen() {
  const params = useApp((s) => s.route.params);
  const view: View = params.get('view') === 'findings' ? 'findings' : 'anomalies';
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const open = (v: View, focus = false) => {
    navigate('anomalies', v === 'findings' ? new URLSearchParams({ view: 'findings' }) : undefined);
    if (focus) tabs.current[VIEWS.findIndex((x) => x.view === v)]?.focus();
  };
  // Arrow keys move between the tabs (WAI-ARIA tabs pattern); Tab goes into the panel.
  const onKey = (e: KeyboardEvent) => {
    const i = VIEWS.findIndex((x) => x.view === view);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? VIEWS.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    open(VIEWS[(next + VIEWS.length) % VIEWS.length]!.view, true);
  };
  return (
    <div className="tabbed">
      <div role="tablist" aria-label="Anomalies and findings" className="tabs" onKeyDown={onKey}>
        {VIEWS.map((v, i) => (
          <button
            key={v.view}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${v.view}`}
            aria-selected={view === v.view}
            aria-controls={`panel-${v.view}`}
            tabIndex={view === v.view ? 0 : -1}
            onClick={() => open(v.view)}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${view}`} aria-labelledby={`tab-${view}`} className="tab-panel">
        {view === 'findings' ? <FindingsView /> : <AnomalyReview />}
      </div>
    </div>
  );
}
