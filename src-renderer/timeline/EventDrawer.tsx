import { useEffect, useRef } from 'react';
import type { RecordDetail } from '../../src-main/core/contract/records.js';
import { useApp } from '../app/store.js';
import { formatTs } from '../app/format.js';
import { ErrorState, Loading } from '../app/states.js';
import { useTimeline } from './store.js';
import { ThreadView } from './ThreadView.js';

function FieldTable({ caption, fields }: { caption: string; fields: Record<string, string | number | null> }) {
  const entries = Object.entries(fields);
  if (!entries.length) return null;
  return (
    <table className="kv">
      <caption>{caption}</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v === null ? <span className="muted">null</span> : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Detail({ detail }: { detail: RecordDetail }) {
  const tz = useApp((s) => s.timeZone);
  const openThread = useTimeline((s) => s.openThread);
  const s = detail.summary;
  const chain = detail.chain;
  return (
    <div className="drawer-body">
      <p className="drawer-meta">
        <span className={`pill pill-${s.kind}`}>{s.kind}</span> {s.tenant} · {formatTs(s.ts, tz)}
        {s.undated ? <span className="warn"> · missing or sentinel timestamp</span> : null}
      </p>
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
            <dd className="mono">{chain.prevHash ?? '—'}</dd>
            <dt>hash</dt>
            <dd className="mono">{chain.hash ?? '—'}</dd>
            <dt>status</dt>
            <dd data-testid="chain-status">
              <strong>{chain.status}</strong>
              {chain.detail ? ` — ${chain.detail}` : ''}
              {chain.verifiedAt ? <span className="muted"> (checked {formatTs(chain.verifiedAt, tz)})</span> : null}
            </dd>
          </dl>
        </section>
      ) : null}
      {detail.model ? (
        <section aria-label="Model metadata">
          <h3>Model</h3>
          <dl>
            {(
              [
                ['provider', detail.model.provider],
                ['name', detail.model.name],
                ['version', detail.model.version],
                ['deployment id', detail.model.deploymentId],
                ['temperature', detail.model.temperature],
                ['safety mode', detail.model.safetyMode],
              ] as const
            ).map(([k, v]) => (
              <div key={k} className="dl-row">
                <dt>{k}</dt>
                <dd>{v ?? <span className="muted">—</span>}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
      {detail.anomalies.length ? (
        <section aria-label="Anomalies">
          <h3>Anomalies</h3>
          <ul>
            {detail.anomalies.map((a) => (
              <li key={a.anomalyKey}>
                score {a.score ?? '?'} · {a.detector ?? 'unknown detector'} · {formatTs(a.detectedAt, tz)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {(
        [
          ['action_details', detail.pretty.actionDetails],
          ['model_config', detail.pretty.modelConfig],
          ['model_info', detail.pretty.modelInfo],
        ] as const
      )
        .filter(([, v]) => v !== null)
        .map(([k, v]) => (
          <section key={k} aria-label={`${k} JSON`}>
            <h3>{k}</h3>
            <pre className="json">{v}</pre>
          </section>
        ))}
      <FieldTable caption="All fields" fields={detail.fields} />
      <FieldTable caption="Other source columns" fields={detail.extraFields} />
      <p className="muted small">
        Source {detail.source.schema}.{detail.source.table} key {detail.source.sourceKey} · sync #{detail.source.syncId} · digest{' '}
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
              <pre className="json">{JSON.stringify(v.row, null, 2)}</pre>
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
  useEffect(() => {
    if (drawer) panel.current?.focus({ preventScroll: true });
  }, [drawer?.rid]);

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
