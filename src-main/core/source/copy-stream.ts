// Fast live reads for verification: COPY (SELECT … ORDER BY seq) TO STDOUT in text
// format on a read-only connection of its own, parsed here. COPY prints each value
// with the same output functions as a query in text mode (same session settings:
// TimeZone=UTC, DateStyle=ISO, extra_float_digits=1), so the values — and the hashes —
// are the ones the cursor path sees, at the speed of `psql \copy`.
// The tenant is never spliced into the SQL: it is set with set_config() and the
// statement reads it back with current_setting(), because COPY takes no parameters.
import copyStreams from 'pg-copy-streams';
import { connectError, queryError } from './errors.js';
import { qualifiedName, quoteIdent, type SourceTable } from './discover.js';
import { newSourceClient, resolveTarget, tlsTrust, type ResolvedTarget, type SourceTarget } from './target.js';
import type pg from 'pg';
import { UserError } from '../util/errors.js';
import { checkTenantFits } from './tenant.js';
import { CopyTextParser, type Row } from './copy-text.js';

export { copyField, copyLine, CopyTextParser, type Row } from './copy-text.js';

export interface CopySource {
  target: SourceTarget;
  password?: string;
  allowCleartextPassword?: boolean;
  statementTimeoutMs?: number;
}

/** Streams one tenant's rows of an events table in seq order, in batches. */
export function copyChainRows(source: CopySource, table: SourceTable, tenant: string, signal?: AbortSignal): AsyncGenerator<Row[]> {
  return copyRowsOf(copyChainChunks(source, table, tenant, signal));
}

/** COPY text (chunks cut anywhere) as rows, in batches. */
export async function* copyRowsOf(chunks: AsyncIterable<Buffer>): AsyncGenerator<Row[]> {
  const parser = new CopyTextParser();
  let batch: Row[] = [];
  for await (const chunk of chunks) {
    parser.push(chunk, batch);
    if (batch.length >= 5000) {
      yield batch;
      batch = [];
    }
  }
  parser.end(batch);
  if (batch.length) yield batch;
}

/**
 * Part of a chain: the rows with `from` <= seq <= `through` (decimal text; null leaves
 * that end open), or only the rows whose seq is NULL (PostgreSQL sorts them last).
 */
export type SeqSpan = { from: string | null; through: string | null } | { nullSeq: true };

/** The WHERE clause that keeps one tenant's rows, read from app.current_tenant_id (never spliced in). */
export function tenantCondition(table: SourceTable): string | null {
  if (table.keys.tenant === null) return null;
  // Explicit even under row-level security: a source without RLS must not leak other tenants.
  const col = table.columns[table.keys.tenant]!;
  return `${quoteIdent(col.name)} = CAST(current_setting('app.current_tenant_id') AS ${quoteIdent(col.type)})`;
}

/**
 * A connection of its own to `source` for one read (the session's stays free). `onLost`
 * hears of a connection that drops between queries, already worded for the user.
 */
export async function connectCopyClient(source: CopySource, onLost: (e: Error) => void): Promise<{ client: pg.Client; resolved: ResolvedTarget }> {
  const resolved = resolveTarget(source.target, source.password, { allowCleartextPassword: source.allowCleartextPassword });
  const client = newSourceClient(resolved, { statementTimeoutMs: source.statementTimeoutMs ?? 10 * 60_000 });
  client.on('error', (e) => onLost(queryError(e, resolved.label)));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectError(e, resolved.label, resolved.user, tlsTrust(resolved));
  }
  return { client, resolved };
}

/** A snapshot id as pg_export_snapshot() prints it (e.g. 00000003-0000001B-1). */
const SNAPSHOT_ID = /^[0-9A-F]{1,16}-[0-9A-F]{1,16}(-[0-9]{1,10})?$/;

export interface ChainPart {
  /** Only these rows of the chain (default: all of them). */
  span?: SeqSpan;
  /** Read in this exported snapshot (pg_export_snapshot of a transaction still open), so several connections see one state. */
  snapshot?: string;
}

/**
 * The COPY text of one tenant's rows of an events table in seq order, as it arrives
 * (chunks cut anywhere, even inside a line); with a `span`, only that part of the chain.
 * Ends once the read-only transaction committed.
 */
export async function* copyChainChunks(source: CopySource, table: SourceTable, tenant: string, signal?: AbortSignal, part: ChainPart = {}): AsyncGenerator<Buffer> {
  const { span, snapshot } = part;
  if (snapshot !== undefined && !SNAPSHOT_ID.test(snapshot)) throw new Error(`not a snapshot id: ${JSON.stringify(snapshot)}`);
  if (table.keys.seq === null) throw new Error(`table ${table.name} has no seq column`);
  checkTenantFits(table, tenant);
  let lost: Error | null = null;
  const { client, resolved } = await connectCopyClient(source, (e) => (lost = e));
  let stream: ReturnType<typeof copyStreams.to> | undefined;
  let cancel: (() => void) | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Must come first in the transaction; SET takes no parameters, so the id is checked
    // against pg_export_snapshot's own format above and spliced in only then.
    if (snapshot !== undefined) await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
    const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    const seqColumn = table.columns[table.keys.seq]!;
    const seq = quoteIdent(seqColumn.name);
    const conditions = [tenantCondition(table)];
    if (span && 'nullSeq' in span) conditions.push(`${seq} IS NULL`);
    else if (span) {
      // The bounds go in as settings too (COPY takes no parameters).
      for (const [name, value, op] of [
        ['auditdesk.span_from', span.from, '>='],
        ['auditdesk.span_through', span.through, '<='],
      ] as const) {
        if (value === null) continue;
        await client.query('SELECT set_config($1, $2, true)', [name, value]);
        conditions.push(`${seq} ${op} CAST(current_setting('${name}') AS ${quoteIdent(seqColumn.type)})`);
      }
    }
    const present = conditions.filter((c) => c !== null);
    const where = present.length ? `WHERE ${present.join(' AND ')}` : '';
    stream = client.query(copyStreams.to(`COPY (SELECT ${cols} FROM ${qualifiedName(table)} ${where} ORDER BY ${seq}) TO STDOUT`));
    // A cancel ends a read that is waiting for the server, not only one between chunks.
    const copying = stream;
    cancel = () => copying.destroy(new UserError('verification cancelled.', 'E_CANCELLED'));
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
      yield chunk;
    }
    if (lost) throw lost;
    await client.query('COMMIT');
  } catch (e) {
    throw lost ?? queryError(e, resolved.label);
  } finally {
    if (cancel) signal?.removeEventListener('abort', cancel);
    stream?.destroy();
    await client.end().catch(() => undefined);
  }
}
