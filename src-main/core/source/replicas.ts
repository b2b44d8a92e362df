// A live chain read in seq ranges from several URLs of one database (issue 17, "at
// scale"): `--source` given more than once names the primary and its read replicas, so
// the database cluster, not one backend, carries the COPY work. The first URL fixes each
// chain's extent (its seq bounds and the WAL position they were read at); every other URL
// must be the same cluster and database (pg_control_system's identifier and the database
// name: the fingerprint every verdict names) and, when it is a replica, must have replayed
// that position before it is read. The ranges are then read at once, each on a read-only
// connection of its own, and handed to the engine one after another in seq order, so it
// sees the rows a single COPY of the same extent gives. Rows written after the extent was
// fixed are the next run's.
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../util/errors.js';
import { connectCopyClient, copyChainChunks, tenantCondition, type CopySource, type SeqSpan } from './copy-stream.js';
import { qualifiedName, quoteIdent, type SourceTable } from './discover.js';
import { queryError } from './errors.js';
import { checkTenantFits } from './tenant.js';
import type { SourceFingerprint, SourceSession } from './session.js';

/** One URL a chain's ranges may be read from: its session (checks) and its COPY connection details. */
export interface RangeSource {
  session: SourceSession;
  copy: CopySource;
}

/** A chain as the first URL saw it when its read began. */
export interface ChainExtent {
  /** Smallest and largest seq (decimal text), null for a chain without a numbered row. */
  from: string | null;
  through: string | null;
  nullSeqRows: number;
  /** The WAL position the extent was read at (the replay position on a replica). */
  lsn: string;
}

/** One part of the read: which URL reads which span (in `snapshot`, when several connections share one). */
export interface RangePart {
  source: RangeSource;
  span: SeqSpan;
  snapshot?: string;
}

const UNKNOWN_SYSTEM = /^unknown@/;

/**
 * Refuses any further URL that is not provably the first one's database: another
 * cluster, another database on the same cluster, a role that cannot read the cluster's
 * identifier (then nothing shows the two are one database), or another role (whose
 * row-level security could show other rows).
 */
export async function checkSameDatabase(first: RangeSource, firstPrint: SourceFingerprint, others: readonly RangeSource[]): Promise<void> {
  const roleOf = async (s: RangeSource) => (await s.session.query('SELECT current_user::text'))[0]![0]!;
  const firstRole = await roleOf(first);
  for (const other of others) {
    const print = await other.session.fingerprint();
    const unproven = [firstPrint, print].find((p) => UNKNOWN_SYSTEM.test(p.systemIdentifier));
    if (unproven) {
      throw new UserError(
        `cannot show that ${other.session.label} is the same database as ${first.session.label}: the role cannot read pg_control_system() on ${unproven === print ? other.session.label : first.session.label}.`,
        'E_SOURCE_MISMATCH',
        'Grant the role EXECUTE on pg_control_system() (or pg_monitor) on every server, or give a single --source.',
      );
    }
    if (print.fingerprint !== firstPrint.fingerprint) {
      throw new UserError(
        `${other.session.label} is not the same database as ${first.session.label} (cluster ${print.systemIdentifier}, database ${print.database}; the first is cluster ${firstPrint.systemIdentifier}, database ${firstPrint.database}).`,
        'E_SOURCE_MISMATCH',
        'Give further --source URLs only for replicas of the first one (same cluster, same database).',
      );
    }
    // A physical replica has the primary's roles and policies; the same role there sees the same rows.
    const role = await roleOf(other);
    if (role !== firstRole) {
      throw new UserError(
        `${other.session.label} reads as role ${role}, the first URL as ${firstRole}: row-level security could show it other rows.`,
        'E_SOURCE_MISMATCH',
        'Log in to every --source URL as the same read-only role.',
      );
    }
  }
}

/** The query that reads a chain's extent (its last column is `extra`, e.g. pg_export_snapshot()). */
function extentSql(table: SourceTable, extra = 'NULL'): string {
  if (table.keys.seq === null) throw new Error(`table ${table.name} has no seq column`);
  const seq = quoteIdent(table.columns[table.keys.seq]!.name);
  const where = tenantCondition(table);
  return `SELECT min(${seq})::text, max(${seq})::text, (count(*) FILTER (WHERE ${seq} IS NULL))::text,
                 (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text, ${extra}
            FROM ${qualifiedName(table)} ${where ? `WHERE ${where}` : ''}`;
}

function extentOf(row: (string | null)[]): ChainExtent {
  const [from, through, nullSeqRows, lsn] = row;
  return { from: from ?? null, through: through ?? null, nullSeqRows: Number(nullSeqRows ?? 0), lsn: lsn! };
}

/** The chain's seq bounds and the WAL position, read in one read-only transaction on `source`. */
export async function chainExtent(source: RangeSource, table: SourceTable, tenant: string): Promise<ChainExtent> {
  const [row] = await source.session.query(extentSql(table), [], tenant);
  return extentOf(row!);
}

/** A chain's extent read in a transaction kept open so that other connections can read in its snapshot. */
export interface HeldSnapshot {
  extent: ChainExtent;
  snapshot: string;
  /** Ends the transaction (after every connection reading in the snapshot has started its COPY). */
  close(): Promise<void>;
}

/**
 * One snapshot for several connections to one server (`--jobs N` on a live source): the
 * extent is read in a read-only transaction that exports its snapshot and stays open while
 * the spans are read, each on its own connection in that snapshot, so together they see
 * exactly the rows one COPY would (nothing written meanwhile, on any span).
 */
export async function holdSnapshot(copy: CopySource, table: SourceTable, tenant: string): Promise<HeldSnapshot> {
  checkTenantFits(table, tenant);
  // A lost connection surfaces in the spans' own reads (their snapshot is gone).
  const { client, resolved } = await connectCopyClient(copy, () => undefined);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
    const r = await client.query({ text: extentSql(table, 'pg_export_snapshot()'), rowMode: 'array' });
    const row = r.rows[0] as (string | null)[];
    return {
      extent: extentOf(row),
      snapshot: row[4]!,
      close: async () => {
        await client.query('COMMIT').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  } catch (e) {
    await client.end().catch(() => undefined);
    throw queryError(e, resolved.label);
  }
}

/**
 * Waits until `source` has everything the extent was read at: a server that is not in
 * recovery has it already; a replica must have replayed `lsn` within `timeoutMs`.
 */
export async function waitUntilReplayed(source: RangeSource, lsn: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await source.session.query('SELECT pg_is_in_recovery()::text, (pg_last_wal_replay_lsn() >= $1::pg_lsn)::text', [lsn]);
    const [inRecovery, replayed] = row!;
    if (inRecovery !== 'true' || replayed === 'true') return;
    if (Date.now() >= until) {
      throw new UserError(
        `${source.session.label} has not replayed WAL position ${lsn}, where the chain was fixed, after ${Math.round(timeoutMs / 1000)} s: its rows could be older than the first source's.`,
        'E_REPLICA_BEHIND',
        'Run again when the replica has caught up, or leave that --source out.',
      );
    }
    await sleep(200);
  }
}

/**
 * The extent cut into one seq span per source, in order (equal spans of seq values), then
 * the rows without a seq from the first source: the order a single `ORDER BY seq` gives.
 */
export function splitChain(extent: ChainExtent, sources: readonly RangeSource[], snapshot?: string): RangePart[] {
  const parts: RangePart[] = [];
  if (extent.from !== null && extent.through !== null) {
    const min = BigInt(extent.from);
    const max = BigInt(extent.through);
    const count = BigInt(sources.length);
    const span = max - min + 1n;
    const step = (span + count - 1n) / count;
    sources.forEach((source, i) => {
      const lo = min + BigInt(i) * step;
      if (lo > max) return;
      const hi = lo + step - 1n < max ? lo + step - 1n : max;
      parts.push({ source, span: { from: String(lo), through: String(hi) }, ...(snapshot ? { snapshot } : {}) });
    });
  }
  if (extent.nullSeqRows > 0) parts.push({ source: sources[0]!, span: { nullSeq: true }, ...(snapshot ? { snapshot } : {}) });
  return parts;
}

/** Bytes a range may read ahead of the engine before its connection waits (per range). */
const AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * The COPY text of every part, in part order, while all parts are read at once: each part
 * buffers up to AHEAD_BYTES ahead of the engine and then waits (PostgreSQL then waits on
 * its socket), so memory stays bounded whatever the chain's size. Leaving early (a break
 * limit, an error, a cancel) closes every connection.
 */
export async function* readParts(parts: readonly RangePart[], table: SourceTable, tenant: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const readers = parts.map((p) => new ReadAhead(copyChainChunks(p.source.copy, table, tenant, stop.signal, { span: p.span, snapshot: p.snapshot }), AHEAD_BYTES));
  try {
    for (const reader of readers) yield* reader.chunks();
    if (signal?.aborted) throw new UserError('verification cancelled.', 'E_CANCELLED');
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await Promise.all(readers.map((r) => r.close()));
  }
}

/** Reads a stream into memory as fast as it comes, up to a bound, for a consumer that comes later. */
class ReadAhead {
  private readonly queue: Buffer[] = [];
  private bytes = 0;
  private ended = false;
  private failure: unknown = null;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;
  private closing = false;
  private readonly pump: Promise<void>;

  constructor(
    private readonly source: AsyncIterable<Buffer>,
    private readonly limit: number,
  ) {
    this.pump = this.fill();
  }

  private async fill(): Promise<void> {
    try {
      for await (const chunk of this.source) {
        this.queue.push(chunk);
        this.bytes += chunk.length;
        this.wake('reader');
        while (this.bytes > this.limit && !this.closing) await new Promise<void>((r) => (this.wakeWriter = r));
        if (this.closing) return;
      }
    } catch (e) {
      this.failure = e;
    } finally {
      this.ended = true;
      this.wake('reader');
    }
  }

  private wake(who: 'reader' | 'writer'): void {
    const w = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = null;
    else this.wakeWriter = null;
    w?.();
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.bytes -= chunk.length;
        this.wake('writer');
        yield chunk;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((r) => (this.wakeReader = r));
    }
  }

  /** Call after aborting the read's signal: a read waiting on the server then ends at once. */
  async close(): Promise<void> {
    this.closing = true;
    this.wake('writer');
    await this.pump;
  }
}
