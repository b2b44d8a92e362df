// CSV as the package writes it (docs/package-format.md#csv): RFC 4180, UTF-8
// without BOM, CRLF line ends. NULL and the empty string must stay apart because
// the hash chain is re-verified from these files: NULL is an empty unquoted field,
// the empty string is "" (quoted).
//
// Formula neutralisation: a spreadsheet runs a cell that starts with = + - @ as a
// formula, so such text cells get a leading apostrophe. To keep the mapping
// reversible, a value that already starts with apostrophes followed by one of
// those characters gets one more; restoreCell() removes exactly one.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^'*[=+\-@]/;

export const FORMULA_TRIGGERS = ['=', '+', '-', '@'] as const;

export function neutralise(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

/** Inverse of neutralise(): only ever strips an apostrophe that neutralise() added. */
export function restoreCell(value: string): string {
  return value.startsWith("'") && FORMULA.test(value.slice(1)) ? value.slice(1) : value;
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
  ) {
    this.stream = createWriteStream(path, { mode: 0o600 });
    this.stream.on('error', () => undefined); // surfaced by the awaited writes/close below
    this.push(csvLine(header, header.map(() => false)));
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
 * Parses a package CSV back into rows of (string | null), NULL for empty unquoted
 * fields, undoing formula neutralisation when the manifest says it was applied.
 */
export async function* readCsvRows(
  input: Readable,
  opts: { neutralised: readonly boolean[] | null },
): AsyncGenerator<(string | null)[], void, void> {
  const parser = input.pipe(
    parse({
      relax_column_count: false,
      bom: false,
      cast: (value, ctx) => (ctx.quoting ? value : value === '' ? null : value),
    }),
  );
  let header = true;
  for await (const record of parser as AsyncIterable<(string | null)[]>) {
    if (header) {
      header = false;
      yield record;
      continue;
    }
    const mask = opts.neutralised;
    yield mask ? record.map((v, i) => (v !== null && mask[i] ? restoreCell(v) : v)) : record;
  }
}
