// Progress of long work: rows done, rows/s and ETA, shaped like a job's progress
// so the UI and the terminal show the same figures.
import type { JobProgress } from '../contract/jobs.js';
import { printable } from '../util/printable.js';

export type SyncProgress = JobProgress;

export class ProgressMeter {
  private readonly startMs = Date.now();
  private lastEmitMs = 0;
  done = 0;
  total: number | null = null;
  phase = 'starting';
  message: string | null = null;

  constructor(
    private readonly emit: ((p: SyncProgress) => void) | undefined,
    private readonly everyMs = 200,
  ) {}

  set(phase: string, message: string | null = null): void {
    this.phase = phase;
    this.message = message;
    this.flush(true);
  }

  add(rows: number): void {
    this.done += rows;
    this.flush(false);
  }

  snapshot(): SyncProgress {
    const seconds = (Date.now() - this.startMs) / 1000;
    const rowsPerSecond = seconds > 0.05 ? Math.round(this.done / seconds) : null;
    const etaSeconds = this.total !== null && rowsPerSecond ? Math.max(0, Math.round((this.total - this.done) / rowsPerSecond)) : null;
    return { phase: this.phase, done: this.done, total: this.total, rowsPerSecond, etaSeconds, message: this.message };
  }

  flush(force: boolean): void {
    if (!this.emit) return;
    const now = Date.now();
    if (!force && now - this.lastEmitMs < this.everyMs) return;
    this.lastEmitMs = now;
    this.emit(this.snapshot());
  }
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

function fmtEta(s: number | null): string {
  if (s === null) return '–';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One progress line: a bar when the total is known. */
export function progressLine(p: SyncProgress, width = 24): string {
  const parts: string[] = [p.phase];
  if (p.total !== null && p.total > 0) {
    const frac = Math.min(1, p.done / p.total);
    const filled = Math.round(frac * width);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%`);
    parts.push(`${fmtCount(p.done)}/${fmtCount(p.total)} rows`);
  } else {
    parts.push(`${fmtCount(p.done)} rows`);
  }
  if (p.rowsPerSecond !== null) parts.push(`${fmtCount(p.rowsPerSecond)} rows/s`);
  if (p.total !== null) parts.push(`ETA ${fmtEta(p.etaSeconds)}`);
  // The message names tables and tenants, the source's text: escaped like every verdict line.
  if (p.message) parts.push(printable(p.message));
  return parts.join('  ');
}

/**
 * Writes progress to a stream: a line redrawn in place on a terminal, plain lines
 * (at most one every few seconds, and on each phase change) otherwise.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { update: (p: SyncProgress) => void; end: () => void } {
  const tty = Boolean(stream.isTTY);
  let lastPlainMs = 0;
  let lastPhase = '';
  let drawn = false;
  return {
    update(p) {
      if (tty) {
        const cols = stream.columns || 100;
        stream.write(`\r\x1b[K${progressLine(p).slice(0, cols - 1)}`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (p.phase === lastPhase && now - lastPlainMs < 5000) return;
      lastPhase = p.phase;
      lastPlainMs = now;
      stream.write(`${progressLine(p)}\n`);
    },
    end() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}
