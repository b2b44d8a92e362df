// When a count can come from records_rollup (migration 003) instead of records.
// The rollup holds per-day counts for every combination of the low-cardinality
// facet columns; the shared filter SQL runs on it unchanged because it keeps the
// same column names, with `ts` = the day start for dated rows.
import { normaliseBound, type FacetName, type RecordFilter } from './filter.js';

/** Facet columns the rollup keeps; user and session have too many values to roll up. */
export const ROLLUP_FACETS: ReadonlySet<FacetName> = new Set(['tenant', 'agent', 'channel', 'eventType', 'severity', 'modelProvider', 'modelName', 'modelVersion', 'deploymentId', 'safetyMode']);

const DAY_START = /T00:00:00\.000000Z$/;

/**
 * True when every condition of the filter (ignoring `skip`) can be answered per
 * day and per rolled-up column: no user/session/text/anomaly filter, and time
 * bounds on whole days (a brushed range inside a day needs the records table).
 */
export function rollupCovers(filter: RecordFilter, skip?: string): boolean {
  if (filter.text?.trim()) return false;
  if (filter.minAnomalyScore !== undefined && skip !== 'anomalyScore') return false;
  if (filter.user?.length && skip !== 'user') return false;
  if (filter.session?.length && skip !== 'session') return false;
  for (const bound of [filter.from, filter.to]) {
    if (bound !== undefined && !DAY_START.test(normaliseBound(bound))) return false;
  }
  return true;
}
