import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { printable } from '../../src-main/core/util/printable.js';
import { formatCount, formatDuration } from './format.js';

const FINISHED_LABEL: Record<Exclude<JobStatus['state'], 'running'>, string> = { done: 'done', failed: 'failed', cancelled: 'cancelled' };

/** Progress bar + rows/s + ETA for a running job, and its final state. */
export function JobProgressView({ job, label, onCancel }: { job: JobStatus; label: string; onCancel?: () => void }) {
  const p = job.progress;
  const pct = p.total ? Math.min(100, Math.round((p.done / p.total) * 100)) : null;
  // A finished job never keeps an animated (indeterminate) bar: done fills it, failed and
  // cancelled freeze it where the work stopped, and the head says which.
  const running = job.state === 'running';
  const value = running ? (pct ?? undefined) : job.state === 'done' ? 100 : (pct ?? 0);
  const countsRows = p.total !== null || p.done > 0;
  return (
    <div className="job" data-testid={`job-${job.kind}`} data-state={job.state}>
      <div className="job-head">
        <strong>{label}</strong>
        <span className={`job-state job-${job.state}`} data-testid="job-state">
          {' '}
          · {job.state === 'running' ? p.phase : FINISHED_LABEL[job.state]}
        </span>
      </div>
      <progress max={100} value={value} aria-label={`${label} progress`} className={`progress-${job.state}`}>
        {value !== undefined ? `${value}%` : ''}
      </progress>
      <div className="job-stats small" data-testid="job-stats">
        {[
          // A job that counts no rows (controls, anchors) says nothing of rows, not "0 rows".
          countsRows ? `${formatCount(p.done)}${p.total !== null ? ` / ${formatCount(p.total)}` : ''} ${(p.total ?? p.done) === 1 ? 'row' : 'rows'}` : null,
          p.rowsPerSecond ? `${formatCount(p.rowsPerSecond)} rows/s` : null,
          running && p.etaSeconds !== null ? `ETA ${formatDuration(p.etaSeconds)}` : null,
          // The step it is on, or where it stopped; a job that is done is on no step.
          p.message && job.state !== 'done' ? printable(p.message) : null,
        ]
          .filter((part) => part !== null)
          .join(' · ')}
      </div>
      {job.state === 'running' && onCancel ? (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
      {job.state === 'failed' && job.error ? (
        <p role="alert" className="error-text">
          {printable(job.error.message)}
        </p>
      ) : null}
      {job.state === 'cancelled' ? <p role="status">Cancelled. The cache keeps everything committed before the cancel.</p> : null}
    </div>
  );
}
