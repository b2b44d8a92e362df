// Controls (issue 15): runs every control read-only on the active connection and shows,
// per tenant, each verdict with its one-line summary, its evidence and the exact SQL.
import { useEffect, useState } from 'react';
import type { ControlResult, ControlStatus, ControlsReport } from '../../src-main/core/contract/controls.js';
import { printable, printableText } from '../../src-main/core/util/printable.js';
import { api, errorMessage } from '../api/client.js';
import { useApp } from '../app/store.js';
import { formatTs } from '../app/format.js';
import { Empty } from '../app/LoadStates.js';
import { JobProgressView } from '../app/JobProgress.js';
import { useJob } from '../app/use-job.js';
import './controls.css';

/** The CLI's words for each verdict (core/controls/report.ts), so both read the same. */
const STATUS_LABEL: Record<ControlStatus, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', not_applicable: 'N/A', error: 'ERROR' };
const STATUS_CLASS: Record<ControlStatus, string> = { pass: 'ok-text', fail: 'error-text', warn: 'warn-text', not_applicable: 'muted', error: 'error-text' };

/** `tenant` as shown (escaped): it only names the row for a screen reader. */
function ControlRow({ control, tenant }: { control: ControlResult; tenant: string }) {
  return (
    <tr data-control={control.id} data-status={control.status}>
      <th scope="row">
        <code>{control.id}</code>
      </th>
      <td className={STATUS_CLASS[control.status]}>
        <strong>{STATUS_LABEL[control.status]}</strong>
      </td>
      <td>
        {printable(control.summary)}
        <details>
          <summary>
            Evidence and SQL
            {/* Read aloud or tabbed through, two dozen toggles of the same words name their row. */}
            <span className="sr-only">
              {' '}
              of {control.id} ({tenant})
            </span>
          </summary>
          <pre className="small controls-evidence" aria-label={`Evidence of ${control.id}`}>
            {printableText(JSON.stringify(control.evidence, null, 2))}
          </pre>
          {control.queries.map((sql, i) => (
            <pre key={i} className="small controls-evidence" aria-label={`SQL ${i + 1} of ${control.id}`}>
              {printableText(sql)}
            </pre>
          ))}
        </details>
      </td>
    </tr>
  );
}

function TenantControls({ tenant, controls }: { tenant: string; controls: ControlResult[] }) {
  const failed = controls.filter((c) => c.status === 'fail').length;
  const name = printable(tenant);
  return (
    <section aria-label={`Controls of ${name}`}>
      <h3>
        {name} <span className="muted small">{failed ? `${failed} failed` : 'no control failed'}</span>
      </h3>
      <table className="data-table" aria-label={`Controls of ${name}`}>
        <thead>
          <tr>
            <th scope="col">Control</th>
            <th scope="col">Verdict</th>
            <th scope="col">Summary</th>
          </tr>
        </thead>
        <tbody>
          {controls.map((c) => (
            <ControlRow key={c.id} control={c} tenant={name} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ControlsScreen() {
  const tz = useApp((s) => s.timeZone);
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [report, setReport] = useState<ControlsReport | null>(null);
  const { job } = useJob(jobId);
  useEffect(() => {
    if (job?.state === 'done' && job.result) setReport(job.result as ControlsReport);
  }, [job?.state, job?.result]);

  const run = async () => {
    setStartError(null);
    try {
      setJobId((await api['controls.run']({})).jobId);
    } catch (e) {
      setStartError(errorMessage(e));
    }
  };

  return (
    <div className="screen-pad">
      <div className="toolbar wrap">
        <h2>Controls</h2>
        <button type="button" className="primary" disabled={job?.state === 'running'} onClick={() => void run()}>
          Run controls
        </button>
        {report ? (
          <span className="muted small" data-testid="controls-source">
            Checked {formatTs(report.checkedAt, tz)} at {printable(report.source.label)} (source fingerprint {report.source.fingerprint.slice(0, 16)}…), read-only
          </span>
        ) : null}
      </div>
      {startError ? (
        <p role="alert" className="error-text">
          {startError}
        </p>
      ) : null}
      {job ? <JobProgressView job={job} label="Controls" onCancel={() => void api['jobs.cancel']({ jobId: job.jobId })} /> : null}
      {job?.state === 'failed' && job.error ? (
        <p role="alert" className="error-text">
          {printable(job.error.message)}
        </p>
      ) : null}
      {!report ? (
        <Empty title="No controls run yet.">
          “Run controls” tests the source’s promises (row-level security, immutability, retention, access log, encryption, AI record-keeping) on the active connection, read-only.
        </Empty>
      ) : (
        <>
          <details>
            <summary>Effective policy</summary>
            <pre className="small" aria-label="Effective policy">
              {JSON.stringify(report.policy, null, 2)}
            </pre>
          </details>
          {report.tenants.map((t) => (
            <TenantControls key={t.tenant} tenant={t.tenant} controls={t.controls} />
          ))}
        </>
      )}
    </div>
  );
}
