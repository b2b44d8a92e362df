// Pure (no DOM, no store): the unit tests run it under Node with TZ set.
import { printable } from '../../src-main/core/util/printable.js';

export type TimeZoneMode = 'utc' | 'local';

const NUMBER = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/** "1 review", "2 reviews", "1,204 access-log rows": a count with its noun agreeing. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${NUMBER.format(n)} ${n === 1 ? singular : plural}`;
}

/** "+02:00" / "−04:00": the offset from UTC in minutes east, as auditors read it. */
export function formatOffset(minutesEast: number): string {
  const sign = minutesEast >= 0 ? '+' : '−';
  const abs = Math.abs(minutesEast);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Formats a canonical UTC timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ) for display, always with
 * its zone: "2026-09-30 23:52:44 UTC", or in local time "2026-09-30 19:52:44 −04:00" with the
 * offset in force at that instant (a September row in New York is −04:00 even in December).
 * UTC is shown from the text itself (no Date round trip, so microseconds survive); local time
 * goes through Date (millisecond precision is enough for reading).
 */
export function formatTs(ts: string | null, tz: TimeZoneMode, withSeconds = true): string {
  if (ts === null) return '—';
  // The whole text must be a time: a clean prefix with anything after it (a second writer's
  // escape or bidi override) is shown as written, not as the time it starts with.
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/.exec(ts);
  if (!m) return printable(ts); // e.g. 'infinity' as the source printed it
  const d = new Date(ts);
  if (tz === 'utc') {
    // A time written with another offset is converted; a UTC one is shown as written (its digits, no float).
    if (m[5] && !/^(Z|[+-]00(:?00)?)$/.test(m[5])) return Number.isNaN(d.getTime()) ? printable(ts) : formatTs(d.toISOString(), 'utc', withSeconds);
    return `${m[1]} ${m[2]}${withSeconds ? (m[3] ?? '') : ''} UTC`;
  }
  if (Number.isNaN(d.getTime())) return printable(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${date} ${time} ${formatOffset(-d.getTimezoneOffset())}`;
}

/**
 * A filter bound as the user typed it: a whole UTC day ("2026-08-05", also when the URL holds
 * its canonical 2026-08-05T00:00:00.000000Z), otherwise the full time with its zone.
 */
export function formatBound(bound: string, tz: TimeZoneMode): string {
  const day = /^(\d{4}-\d{2}-\d{2})(T00:00(:00(\.0+)?)?Z)?$/.exec(bound);
  return day ? day[1]! : formatTs(bound, tz);
}

/** Where the times of a screen come from; with Local each time still carries its own offset. */
export function tzLabel(tz: TimeZoneMode): string {
  if (tz === 'utc') return 'UTC';
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `local time${zone ? ` (${zone})` : ''}, each with its UTC offset`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds % 60)} s`;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The date if it is a real calendar day written as YYYY-MM-DD, else null. */
export function parseIsoDay(text: string): string | null {
  const m = ISO_DAY.exec(text.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === m[0] ? m[0] : null;
}
