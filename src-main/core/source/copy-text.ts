// COPY's text format (the default of COPY … TO STDOUT) read back into rows of values:
// each line a row, fields split on tabs, \N for NULL, backslash escapes undone. Kept
// free of pg, because the parse workers of a live verification load it.

export type Row = (string | null)[];

const NEWLINE = 0x0a;
const ESCAPE = /\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([\s\S]))/g;
const LETTERS: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field of COPY's text format: \N is NULL, backslash escapes are undone. */
export function copyField(text: string): string | null {
  if (text === '\\N') return null;
  if (text.indexOf('\\') < 0) return text;
  return text.replace(ESCAPE, (_m, oct: string | undefined, hex: string | undefined, ch: string | undefined) => {
    if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    return LETTERS[ch!] ?? ch!;
  });
}

/** One line of COPY's text format (without its newline) → the row's values. */
export function copyLine(line: string): Row {
  const fields: Row = line.split('\t');
  // one search of the line instead of one per field: most lines hold no escape at all
  if (line.indexOf('\\') < 0) return fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.indexOf('\\') >= 0) fields[i] = copyField(f);
  }
  return fields;
}

/** Splits COPY text output into rows; feed Buffers in order, then call end(). */
export class CopyTextParser {
  private rest: Buffer | null = null;

  push(chunk: Buffer, out: Row[]): void {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.rest = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
      return;
    }
    const head = this.rest ? Buffer.concat([this.rest, chunk.subarray(0, last)]) : chunk.subarray(0, last);
    this.rest = last + 1 < chunk.length ? chunk.subarray(last + 1) : null;
    // Whole lines only, so a UTF-8 sequence is never cut in two.
    const lines = head.toString('utf8').split('\n');
    for (const line of lines) out.push(copyLine(line));
  }

  end(out: Row[]): void {
    if (this.rest && this.rest.length) {
      const tail = this.rest;
      this.rest = null;
      this.push(Buffer.concat([tail, Buffer.from('\n')]), out);
    }
  }
}
