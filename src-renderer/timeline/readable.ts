// Auditors read "rows 167 · view detail", not {"rows": 167, "view": "detail"}. Pure helpers
// (unit-tested under Node) that turn an event's JSON details into words for the list and
// into rows for the drawer. The raw JSON stays one click away in the drawer.
import type { TextSegment } from '../../src-main/core/contract/records.js';

/**
 * One line of JSON (possibly cut at ~240 characters, so not always parseable) as words:
 * braces, brackets and quotes dropped, members separated by " · ". Works segment by segment,
 * so search highlights survive.
 */
export function jsonAsWords(segments: TextSegment[]): TextSegment[] {
  const first = segments.find((s) => s.text.trim() !== '')?.text.trimStart() ?? '';
  if (!first.startsWith('{') && !first.startsWith('[')) return segments;
  return segments.map((s) => ({
    match: s.match,
    text: s.text
      .replace(/\\"/g, '\u0000')
      .replace(/[{}[\]"]/g, '')
      // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
      .replace(/\u0000/g, '"')
      .replace(/,\s*(?=[\w$.\- ]+:\s)/g, ' · ')
      .replace(/:\s+/g, ' '),
  }));
}

export type DetailValue = string | number | boolean | null | DetailValue[] | { [k: string]: DetailValue };

/** A field's text parsed as JSON when it is a JSON object or array, else null. */
export function parseJsonObject(text: string | null): Record<string, DetailValue> | DetailValue[] | null {
  if (!text) return null;
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return null;
  try {
    const v = JSON.parse(t) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, DetailValue> | DetailValue[]) : null;
  } catch {
    return null;
  }
}

/** "action_details" → "Action details": column names as labels. */
export function fieldLabel(name: string): string {
  const spaced = name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
