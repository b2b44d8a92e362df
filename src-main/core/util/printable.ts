// Text that came from a package (or any file someone else made) is shown escaped:
// a C0/C1 control character can move the terminal cursor and overwrite a verdict
// line (ESC[2A ESC[2K), and a bidi override (U+202E) can make "fdp.exe" read as
// "exe.pdf". Each such character becomes a visible \u{XX} escape, so nothing is
// hidden and nothing is dropped. Pure: the CLI, the app and the renderer can use it.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}}`);
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
