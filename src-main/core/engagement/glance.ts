// What the switcher shows of an engagement without opening it: its last sync and its
// latest verdict, each naming the source it is about. Read-only, and a missing or
// unreadable cache is said as such rather than shown as "no data".
import { existsSync } from 'node:fs';
import { openCache } from '../cache/open.js';
import { openCacheDamage } from '../verify/cache-damage.js';
import { notCheckedHere, VERDICT_RECORD_COLUMNS, type VerdictRecordRow } from '../verify/verdict-record.js';
import type { NotCheckedHere } from '../contract/integrity.js';
import { isUserError } from '../util/errors.js';

export interface EngagementGlance {
  lastSyncAt: string | null;
  /** host:port/db of every source synced into this engagement */
  sources: { label: string; fingerprint: string }[];
  /** the latest verification recorded in this engagement, null when none ran */
  verdict: {
    intact: boolean;
    checkedAt: string;
    source: { label: string; fingerprint: string } | null;
    cacheDamaged: boolean;
    /** a chain of it is intact only as far as its stated limits allow (no earlier anchor, hidden rows, unprotected values) */
    limited: boolean;
    /** why it is not a check made with the reader's key (another auditor's, or a record no key signed), else null */
    notCheckedHere: NotCheckedHere | null;
  } | null;
  /** why the cache could not be read, when it could not */
  problem: string | null;
}

/**
 * Whether a stored report lists a limit on any chain (docs/verify-report.md, "limits"): an
 * "intact" summary must not read as more than the report says.
 */
const LIMITED_SQL = `CASE WHEN json_valid(report_json) THEN EXISTS (SELECT 1 FROM json_each(report_json, '$.tenants') t WHERE json_array_length(t.value, '$.limits') > 0) ELSE 0 END`;

/** `ownKeyId`: the reading data folder's auditor key id (null when it has none yet). */
export function glanceAt(cachePath: string, ownKeyId: string | null): EngagementGlance {
  const empty: EngagementGlance = { lastSyncAt: null, sources: [], verdict: null, problem: null };
  if (!existsSync(cachePath)) return empty;
  let db;
  try {
    db = openCache(cachePath, { readonly: true });
  } catch (e) {
    return { ...empty, problem: isUserError(e) ? e.message : (e as Error).message };
  }
  try {
    const sources = db.prepare('SELECT label, fingerprint FROM sources ORDER BY source_id').all() as { label: string; fingerprint: string }[];
    const lastSyncAt = db.prepare("SELECT max(finished_at) FROM syncs WHERE status = 'done'").pluck().get() as string | null;
    const last = db.prepare(`SELECT ${VERDICT_RECORD_COLUMNS}, ${LIMITED_SQL} AS limited FROM verify_reports ORDER BY report_id DESC LIMIT 1`).get() as
      (VerdictRecordRow & { limited: number }) | undefined;
    const verdict = last
      ? {
          intact: last.intact === 1,
          checkedAt: last.checked_at,
          source: last.source_fingerprint ? (sources.find((s) => s.fingerprint === last.source_fingerprint) ?? { label: 'a source not synced here', fingerprint: last.source_fingerprint }) : null,
          cacheDamaged: openCacheDamage(db).length > 0,
          limited: last.limited === 1,
          notCheckedHere: notCheckedHere(last, ownKeyId),
        }
      : null;
    return { lastSyncAt, sources, verdict, problem: null };
  } finally {
    db.close();
  }
}
