// Text that came from a package, a cache or a source (anything someone else wrote) is shown
// escaped: a C0/C1 control character can move the terminal cursor and overwrite a verdict
// line (ESC[2A ESC[2K), a bidi override (U+202E) can make "fdp.exe" read as "exe.pdf" or
// "knab-xebolg" as "globex-bank", and an invisible character (U+200B, U+FEFF, a soft hyphen)
// makes a second name look like the first. Each such character becomes a visible \u{XX}
// escape, so nothing is hidden and nothing is dropped. Pure and import-free: the CLI, the
// app's renderer and the verify page all use it.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const escaped = (c: string) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}}`;

export function printable(text: string): string {
  return text.replace(UNSAFE, escaped);
}

// Free text on a page (a prompt, a note, pretty JSON, SQL): line breaks and tabs are its
// layout, which HTML draws as whitespace, and the zero-width joiner holds emoji such as 👩‍⚕️
// together, so these stay; every other character above does not.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** printable() for multi-line text shown on a page: tab, LF, CR and the emoji joiner kept. */
export function printableText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, escaped);
}

/** Every string inside a plain JSON-like value, escaped (keys included). */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map(printableDeep) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableDeep(v)])) as T;
  }
  return value;
}

// Cyrillic and Greek letters drawn like Latin ones, in lower case (names are lowered first,
// so upper-case look-alikes such as Cyrillic Т or Greek Η come here as т and η).
const LATIN_LOOK_ALIKES: Record<string, string> = {
  а: 'a',
  в: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  һ: 'h',
  н: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  ӏ: 'l',
  м: 'm',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  т: 't',
  ԝ: 'w',
  х: 'x',
  у: 'y',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'h',
  ι: 'i',
  κ: 'k',
  μ: 'm',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ζ: 'z',
};

/** What a name looks like on a page: hidden characters gone, compatibility forms folded, lower case, look-alike letters as Latin. */
function skeleton(name: string): string {
  return [...name.normalize('NFKC').replace(UNSAFE, '').toLowerCase()].map((c) => LATIN_LOOK_ALIKES[c] ?? c).join('');
}

/**
 * Names of one list (tenant ids) that a reader cannot tell apart: "glоbex-bank" with a Cyrillic о,
 * or with a zero-width space, beside "globex-bank". Each such name maps to another it looks like;
 * names like no other are absent. Only names that collide are flagged, so a list in any one script is left alone.
 */
export function lookAlikes(names: readonly string[]): Map<string, string> {
  const bySkeleton = new Map<string, string[]>();
  for (const n of new Set(names)) {
    const key = skeleton(n);
    bySkeleton.set(key, [...(bySkeleton.get(key) ?? []), n]);
  }
  const out = new Map<string, string>();
  for (const group of bySkeleton.values()) if (group.length > 1) group.forEach((n, i) => out.set(n, group[i === 0 ? 1 : 0]!));
  return out;
}

/** The names of `others` that `name` cannot be told apart from (itself left out), in their order. */
export function lookAlikesAmong(name: string, others: readonly string[]): string[] {
  const key = skeleton(name);
  return [...new Set(others)].filter((o) => o !== name && skeleton(o) === key);
}

/** A name of a look-alike pair as text that tells it from the other: hidden characters and Greek or Cyrillic letters written out (gl\u{43E}bex-bank). */
export function printableLookAlike(name: string): string {
  return printable(name).replace(/[\u0370-\u03ff\u0400-\u052f]/g, escaped);
}

/** "gl\u{43E}bex-bank looks like globex-bank": the words beside a name of a look-alike pair (lookAlikes), for every place that marks one (the CLI, report.pdf). */
export function lookAlikeWords(name: string, other: string): string {
  return `${printableLookAlike(name)} looks like ${printableLookAlike(other)}`;
}
