// The external anchor: a chain head the tenant published, or one saved on an earlier
// visit, checked against the current chain by the same verification run as the CLI's
// `verify --checkpoint FILE`, and recorded in the checkpoint history on request.
import { useEffect, useId, useState } from 'react';
import type { AnchorCheck, AnchorCheckResult, AnchorHead, BreakJson } from '../../src-main/core/contract/integrity.js';
import { api, errorMessage } from '../api/client.js';
import { useApp } from '../app/store.js';
import { formatTs } from '../app/format.js';
import { JobProgressView } from '../app/JobProgress.js';
import { useJob } from '../app/use-job.js';
import { BreakLine } from './BreakLine.js';
import { printable } from '../../src-main/core/util/printable.js';
import { TenantName, tenantText, useCachedTenantLookAlikes } from '../app/LookAlike.js';

type Target = 'cache' | 'source+cache';

const MAX_FILE_BYTES = 1_000_000;

function short(hash: string | null): string {
  return hash ? `${hash.slice(0, 16)}…` : '—';
}

/** The outcome in one sentence an auditor reads without the docs. */
function outcomeText(a: AnchorCheck, target: AnchorCheckResult['target'], alike: ReadonlyMap<string, string>): string {
  const seq = String(a.lastSeq);
  switch (a.outcome) {
    case 'extended':
      return `The current chain extends this head: the row at seq ${seq} still has hash ${short(a.headHash)}.`;
    case 'rewritten':
      return `History was rewritten: the row at seq ${seq} now has hash ${short(a.foundHash)}, not ${short(a.headHash)}.`;
    case 'truncated':
      return `The chain was truncated: it now ends before seq ${seq}.`;
    case 'row-missing':
      return `The row at seq ${seq} is missing (deleted), so the chain no longer reaches this head.`;
    case 'not-reached':
      return `The ${target === 'cache' ? 'cached copy' : 'chain'} ends before seq ${seq}: sync again, or check against the source.`;
    case null:
      // An anchor file naming a look-alike of a synced tenant must not read as that tenant.
      return `Not checked: this run verified no chain of tenant ${tenantText(a.tenant, alike)}, table ${a.table}. Sync that tenant first.`;
  }
}

const OUTCOME_LABEL: Record<NonNullable<AnchorCheck['outcome']> | 'none', string> = {
  extended: 'extends',
  rewritten: 'REWRITTEN',
  truncated: 'TRUNCATED',
  'row-missing': 'ROW MISSING',
  'not-reached': 'not reached',
  none: 'not checked',
};

function Divergence({ tenant, b }: { tenant: string; b: BreakJson }) {
  return (
    <div className="small">
      <BreakLine tenant={tenant} b={b} />
    </div>
  );
}

function History({ recorded }: { recorded: AnchorHead['recorded'] }) {
  const tz = useApp((s) => s.timeZone);
  if (!recorded) return <span className="muted">not recorded</span>;
  return (
    <span>
      recorded as external checkpoint #{recorded.checkpointId}
      <div className="muted small">
        {formatTs(recorded.createdAt, tz)} · signature {recorded.signature}
      </div>
    </span>
  );
}

export function AnchorPanel({ onChecked }: { onChecked(): void }) {
  const tz = useApp((s) => s.timeZone);
  const ids = { text: useId(), file: useId(), target: useId() };
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [target, setTarget] = useState<Target>('cache');
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [result, setResult] = useState<AnchorCheckResult | null>(null);
  const tenantsAlike = useCachedTenantLookAlikes(result?.anchors.map((a) => a.tenant));
  const [recording, setRecording] = useState(false);
  const [recordedNote, setRecordedNote] = useState<string | null>(null);
  const { job, error: jobError } = useJob(jobId);
  const running = job?.state === 'running';

  useEffect(() => {
    if (!job || job.state === 'running') return;
    if (job.state === 'done') setResult(job.result as AnchorCheckResult);
    onChecked();
    // Once per job end: job.result is that end's, and onChecked is a fresh closure on every render of the parent.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job?.state]);

  /** The anchor file as JSON, or null with the reason shown. */
  const parsed = (): unknown => {
    if (!text.trim()) {
      setError('Paste an anchor (a JSON head) or open an anchor file first.');
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      setError(`The anchor is not JSON (${(e as Error).message}): paste the file's content as it is, or open the file.`);
      return null;
    }
  };

  const check = async () => {
    setError(null);
    setRecordedNote(null);
    const file = parsed();
    if (file === null) return;
    setResult(null);
    try {
      setJobId((await api['integrity.checkAnchors']({ file, target })).jobId);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const record = async () => {
    setError(null);
    const file = parsed();
    if (file === null) return;
    setRecording(true);
    try {
      const heads = await api['integrity.recordAnchors']({ file });
      setResult((r) => (r ? { ...r, anchors: r.anchors.map((a, i) => ({ ...a, recorded: heads[i]?.recorded ?? a.recorded })) } : r));
      setRecordedNote(
        `Recorded in the checkpoint history: ${heads.map((h) => `#${h.recorded?.checkpointId ?? '?'}`).join(', ')}. Every later verification compares the chain with ${heads.length > 1 ? 'them' : 'it'}.`,
      );
      onChecked();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setRecording(false);
    }
  };

  const unrecorded = result !== null && !running && result.anchors.some((a) => !a.recorded);

  return (
    <section className="anchor-panel card" aria-labelledby={`${ids.text}-h`}>
      <h3 id={`${ids.text}-h`}>External anchor</h3>
      <p className="muted small">
        A chain head published by the tenant, or saved here on an earlier visit (“Save head”): the same JSON file as <code>auditdesk verify --checkpoint FILE</code>. The check says whether the current
        chain still extends it.
      </p>
      <div className="anchor-inputs">
        <label className="stack" htmlFor={ids.text}>
          Anchor JSON
          <textarea
            id={ids.text}
            className="mono"
            rows={4}
            spellCheck={false}
            value={text}
            placeholder='{"tenant": "…", "table": "audit_logs", "last_seq": 1234, "head_hash": "<64 hex>"}'
            onChange={(e) => {
              setText(e.target.value);
              setFileName(null);
              setResult(null);
            }}
          />
        </label>
        <div className="anchor-actions">
          <label htmlFor={ids.file} className="file-button">
            Open anchor file…
            <input
              id={ids.file}
              type="file"
              accept=".json,application/json"
              className="sr-only"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (!f) return;
                setError(null);
                if (f.size > MAX_FILE_BYTES) return setError(`${f.name} is ${f.size.toLocaleString('en-US')} bytes; an anchor file is a few hundred. Pick the anchor's JSON file.`);
                setText(await f.text());
                setFileName(f.name);
                setResult(null);
              }}
            />
          </label>
          {fileName ? <span className="muted small">{printable(fileName)}</span> : null}
          <label htmlFor={ids.target}>
            Against{' '}
            <select id={ids.target} value={target} onChange={(e) => setTarget(e.target.value as Target)}>
              <option value="cache">the cache (offline)</option>
              <option value="source+cache">the source and the cache</option>
            </select>
          </label>
          <button type="button" className="primary" disabled={running} onClick={() => void check()}>
            Check anchor
          </button>
          <button type="button" disabled={!unrecorded || recording || running} onClick={() => void record()}>
            Record in checkpoint history
          </button>
        </div>
      </div>
      {error ? (
        <p role="alert" className="error-text">
          {/* may quote the file's name or the pasted text (JSON.parse's message) */}
          {printable(error)}
        </p>
      ) : null}
      {jobError ? (
        <p role="alert" className="error-text">
          {printable(jobError)}
        </p>
      ) : null}
      {job && job.state !== 'done' ? <JobProgressView job={job} label="Anchor check" onCancel={() => void api['jobs.cancel']({ jobId: job.jobId })} /> : null}
      {recordedNote ? <p role="status">{recordedNote}</p> : null}
      {result ? (
        <table className="data-table" aria-label="Anchor check">
          <thead>
            <tr>
              <th scope="col">Head</th>
              <th scope="col">Current chain</th>
              <th scope="col">Checkpoint history</th>
            </tr>
          </thead>
          <tbody>
            {result.anchors.map((a, i) => {
              const bad = a.outcome !== null && a.outcome !== 'extended' && a.outcome !== 'not-reached';
              return (
                <tr key={i} className={bad ? 'broken' : undefined} data-outcome={a.outcome ?? 'none'}>
                  <td>
                    <TenantName name={a.tenant} alike={tenantsAlike} /> · {printable(a.table)}
                    <div className="small">
                      seq {String(a.lastSeq)} <span className="mono muted">{short(a.headHash)}</span>
                    </div>
                    <div className="muted small">
                      {a.createdAt ? `saved ${formatTs(a.createdAt, tz)} · ` : ''}
                      <span className={a.signature === 'invalid' ? 'error-text' : undefined}>{a.signature === 'unsigned' ? 'unsigned head' : `signature ${a.signature}`}</span>
                    </div>
                  </td>
                  <td>
                    <strong className={bad ? 'error-text' : a.outcome === 'extended' ? 'ok-text' : 'muted'}>{OUTCOME_LABEL[a.outcome ?? 'none']}</strong>
                    <div>{printable(outcomeText(a, result.target, tenantsAlike))}</div>
                    {a.divergence ? <Divergence tenant={a.tenant} b={a.divergence} /> : null}
                  </td>
                  <td>
                    <History recorded={a.recorded} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {result?.notes.length ? (
        <ul className="muted small" aria-label="Notes from the check">
          {result.notes.map((n) => (
            <li key={n}>{printable(n)}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
