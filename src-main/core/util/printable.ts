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
