// An anomaly is named by what happened, not by its UUID: the auditor scans a list of
// "login_failed by j.doe@acme on account 4411 · score 0.96", and reads the detector's
// reasons as words ("failures 10min 10 · distinct ips 1"). Pure: unit-tested under Node.
import type { AnomalySummary } from '../../src-main/core/contract/anomalies.js';

/** "failures_10min": "failures 10min"; the detector's feature names made readable. */
function words(name: string): string {
  return name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

/** The first `n` features as "name value" words; null when there are none or they are not an object. */
export function featureWords(features: string | null, n = 3): string | null {
  if (!features) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(features);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const entries = Object.entries(parsed as Record<string, unknown>).filter(([, v]) => v !== null && typeof v !== 'object');
  if (!entries.length) return null;
  return entries
    .slice(0, n)
    .map(([k, v]) => `${words(k)} ${String(v)}`)
    .join(' · ');
}

/** What happened: event type (or agent), by whom, on what; then the tenant. */
export function anomalyTitle(a: Pick<AnomalySummary, 'event' | 'tenant' | 'auditEventId'>): string {
  const e = a.event;
  if (!e) return `Event ${a.auditEventId ?? '(unknown)'} not in the cache · ${a.tenant}`;
  const what = e.kind === 'event' ? (e.eventType ?? 'event') : `conversation with ${e.agentId ?? 'an agent'}`;
  const who = e.kind === 'event' ? e.userId : null;
  const on = e.entityType || e.entityId ? [e.entityType, e.entityId].filter(Boolean).join(' ') : null;
  return [what, who ? `by ${who}` : null, on ? `on ${on}` : null].filter(Boolean).join(' ') + ` · ${a.tenant}`;
}

/** The score as the list shows it: two decimals, or the source's text when it is not a number. */
export function scoreLabel(a: Pick<AnomalySummary, 'score' | 'scoreText'>): string {
  return a.score !== null ? a.score.toFixed(2) : (a.scoreText ?? '?');
}
