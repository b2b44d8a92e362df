import { useEffect, useRef, useState } from 'react';
import type { RecordDetail } from '../../src-main/core/contract/records.js';
import { printable, printableText } from '../../src-main/core/util/printable.js';
import { useApp } from '../app/store.js';
import { formatTs } from '../app/format.js';
import { ErrorState, Loading } from '../app/LoadStates.js';
import { LookAlikeNote, useCachedTenantLookAlikes } from '../app/LookAlike.js';
import { useTimeline } from './store.js';
import { ThreadView } from './ThreadView.js';
import { fieldLabel, parseJsonObject, type DetailValue } from './readable.js';

/** Any JSON value as rows: scalars inline, nested objects and arrays expandable. */
function ValueView({ value }: { value: DetailValue }) {
  if (value === null) return <span className="muted">empty</span>;
  if (typeof value !== 'object') return <>{printableText(String(value))}</>;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v] as const) : Object.entries(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return <>{printable(value.map((v) => String(v)).join(', '))}</>;
  return (
    <details className="nested">
      <summary>{Array.isArray(value) ? `${entries.length} items` : `${entries.length} fields`}</summary>
      <KeyValueTable entries={entries} />
    </details>
  );
}

function KeyValueTable({ entries, caption }: { entries: readonly (readonly [string, DetailValue])[]; caption?: string }) {
  return (
    <table className="kv">
      {caption ? <caption>{caption}</caption> : null}
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{printable(fieldLabel(k))}</th>
            <td>
              <ValueView value={v} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every cached field, empty ones behind a toggle: NULL columns are noise until asked for. */
function FieldTable({ caption, fields, tenantsAlike }: { caption: string; fields: Record<string, string | number | null>; tenantsAlike?: ReadonlyMap<string, string> }) {
  const [showEmpty, setShowEmpty] = useState(false);
  const entries = Object.entries(fields);
  if (!entries.length) return null;
  const empty = entries.filter(([, v]) => v === null || v === '').length;
  const shown = showEmpty ? entries : entries.filter(([, v]) => v !== null && v !== '');
  return (
    <section aria-label={caption}>
      <table className="kv">
        <caption>{caption}</caption>
        <tbody>
          {shown.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{printable(k)}</th>
              <td>
                {v === null ? <span className="muted">NULL</span> : printableText(String(v))}
                {k === 'tenant_id' && typeof v === 'string' && tenantsAlike?.has(v) ? (
                  <>
                    {' '}
                    <LookAlikeNote name={v} other={tenantsAlike.get(v)} />
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {empty > 0 ? (
        <label className="small muted">
          <input type="checkbox" checked={showEmpty} onChange={(e) => setShowEmpty(e.target.checked)} /> Show empty fields ({empty})
        </label>
      ) : null}
    </section>
  );
}

/** What the row says, first: a conversation's prompt and response, an event's who/what/details. */
function WhatHappened({ detail }: { detail: RecordDetail }) {
  const f = detail.fields;
  const text = (k: string) => (f[k] === null || f[k] === undefined || f[k] === '' ? null : printableText(String(f[k])));
  if (detail.summary.kind === 'conversation') {
    return (
      <section aria-label="Conversation" className="conversation">
        <h3>Prompt</h3>
        <div className="bubble bubble-user" data-testid="drawer-prompt">
          {text('prompt') ?? <span className="muted">no prompt</span>}
        </div>
        <h3>Response</h3>
        <div className="bubble bubble-agent" data-testid="drawer-response">
          {text('response') ?? <span className="muted">no response</span>}
        </div>
      </section>
    );
  }
  const s = detail.summary;
  const details = parseJsonObject(detail.pretty.actionDetails);
  const who = [
    ['event_type', s.eventType],
    ['user', s.userId],
    ['entity', [s.entityType, s.entityId].filter(Boolean).join(' ') || null],
    ['severity', s.severity],
  ] as const;
  return (
    <section aria-label="What happened">
      <KeyValueTable entries={who.filter(([, v]) => v !== null)} />
      {details ? (
        <KeyValueTable caption="Action details" entries={Array.isArray(details) ? details.map((v, i) => [String(i + 1), v] as const) : Object.entries(details)} />
      ) : detail.pretty.actionDetails ? (
        <p className="wrap-text">{printableText(detail.pretty.actionDetails)}</p>
      ) : null}
    </section>
  );
}

function ModelTable({ model }: { model: NonNullable<RecordDetail['model']> }) {
  const rows = [
    ['Provider', model.provider],
    ['Model', model.name],
    ['Version', model.version],
    ['Deployment', model.deploymentId],
    ['Temperature', model.temperature],
    ['Safety mode', model.safetyMode],
  ] as const;
  return (
    <section aria-label="Model metadata">
      <table className="kv">
        <caption>Model</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v !== null ? printable(v) : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The JSON columns exactly as the source holds them, one click away. */
function RawJson({ detail }: { detail: RecordDetail }) {
  const raw = (
    [
      ['action_details', detail.pretty.actionDetails],
      ['model_config', detail.pretty.modelConfig],
      ['model_info', detail.pretty.modelInfo],
    ] as const
  ).flatMap(([k, v]) => (v === null ? [] : [[k, v] as const]));
  if (!raw.length) return null;
  return (
    <details className="raw-json">
      <summary>Raw JSON</summary>
      {raw.map(([k, v]) => (
        <section key={k} aria-label={`${k} JSON`}>
          <h3>{k}</h3>
          <pre className="json">{printableText(v)}</pre>
        </section>
      ))}
    </details>
  );
}

function Detail({ detail }: { detail: RecordDetail }) {
  const tz = useApp((s) => s.timeZone);
  const openThread = useTimeline((s) => s.openThread);
  const tenantTwins = useCachedTenantLookAlikes();
  const s = detail.summary;
  const chain = detail.chain;
  return (
    <div className="drawer-body">
      <p className="drawer-meta">
        <span className={`pill pill-${s.kind}`}>{s.kind}</span> {printable(s.tenant)} <LookAlikeNote name={s.tenant} other={tenantTwins.get(s.tenant)} /> · {formatTs(s.ts, tz)}
        {s.undated ? <span className="warn"> · missing or sentinel timestamp</span> : null}
      </p>
      <WhatHappened detail={detail} />
      {detail.model ? <ModelTable model={detail.model} /> : null}
      {s.kind === 'conversation' && s.sessionId ? (
        <button type="button" onClick={() => openThread(s.tenant, s.sessionId!)}>
          Show conversation thread
        </button>
      ) : null}
      {chain ? (
        <section aria-label="Chain position" className={`chain chain-${chain.status}`}>
          <h3>Chain position</h3>
          <dl>
            <dt>seq</dt>
            <dd>{chain.seq ?? '—'}</dd>
            <dt>prev_hash</dt>
            <dd className="mono">{chain.prevHash !== null ? printable(chain.prevHash) : '—'}</dd>
            <dt>hash</dt>
            <dd className="mono">{chain.hash !== null ? printable(chain.hash) : '—'}</dd>
            <dt>status</dt>
            <dd data-testid="chain-status">
              <strong>{chain.status}</strong>
              {chain.detail ? ` — ${printable(chain.detail)}` : ''}
              {chain.verifiedAt ? <span className="muted"> (checked {formatTs(chain.verifiedAt, tz)})</span> : null}
            </dd>
          </dl>
        </section>
      ) : null}
      {detail.anomalies.length ? (
        <section aria-label="Anomalies">
          <h3>Anomalies</h3>
          <ul>
            {detail.anomalies.map((a) => (
              <li key={a.anomalyKey}>
                score {a.score ?? '?'} · {a.detector !== null ? printable(a.detector) : 'unknown detector'} · {formatTs(a.detectedAt, tz)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <RawJson detail={detail} />
      <FieldTable caption="All fields" fields={detail.fields} tenantsAlike={tenantTwins} />
      <FieldTable caption="Other source columns" fields={detail.extraFields} />
      <p className="muted small">
        Source {printable(`${detail.source.schema}.${detail.source.table}`)} key {printable(detail.source.sourceKey)} · sync #{detail.source.syncId} · digest{' '}
        <span className="mono">{detail.source.digest.slice(0, 16)}…</span>
      </p>
      {detail.versions.length ? (
        <section aria-label="Earlier versions">
          <h3>Earlier versions ({detail.versions.length})</h3>
          {detail.versions.map((v) => (
            <details key={v.versionId}>
              <summary>
                superseded {formatTs(v.supersededAt, tz)} by sync #{v.supersededBySync}
              </summary>
              <pre className="json">{printableText(JSON.stringify(v.row, null, 2))}</pre>
            </details>
          ))}
        </section>
      ) : null}
    </div>
  );
}

export function EventDrawer() {
  const drawer = useTimeline((s) => s.drawer);
  const thread = useTimeline((s) => s.thread);
  const closeDrawer = useTimeline((s) => s.closeDrawer);
  const closeThread = useTimeline((s) => s.closeThread);
  const panel = useRef<HTMLElement>(null);

  // Focus goes to the panel itself, not to its Close button: a button there would take the
  // next Enter (or the one still being handled) and close what Enter just opened. From the
  // panel, Tab reaches its controls and j/k/Esc keep working.
  const openRid = drawer?.rid;
  useEffect(() => {
    if (openRid !== undefined) panel.current?.focus({ preventScroll: true });
  }, [openRid]);

  if (!drawer) return null;
  return (
    <aside ref={panel} tabIndex={-1} className="drawer" role="dialog" aria-modal="false" aria-label={thread ? 'Conversation thread' : 'Event details'}>
      <header className="drawer-head">
        <h2>{thread ? 'Conversation' : 'Details'}</h2>
        {thread ? (
          <button type="button" onClick={closeThread}>
            Back to details
          </button>
        ) : null}
        <button type="button" className="icon-button" aria-label="Close (Esc)" onClick={closeDrawer}>
          ✕
        </button>
      </header>
      {thread ? (
        <ThreadView />
      ) : drawer.detail.state === 'ready' ? (
        <Detail detail={drawer.detail.value} />
      ) : drawer.detail.state === 'error' ? (
        <ErrorState message={drawer.detail.message} />
      ) : (
        <Loading />
      )}
    </aside>
  );
}
