// Controls runs kept in the cache (migration 010), so their failures join the
// exceptions queue and the journal can name them. Append-only, like verify reports.
import type { CacheDb } from '../cache/open.js';
import type { ControlsReport } from '../controls/engine.js';

export function storeControlsRun(db: CacheDb, report: ControlsReport): number {
  return Number(
    db.prepare('INSERT INTO controls_runs (checked_at, source_fingerprint, report_json) VALUES (?, ?, ?)').run(report.checkedAt, report.source.fingerprint, JSON.stringify(report)).lastInsertRowid,
  );
}

export function latestControlsRun(db: CacheDb): { runId: number; report: ControlsReport } | null {
  const row = db.prepare('SELECT run_id, report_json FROM controls_runs ORDER BY run_id DESC LIMIT 1').get() as { run_id: number; report_json: string } | undefined;
  return row ? { runId: row.run_id, report: JSON.parse(row.report_json) as ControlsReport } : null;
}
