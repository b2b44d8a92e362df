// Fast live reads for verification: COPY (SELECT … ORDER BY seq) TO STDOUT in text
// format on a read-only connection of its own, parsed here. COPY prints each value
// with the same output functions as a query in text mode (same session settings:
// TimeZone=UTC, DateStyle=ISO, extra_float_digits=1), so the values — and the hashes —
// are the ones the cursor path sees, at the speed of `psql \copy`.
// The tenant is never spliced into the SQL: it is set with set_config() and the
// statement reads it back with current_setting(), because COPY takes no parameters.
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { connectError, queryError } from '../source/errors.js';
import { qualifiedName, quoteIdent, type SourceTable } from '../source/discover.js';
import { clientConfig, resolveTarget, type SourceTarget } from '../source/target.js';
import { UserError } from '../util/errors.js';

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
    for (const line of lines) {
      const fields = line.split('\t');
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.indexOf('\\') >= 0) (fields as (string | null)[])[i] = copyField(f);
      }
      out.push(fields as Row);
    }
  }

  end(out: Row[]): void {
    if (this.rest && this.rest.length) {
      const tail = this.rest;
      this.rest = null;
      this.push(Buffer.concat([tail, Buffer.from('\n')]), out);
    }
  }
}

export interface CopySource {
  target: SourceTarget;
  password?: string;
  statementTimeoutMs?: number;
}

/** Streams one tenant's rows of an events table in seq order, in batches. */
export async function* copyChainRows(source: CopySource, table: SourceTable, tenant: string, signal?: AbortSignal): AsyncGenerator<Row[]> {
  if (table.keys.seq === null) throw new Error(`table ${table.name} has no seq column`);
  const resolved = resolveTarget(source.target, source.password);
  const client = new pg.Client(clientConfig(resolved, { statementTimeoutMs: source.statementTimeoutMs ?? 10 * 60_000 }));
  let lost: Error | null = null;
  client.on('error', (e) => {
    lost = queryError(e, resolved.label);
  });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectError(e, resolved.label, resolved.user);
  }
  let stream: ReturnType<typeof copyStreams.to> | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
    const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    let where = '';
    if (table.keys.tenant !== null) {
      // Explicit even under row-level security: a source without RLS must not leak other tenants.
      const col = table.columns[table.keys.tenant]!;
      where = `WHERE ${quoteIdent(col.name)} = CAST(current_setting('app.current_tenant_id') AS ${quoteIdent(col.type)})`;
    }
    const seq = quoteIdent(table.columns[table.keys.seq]!.name);
    stream = client.query(copyStreams.to(`COPY (SELECT ${cols} FROM ${qualifiedName(table)} ${where} ORDER BY ${seq}) TO STDOUT`));
    const parser = new CopyTextParser();
    let batch: Row[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
      parser.push(chunk, batch);
      if (batch.length >= 5000) {
        yield batch;
        batch = [];
      }
    }
    parser.end(batch);
    if (batch.length) yield batch;
    if (lost) throw lost;
    await client.query('COMMIT');
  } catch (e) {
    throw lost ?? queryError(e, resolved.label);
  } finally {
    stream?.destroy();
    await client.end().catch(() => undefined);
  }
}
