// Highlighted snippets for full-text results, computed in JS from the page's own
// text. FTS5's snippet() re-reads a common word's whole doclist per row (seconds for
// a page on a million rows); the page already holds the text, and matching a few
// terms the way the unicode61 tokenizer does (case- and diacritic-folded words,
// last term as a prefix) is cheap. Output is plain-text segments, never markup.
import type { TextSegment } from '../contract/records.js';

const WORD = /[\p{L}\p{N}]+/gu;
const SNIPPET_CHARS = 200;
const LEAD_CHARS = 60;

export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export interface SearchTerms {
  exact: Set<string>;
  prefix: string | null;
}

/** The words of the search text as FTS5 sees them; the last one also matches as a prefix. */
export function searchTerms(text: string): SearchTerms {
  const words = text
    .split(/\s+/)
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
    .slice(0, 20)
    .flatMap((t) => fold(t).match(WORD) ?? []);
  const prefix = words.length ? words[words.length - 1]! : null;
  return { exact: new Set(words.slice(0, -1)), prefix };
}

interface Match {
  start: number;
  end: number;
}

function matchesIn(text: string, terms: SearchTerms): Match[] {
  const out: Match[] = [];
  for (const m of text.matchAll(WORD)) {
    const w = fold(m[0]);
    if (terms.exact.has(w) || (terms.prefix !== null && w.startsWith(terms.prefix))) {
      out.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

/**
 * A snippet of the field with the most matches: about 200 characters starting a little
 * before the first match, with matched words as `match: true` segments. Null when no
 * field matches (e.g. the row matched on a column not passed in).
 */
export function snippetSegments(fields: (string | null)[], text: string): TextSegment[] | null {
  const terms = searchTerms(text);
  if (!terms.prefix) return null;
  let best: { text: string; matches: Match[] } | null = null;
  for (const f of fields) {
    if (!f) continue;
    const flat = f.replace(/\s+/g, ' ');
    const matches = matchesIn(flat, terms);
    if (matches.length && (!best || matches.length > best.matches.length)) best = { text: flat, matches };
  }
  if (!best) return null;
  const first = best.matches[0]!;
  const from = Math.max(0, first.start - LEAD_CHARS);
  const to = Math.min(best.text.length, from + SNIPPET_CHARS);
  const segments: TextSegment[] = [];
  const push = (t: string, match: boolean) => {
    if (t) segments.push({ text: t, match });
  };
  let at = from;
  if (from > 0) push('…', false);
  for (const m of best.matches) {
    if (m.start < from) continue;
    if (m.start >= to) break;
    push(best.text.slice(at, m.start), false);
    push(best.text.slice(m.start, Math.min(m.end, to)), true);
    at = Math.min(m.end, to);
  }
  push(best.text.slice(at, to), false);
  if (to < best.text.length) push('…', false);
  // merge neighbouring plain segments ('…' next to text)
  return segments.reduce<TextSegment[]>((acc, s) => {
    const last = acc[acc.length - 1];
    if (last && last.match === s.match && !s.match) last.text += s.text;
    else acc.push({ ...s });
    return acc;
  }, []);
}
