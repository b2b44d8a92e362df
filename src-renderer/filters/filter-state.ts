// The timeline filter <-> URL query. Every key of the shared RecordFilter has one query
// parameter (lists repeat: ?modelProvider=openai&modelProvider=azure), so a view can be
// bookmarked, reloaded or pasted into a ticket and reopened exactly.
import type { FacetName, RecordFilterInput } from '../../src-main/core/contract/records.js';

export type Filter = RecordFilterInput;

export const LIST_KEYS = [
  'tenant',
  'agent',
  'session',
  'channel',
  'eventType',
  'severity',
  'user',
  'modelProvider',
  'modelName',
  'modelVersion',
  'deploymentId',
  'safetyMode',
] as const satisfies readonly FacetName[];

export const FACET_LABELS: Record<FacetName, string> = {
  tenant: 'Tenant',
  agent: 'Agent',
  session: 'Session',
  channel: 'Channel',
  eventType: 'Event type',
  severity: 'Severity',
  user: 'User',
  modelProvider: 'Model provider',
  modelName: 'Model name',
  modelVersion: 'Model version',
  deploymentId: 'Deployment id',
  safetyMode: 'Safety mode',
};

const NUMBER_KEYS = ['temperatureMin', 'temperatureMax', 'minAnomalyScore'] as const;
const TEXT_KEYS = ['from', 'to', 'text'] as const;

export function filterFromParams(params: URLSearchParams): Filter {
  const filter: Filter = {};
  for (const key of LIST_KEYS) {
    const values = params
      .getAll(key)
      .filter((v) => v.length <= 500)
      .slice(0, 200);
    if (values.length) filter[key] = values;
  }
  for (const key of NUMBER_KEYS) {
    const raw = params.get(key);
    if (raw === null || raw.trim() === '') continue;
    const n = Number(raw);
    if (Number.isFinite(n)) filter[key] = n;
  }
  for (const key of TEXT_KEYS) {
    const raw = params.get(key);
    if (raw) filter[key] = raw.slice(0, 500);
  }
  const kind = params.get('kind');
  if (kind === 'event' || kind === 'conversation') filter.kind = kind;
  return filter;
}

export function filterToParams(filter: Filter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.kind && filter.kind !== 'all') params.set('kind', filter.kind);
  for (const key of LIST_KEYS) for (const v of filter[key] ?? []) params.append(key, v);
  for (const key of NUMBER_KEYS) {
    const v = filter[key];
    if (v !== undefined) params.set(key, String(v));
  }
  for (const key of TEXT_KEYS) {
    const v = filter[key];
    if (v) params.set(key, v);
  }
  return params;
}

/** Removes empty lists and blank strings, so equal filters compare equal. */
export function cleanFilter(filter: Filter): Filter {
  return filterFromParams(filterToParams(filter));
}

export function filterKey(filter: Filter): string {
  return filterToParams(cleanFilter(filter)).toString();
}

export function isEmptyFilter(filter: Filter): boolean {
  return filterKey(filter) === '';
}
