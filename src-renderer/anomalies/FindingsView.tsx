// Model and configuration findings (the export PDF's "Model and configuration
// findings" section) per tenant: each with its calls in the timeline and its first
// rows, so the auditor can see what the report will say before exporting.
import { useEffect, useId } from 'react';
import type { Finding } from '../../src-main/core/contract/anomalies.js';
import type { RecordSummary } from '../../src-main/core/contract/records.js';
import { printable, printableText } from '../../src-main/core/util/printable.js';
import { useApp } from '../app/store.js';
import { tenantChoiceLabel, useCachedTenantLookAlikes } from '../app/LookAlike.js';
import { formatCount, formatTs } from '../app/format.js';
import { formatJump } from '../timeline/jump-target.js';
import { formatHash, navigate } from '../app/routes.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { filterToParams, type Filter } from '../filters/filter-state.js';
import { findingKey, useFindings } from './findings-store.js';

const KIND_LABEL: Record<Finding['kind'], string> = {
  high_temperature: 'Temperature above 0.8',
  relaxed_safety: 'Relaxed safety mode',
  secret_in_config: 'Secret in model_config',
  unapproved_model_version: 'Unapproved model version',
};

const SEVERITY_ORDER: Record<Finding['severity'], number> = { high: 0, medium: 1, low: 2 };

function timelineHref(filter: Filter): string {
  return formatHash('timeline', filterToParams(filter));
}

/** The timeline on this finding's calls, with the sample row at the top (newest first, up to its time). */
function rowHref(related: Filter, row: RecordSummary): string {
  const t = row.ts ? new Date(row.ts) : null;
  if (!t || Number.isNaN(t.getTime())) return timelineHref(related);
  const href = timelineHref({ ...related, to: new Date(t.getTime() + 1000).toISOString() });
  // Name the row itself, so the Timeline selects it and opens its drawer.
  return `${href}${href.includes('?') ? '&' : '?'}jump=${formatJump({ by: 'rid', rid: row.rid })}`;
}

function Samples({ finding }: { finding: Finding }) {
  const key = findingKey(finding);
  const samples = useFindings((s) => s.samples[key]);
  const loadSamples = useFindings((s) => s.loadSamples);
  const tz = useApp((s) => s.timeZone);
  return (
    <details
      className="finding-samples"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) void loadSamples(key, finding.sampleRids);
      }}
    >
      <summary>First {finding.sampleRids.length === 1 ? 'row' : `${finding.sampleRids.length} rows`}</summary>
      {!samples || samples.state === 'loading' || samples.state === 'idle' ? (
        <Loading label="Loading the rows…" />
      ) : samples.state === 'error' ? (
        <ErrorState message={samples.message} />
      ) : (
        <ul className="sample-list" aria-label={`Rows of: ${printable(finding.title)}`}>
          {samples.value.map((r) => (
            <li key={r.rid}>
              <a href={rowHref(finding.related, r)} aria-label={`Open the row of ${formatTs(r.ts, tz)} in the timeline`}>
                {formatTs(r.ts, tz)}
              </a>{' '}
              <span className="muted small">
                {printable(
                  `${r.agentId ?? '—'} · ${[r.modelProvider, r.modelName, r.modelVersion].filter(Boolean).join(' ') || 'no model'} · temperature ${r.temperature ?? '—'} · safety ${r.safetyMode ?? '—'}`,
                )}
              </span>
              <div className="small preview">{printableText(r.preview.map((p) => p.text).join(''))}</div>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

export function FindingsView() {
  const params = useApp((s) => s.route.params);
  const tenants = useApp((s) => s.status?.cache.tenants ?? null);
  const tenantTwins = useCachedTenantLookAlikes();
  const tz = useApp((s) => s.timeZone);
  const { tenant, list, load } = useFindings();
  const selectId = useId();
  const wanted = params.get('tenant') ?? tenants?.[0]?.tenant ?? null;

  useEffect(() => {
    if (wanted && (wanted !== tenant || list.state === 'idle')) void load(wanted);
  }, [wanted, tenant, list.state, load]);

  const pick = (t: string) => {
    const next = new URLSearchParams(params);
    next.set('view', 'findings');
    next.set('tenant', t);
    // Through the URL (a hashchange): the tenant is part of the view, so it can be reopened.
    navigate('anomalies', next);
  };

  if (tenants === null) return <Loading />;
  if (tenants.length === 0) return <Empty title="Nothing synced yet.">Sync a tenant under Connections; findings are computed from its cached conversation logs.</Empty>;
  const sorted = list.state === 'ready' ? [...list.value].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.count - a.count) : [];
  const bySeverity = (s: Finding['severity']) => sorted.filter((f) => f.severity === s).length;
  const tenantName = printable(tenant ?? '');

  return (
    <div className="screen-pad findings">
      <div className="toolbar wrap">
        <h2>Model and configuration findings</h2>
        <label htmlFor={selectId}>Tenant</label>
        <select id={selectId} value={wanted ?? ''} onChange={(e) => pick(e.target.value)}>
          {tenants.map((t) => (
            <option key={t.tenant} value={t.tenant}>
              {tenantChoiceLabel(t.tenant, tenantTwins.get(t.tenant))}
            </option>
          ))}
        </select>
        <button type="button" disabled={!wanted || list.state === 'loading'} onClick={() => wanted && void load(wanted)}>
          Refresh
        </button>
      </div>
      <p className="muted small">
        Temperatures above 0.8, relaxed safety modes, secrets inside model_config (shown redacted) and model versions used in under 5% of a model’s calls. The export’s PDF lists the first three the
        same way; it lists unapproved versions only against the approved list given at export.
      </p>
      {list.state === 'error' ? (
        <ErrorState message={list.message} onRetry={() => wanted && void load(wanted)} />
      ) : list.state !== 'ready' ? (
        <Loading label="Computing findings…" />
      ) : sorted.length === 0 ? (
        <Empty title={`No findings for ${tenantName}.`}>No call above temperature 0.8, no relaxed safety mode, no secret in model_config and no rarely used model version.</Empty>
      ) : (
        <>
          <p role="status" className="small" data-testid="findings-summary">
            {formatCount(sorted.length)} findings for {tenantName}: {bySeverity('high')} high, {bySeverity('medium')} medium, {bySeverity('low')} low
          </p>
          <table className="data-table" aria-label="Findings">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
                <th scope="col">Calls</th>
                <th scope="col">Period ({tz === 'utc' ? 'UTC' : 'local'})</th>
                <th scope="col">Related rows</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((f) => (
                <tr key={findingKey(f)} data-finding-kind={f.kind} data-severity={f.severity}>
                  <td>
                    <span className={`sev-${f.severity}`}>{f.severity}</span>
                  </td>
                  <td>
                    <strong>{KIND_LABEL[f.kind]}</strong>
                    <div>{printable(f.title)}</div>
                    {f.excerpt ? <div className="mono small excerpt">{printableText(f.excerpt)}</div> : null}
                  </td>
                  <td>{formatCount(f.count)}</td>
                  <td className="small">
                    {formatTs(f.firstTs, tz, false)}
                    <br />– {formatTs(f.lastTs, tz, false)}
                  </td>
                  <td>
                    <a href={timelineHref(f.related)} aria-label={`Show the ${formatCount(f.count)} calls of: ${printable(f.title)}`}>
                      {f.kind === 'secret_in_config' ? 'calls of this agent and model' : `${formatCount(f.count)} calls`} in the timeline
                    </a>
                    <Samples finding={f} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
