import type { TimeZoneMode } from './store.js';

const NUMBER = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/**
 * Formats a canonical UTC timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ) for display. UTC is
 * shown from the text itself (no Date round trip, so microseconds survive); local time
 * goes through Date (millisecond precision is enough for reading).
 */
export function formatTs(ts: string | null, tz: TimeZoneMode, withSeconds = true): string {
  if (ts === null) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(ts);
  if (!m) return ts; // e.g. 'infinity' as the source printed it
  if (tz === 'utc') return `${m[1]} ${m[2]}${withSeconds ? (m[3] ?? '') : ''}`;
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${date} ${time}`;
}

export function tzLabel(tz: TimeZoneMode): string {
  if (tz === 'utc') return 'UTC';
  const offset = -new Date().getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `local (UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')})`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds % 60)} s`;
}
