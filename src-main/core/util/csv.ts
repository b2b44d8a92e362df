// CSV as the package writes it (docs/package-format.md#csv): RFC 4180, UTF-8
// without BOM, CRLF line ends. NULL and the empty string must stay apart because
// the hash chain is re-verified from these files: NULL is an empty unquoted field,
// the empty string is "" (quoted).
//
// Formula neutralisation: a spreadsheet runs a cell that starts with = + - @ as a
// formula, and strips a leading TAB or CR before looking (OWASP CSV injection), so
// such text cells, and every header cell, get a leading apostrophe. To keep the
// mapping reversible, a value that already starts with apostrophes followed by one
// of those characters gets one more; restoreCell() removes exactly one. A package
// records its triggers, so one written before TAB and CR were added reads back
// with its own.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

const NEEDS_QUOTES = /[",\r\n]/;
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

function formulaPattern(triggers: readonly string[]): RegExp {
  const chars = triggers.filter((t) => t.length === 1).map((t) => `\\u${t.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new RegExp(`^'*[${chars.join('')}]`);
}

const FORMULA = formulaPattern(FORMULA_TRIGGERS);
const patterns = new Map<string, RegExp>();

export function neutralise(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

/** Inverse of neutralise() (with the triggers the package was written with): only ever strips an apostrophe that neutralise() added. */
export function restoreCell(value: string, triggers?: readonly string[]): string {
  let formula = FORMULA;
  if (triggers) {
    const key = triggers.join('\u0000');
    formula = patterns.get(key) ?? formulaPattern(triggers);
    patterns.set(key, formula);
  }
  return value.startsWith("'") && formula.test(value.slice(1)) ? value.slice(1) : value;
}

export function csvCell(value: string | null, neutraliseFormula: boolean): string {
  if (value === null) return '';
  const v = neutraliseFormula ? neutralise(value) : value;
  if (v === '' || NEEDS_QUOTES.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

export function csvLine(values: readonly (string | null)[], neutraliseMask: readonly boolean[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += ',';
    line += csvCell(values[i] ?? null, neutraliseMask[i] ?? false);
  }
  return `${line}\r\n`;
}

export interface WrittenFile {
  sha256: string;
  size: number;
  rows: number;
}

/**
 * Streams CSV lines to a file while hashing them. Lines are gathered into ~1 MB
 * chunks so 100k small rows cost few syscalls, and one 10 MB prompt is written
 * as it comes without holding the whole file.
 */
export class CsvFileWriter {
  private stream: WriteStream;
  private hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  private size = 0;
  rows = 0;

  constructor(
    readonly path: string,
    header: readonly string[],
    private readonly neutraliseMask: readonly boolean[],
    opts: { neutraliseHeader?: boolean } = {},
  ) {
    this.stream = createWriteStream(path, { mode: 0o600 });
    this.stream.on('error', () => undefined); // surfaced by the awaited writes/close below
    // A header cell is text from the source's schema, so a spreadsheet would run it too.
    this.push(
      csvLine(
        header,
        header.map(() => opts.neutraliseHeader === true),
      ),
    );
  }

  private push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length;
  }

  /** Adds one data row; await the returned promise only when it is not undefined (backpressure). */
  row(values: readonly (string | null)[]): Promise<void> | undefined {
    this.push(csvLine(values, this.neutraliseMask));
    this.rows++;
    return this.pendingChars >= 1 << 20 ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.hash.update(buf);
    this.size += buf.length;
    if (!this.stream.write(buf)) await once(this.stream, 'drain');
  }

  async close(): Promise<WrittenFile> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'close');
    return { sha256: this.hash.digest('hex'), size: this.size, rows: this.rows };
  }

  /** Stops writing (cancel or failure); the caller removes the temp folder. */
  destroy(): void {
    this.stream.destroy();
  }
}

/**
 * Incremental RFC 4180 parser that keeps NULL (empty unquoted field) apart from
 * the empty string (""). Written for this one dialect because csv-parse's per-field
 * info objects (needed to see quoting) cost more than the rest of verification.
 * Feed decoded text; complete records come back, an incomplete tail is kept.
 */
/** A field or record longer than this is refused: no package row is near it, and a hostile one would exhaust memory. */
export const MAX_FIELD_CHARS = 64 << 20;
export const MAX_RECORD_CHARS = 128 << 20;

export class CsvRecordParser {
  private buf = '';
  private pos = 0;
  /** Retry an incomplete record only once this much text is buffered (keeps long fields linear). */
  private waitFor = 0;
  line = 1;

  push(text: string, final = false): (string | null)[][] {
    this.buf = this.pos ? this.buf.slice(this.pos) + text : this.buf + text;
    this.pos = 0;
    if (!final && this.buf.length < this.waitFor) return [];
    const out: (string | null)[][] = [];
    for (;;) {
      const rec = this.record(final);
      if (!rec) break;
      out.push(rec);
    }
    this.waitFor = final ? 0 : (this.buf.length - this.pos) * 2;
    if (this.buf.length - this.pos > MAX_RECORD_CHARS) this.fail(`the record is longer than ${MAX_RECORD_CHARS} characters`);
    return out;
  }

  private fail(msg: string): never {
    throw new Error(`record ${this.line}: ${msg}`);
  }

  /** One record from pos, or null when the buffer ends first (pos unchanged). */
  private record(final: boolean): (string | null)[] | null {
    const buf = this.buf;
    const n = buf.length;
    if (this.pos >= n) return null;
    const rec: (string | null)[] = [];
    let j = this.pos;
    for (;;) {
      if (j < n && buf.charCodeAt(j) === 34) {
        let k = j + 1;
        let val = '';
        for (;;) {
          const q = buf.indexOf('"', k);
          if (q < 0) {
            if (final) this.fail('a quoted field never ends');
            return null;
          }
          if (q + 1 >= n && !final) return null;
          if (buf.charCodeAt(q + 1) === 34) {
            val += buf.slice(k, q + 1);
            k = q + 2;
            continue;
          }
          val += buf.slice(k, q);
          j = q + 1;
          break;
        }
        if (val.length > MAX_FIELD_CHARS) this.fail(`a field is longer than ${MAX_FIELD_CHARS} characters`);
        rec.push(val);
      } else {
        let k = j;
        while (k < n) {
          const c = buf.charCodeAt(k);
          if (c === 44 || c === 13 || c === 10) break;
          if (c === 34) this.fail('a quote inside an unquoted field');
          k++;
        }
        if (k >= n && !final) return null;
        if (k - j > MAX_FIELD_CHARS) this.fail(`a field is longer than ${MAX_FIELD_CHARS} characters`);
        rec.push(k === j ? null : buf.slice(j, k));
        j = k;
      }
      if (j >= n) {
        if (!final) return null;
        this.pos = j;
        this.line++;
        return rec;
      }
      const c = buf.charCodeAt(j);
      if (c === 44) {
        j++;
        continue;
      }
      if (c === 13 || c === 10) {
        if (c === 13 && j + 1 >= n && !final) return null;
        j += c === 13 && buf.charCodeAt(j + 1) === 10 ? 2 : 1;
        this.pos = j;
        this.line++;
        return rec;
      }
      this.fail(`unexpected character ${JSON.stringify(buf[j])} after a quoted field`);
    }
  }
}

/**
 * Parses a package CSV back into rows of (string | null), NULL for empty unquoted
 * fields, undoing formula neutralisation when the manifest says it was applied
 * (with the manifest's triggers, when given). The header comes back as written
 * (restored when neutralisedHeader). Every row must have the header's width.
 */
export async function* readCsvRows(
  input: Readable,
  opts: { neutralised: readonly boolean[] | null; neutralisedHeader?: boolean; triggers?: readonly string[] },
): AsyncGenerator<(string | null)[], void, void> {
  const decoder = new StringDecoder('utf8');
  const parser = new CsvRecordParser();
  let width = -1;
  const mask = opts.neutralised;
  const emit = function* (records: (string | null)[][]) {
    for (const rec of records) {
      if (width < 0) {
        width = rec.length;
        yield opts.neutralisedHeader ? rec.map((v) => (v === null ? v : restoreCell(v, opts.triggers))) : rec;
        continue;
      }
      if (rec.length !== width) throw new Error(`record ${parser.line - 1} has ${rec.length} fields; the header has ${width}`);
      yield mask ? rec.map((v, i) => (v !== null && mask[i] ? restoreCell(v, opts.triggers) : v)) : rec;
    }
  };
  for await (const chunk of input) yield* emit(parser.push(decoder.write(chunk as Buffer)));
  yield* emit(parser.push(decoder.end(), true));
}
