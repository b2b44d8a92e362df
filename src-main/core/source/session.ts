// One read-only session on a source database. Every statement runs inside
// BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, with app.current_tenant_id set
// for the tenant being read, so row-level security applies and nothing can change.
import { createHash, hash, randomBytes } from 'node:crypto';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { ConnectionProfile } from '../contract/connection-profile.js';
import { typeCategory } from '../chain/canonical.js';
import { CopyTextParser } from './copy-stream.js';
import { storedAsUtcTime, type TableKind } from '../cache/record-mapping.js';
import { UserError } from '../util/errors.js';
import { checkTenantFits } from './tenant.js';
import { describeTable, qualifiedName, quoteIdent, wantedTables, type DiscoveredTables, type SourceColumn, type SourceTable, type TableMapping } from './discover.js';
import { connectError, queryError } from './errors.js';
import { newSourceClient, resolveTarget, tlsTrust, tlsTrustNotice, TEXT_TYPES, type ResolvedTarget, type SourceTarget } from './target.js';

export interface ConnectOptions {
  password?: string;
  /** send the password in clear text if a non-TLS server asks for it that way (the CLI's --allow-cleartext-password) */
  allowCleartextPassword?: boolean;
  statementTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface SourceFingerprint {
  systemIdentifier: string;
  database: string;
  serverVersion: string;
  /** sha256 hex of system identifier + "\n" + database: names the source in seals and packages */
  fingerprint: string;
}

/** Keyset position: a seq (events) or a (time, id) pair as PostgreSQL printed them. */
export type KeysetPosition = { seq: string } | { ts: string | null; key: string };

export interface StreamOptions {
  orderBy: 'seq' | 'key';
  /** Exclusive lower bound. */
  after?: KeysetPosition;
  /** Inclusive upper bound. */
  through?: KeysetPosition;
  /** Only rows whose key falls into these hash buckets (see bucketOf). */
  buckets?: { count: number; ids: number[] };
  batchSize?: number;
  signal?: AbortSignal;
  /**
   * Sees the raw COPY text before it is parsed, chunk by chunk, then null at its end
   * (before the last batch is yielded): a second parser elsewhere gets the same rows.
   */
  onBytes?: (chunk: Buffer | null) => void;
}

export type Row = (string | null)[];

export interface BucketDigest {
  bucket: number;
  count: number;
  /** XOR of the bucket's keyed row hashes (rowHash), a signed 64-bit integer as text. */
  xor: string;
}

export interface SourceSession {
  readonly label: string;
  /** what the user should know about this connection (which CA store checked the certificate) */
  readonly notices: readonly string[];
  readonly target: Readonly<Omit<ResolvedTarget, 'password'>>;
  fingerprint(): Promise<SourceFingerprint>;
  discover(mapping?: TableMapping): Promise<DiscoveredTables>;
  privilegeWarnings(tables: DiscoveredTables | SourceTable[]): Promise<string[]>;
  /** true when the session refuses writes (it always should). */
  isReadOnly(): Promise<boolean>;
  tenants(): Promise<string[]>;
  countRows(table: SourceTable, tenant: string, opts?: Pick<StreamOptions, 'orderBy' | 'after' | 'through'>): Promise<number>;
  streamRows(table: SourceTable, tenant: string, opts: StreamOptions): AsyncIterable<Row[]>;
  /** Per-bucket row count and XOR of row hashes over rows up to `through` (change detection without fetching rows). */
  /** Per bucket of keys: its row count and the XOR of its rows' hashes keyed by `secret` (see rowHash). */
  bucketDigests(table: SourceTable, tenant: string, opts: { orderBy: 'seq' | 'key'; through?: KeysetPosition; buckets: number; secret: Buffer }): Promise<BucketDigest[]>;
  /** Runs one statement inside the read-only transaction; for tests and diagnostics. */
  query(sql: string, params?: unknown[], tenant?: string): Promise<Row[]>;
  /** The server process id of this session (pg_backend_pid). */
  backendPid(): Promise<number>;
  close(): Promise<void>;
}

export async function connectSource(target: SourceTarget, opts: ConnectOptions = {}): Promise<SourceSession> {
  const resolved = resolveTarget(target, opts.password, { allowCleartextPassword: opts.allowCleartextPassword });
  const statementTimeoutMs = opts.statementTimeoutMs ?? 10 * 60_000;
  const client = newSourceClient(resolved, { statementTimeoutMs });
  const session = new PgSourceSession(client, resolved, typeof target === 'string' ? undefined : target);
  const onAbort = () => void client.end().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.signal?.aborted) throw new UserError('cancelled before connecting.', 'E_CANCELLED');
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectError(e, resolved.label, resolved.user, tlsTrust(resolved));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return session;
}

class PgSourceSession implements SourceSession {
  readonly label: string;
  readonly notices: readonly string[];
  readonly target: Readonly<Omit<ResolvedTarget, 'password'>>;
  private busy = false;
  private lostError: Error | null = null;
  private discovered: DiscoveredTables | undefined;
  private ended = false;
  private readonly waiters = new Set<(e: Error) => void>();

  constructor(
    private readonly client: pg.Client,
    resolved: ResolvedTarget,
    private readonly profile: ConnectionProfile | undefined,
  ) {
    const { password: _password, ...rest } = resolved;
    this.target = Object.freeze(rest);
    this.label = resolved.label;
    const tls = tlsTrustNotice(resolved);
    this.notices = tls ? [tls] : [];
    // An idle client whose server goes away emits 'error'; without a listener
    // Node would crash the process. Remember it and report it on the next call.
    // A read waiting on a connection that died never settles by itself: its
    // waiter (untilLost) is failed here instead of hanging.
    client.on('error', (e) => {
      this.lostError = queryError(e, this.label);
      this.failWaiters(this.lostError);
    });
    client.once('end', () => {
      this.ended = true;
      this.failWaiters(this.lostError ?? queryError(new Error('Connection terminated unexpectedly'), this.label));
    });
  }

  private failWaiters(e: Error): void {
    for (const w of this.waiters) w(e);
    this.waiters.clear();
  }

  /**
   * `p`, or a rejection as soon as the connection is lost. The waiter is removed
   * when `p` settles, so nothing keeps a settled batch of rows alive (a race
   * against one long-lived promise would retain every batch).
   */
  private untilLost<T>(p: Promise<T>): Promise<T> {
    if (this.ended) {
      // `p` (a COPY chunk read, say) fails too once the connection is gone: handled here.
      p.catch(() => undefined);
      return Promise.reject(this.lostError ?? queryError(new Error('Connection terminated unexpectedly'), this.label));
    }
    return new Promise<T>((resolve, reject) => {
      const onLost = (e: Error) => reject(e);
      this.waiters.add(onLost);
      p.then(
        (v) => {
          this.waiters.delete(onLost);
          resolve(v);
        },
        (e: unknown) => {
          this.waiters.delete(onLost);
          reject(e);
        },
      );
    });
  }

  /** Runs `work` inside one read-only snapshot; one at a time per session. */
  private async readTx<T>(tenant: string | undefined, work: () => Promise<T>): Promise<T> {
    if (this.lostError) throw this.lostError;
    if (this.busy) throw new Error('source session is busy: finish iterating streamRows before the next call');
    this.busy = true;
    let began = false;
    try {
      await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      began = true;
      await this.enterSnapshot(tenant);
      const out = await work();
      await this.client.query('COMMIT');
      began = false;
      return out;
    } catch (e) {
      if (began) await this.client.query('ROLLBACK').catch(() => undefined);
      throw queryError(e, this.label);
    } finally {
      this.busy = false;
    }
  }

  /**
   * First statement of every transaction: sets the tenant for row-level security and
   * takes the snapshot, after which PostgreSQL refuses SET TRANSACTION READ WRITE.
   */
  private async enterSnapshot(tenant: string | undefined): Promise<void> {
    const r = await this.client.query({
      text: "SELECT current_setting('transaction_read_only'), set_config('app.current_tenant_id', $1, true)",
      values: [tenant ?? null],
      rowMode: 'array',
    });
    if ((r.rows[0] as Row)[0] !== 'on') {
      throw new UserError(`the session on ${this.label} is not read-only.`, 'E_NOT_READ_ONLY', 'AuditDesk reads sources only in read-only transactions.');
    }
  }

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    // Extended protocol: one statement per call, never a ';'-separated batch.
    const config = { text: sql, values: params, rowMode: 'array' as const, types: TEXT_TYPES, queryMode: 'extended' };
    const r = await this.client.query(config as pg.QueryConfig);
    return r.rows as Row[];
  }

  query(sql: string, params: unknown[] = [], tenant?: string): Promise<Row[]> {
    return this.readTx(tenant, () => this.rows(sql, params));
  }

  async backendPid(): Promise<number> {
    const [row] = await this.query('SELECT pg_backend_pid()');
    return Number(row![0]);
  }

  async fingerprint(): Promise<SourceFingerprint> {
    return this.readTx(undefined, async () => {
      const [info] = await this.rows(
        `SELECT current_database(), current_setting('server_version'),
                has_function_privilege('pg_control_system()', 'EXECUTE')::text`,
      );
      const [database, serverVersion, canReadControl] = info as string[];
      let systemIdentifier: string | undefined;
      if (canReadControl === 'true') {
        const [sys] = await this.rows('SELECT system_identifier::text FROM pg_control_system()');
        systemIdentifier = sys?.[0] ?? undefined;
      }
      // Without pg_control_system() rights the server's address stands in: weaker, but stable.
      systemIdentifier ??= `unknown@${this.target.host}:${this.target.port}`;
      const fingerprint = createHash('sha256').update(`${systemIdentifier}\n${database}`, 'utf8').digest('hex');
      return { systemIdentifier, database: database!, serverVersion: serverVersion!, fingerprint };
    });
  }

  async discover(mapping?: TableMapping): Promise<DiscoveredTables> {
    const effective = mapping ?? this.profile?.mapping;
    const wanted = wantedTables(this.target.schema, effective);
    const found = await this.readTx(undefined, () =>
      this.rows(
        `SELECT table_schema, table_name, column_name, udt_name, is_nullable
           FROM information_schema.columns
          WHERE (table_schema, table_name) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          ORDER BY table_schema, table_name, ordinal_position`,
        [wanted.map((w) => w.ref.schema), wanted.map((w) => w.ref.name)],
      ),
    );
    const out: DiscoveredTables = {};
    for (const w of wanted) {
      const columns: SourceColumn[] = found.filter((r) => r[0] === w.ref.schema && r[1] === w.ref.name).map((r) => ({ name: r[2]!, type: r[3]!, nullable: r[4] === 'YES' }));
      if (!columns.length) {
        if (w.explicit) {
          throw new UserError(
            `table ${w.ref.schema}.${w.ref.name} (mapped as ${w.kind}) does not exist at ${this.label} or is not readable.`,
            'E_UNKNOWN_TABLE',
            "Check the table name in the mapping and the role's SELECT rights.",
          );
        }
        continue;
      }
      out[w.kind] = describeTable(w.kind, w.ref, columns, effective);
    }
    if (!out.events && !out.conversations) {
      throw new UserError(
        `no audit tables found at ${this.label} (looked for ${wanted.map((w) => `${w.ref.schema}.${w.ref.name}`).join(', ')}).`,
        'E_UNKNOWN_TABLE',
        "Name the tables in a mapping file (--mapping) or check the schema and the role's SELECT rights.",
      );
    }
    this.discovered = out;
    return out;
  }

  async privilegeWarnings(tables: DiscoveredTables | SourceTable[]): Promise<string[]> {
    const list = Array.isArray(tables) ? tables : Object.values(tables).filter((t): t is SourceTable => Boolean(t));
    return this.readTx(undefined, async () => {
      const warnings: string[] = [];
      const [role] = await this.rows(`SELECT current_user, rolsuper::text, rolbypassrls::text FROM pg_roles WHERE rolname = current_user`);
      const [user, superuser, bypass] = (role ?? []) as string[];
      if (superuser === 'true') {
        warnings.push(`role "${user}" is a superuser: it bypasses row-level security and could change the audit trail; use a least-privilege role with SELECT only.`);
      } else if (bypass === 'true') {
        warnings.push(`role "${user}" has BYPASSRLS: it sees every tenant's rows; use a least-privilege role with SELECT only.`);
      }
      for (const t of list) {
        const held = await this.rows(`SELECT p FROM unnest(ARRAY['INSERT','UPDATE','DELETE','TRUNCATE']) AS p WHERE has_table_privilege($1, p)`, [qualifiedName(t)]);
        if (held.length) {
          warnings.push(`role "${user}" holds ${held.map((r) => r[0]).join(', ')} on ${t.schema}.${t.name}: auditors should use a least-privilege role with SELECT only.`);
        }
      }
      return warnings;
    });
  }

  async isReadOnly(): Promise<boolean> {
    const [row] = await this.query(`SELECT current_setting('transaction_read_only'), current_setting('default_transaction_read_only')`);
    return row?.[0] === 'on' && row?.[1] === 'on';
  }

  async tenants(): Promise<string[]> {
    const tables = this.discovered ?? (await this.discover());
    const events = tables.events ?? tables.conversations;
    let seen: string[] = [];
    if (events && events.keys.tenant !== null) {
      // Row-level security hides every tenant when none is set; then only a role
      // that is allowed to see across tenants (or a table without RLS) lists them.
      const col = quoteIdent(events.columns[events.keys.tenant]!.name);
      const rows = await this.query(`SELECT DISTINCT ${col}::text FROM ${qualifiedName(events)} WHERE ${col} IS NOT NULL ORDER BY 1 LIMIT 1000`);
      seen = rows.map((r) => r[0]!);
    }
    const configured = this.target.tenants;
    return [...new Set([...seen, ...configured])].sort();
  }

  async countRows(table: SourceTable, tenant: string, opts: Pick<StreamOptions, 'orderBy' | 'after' | 'through'> = { orderBy: 'key' }): Promise<number> {
    const q = selectRows(table, tenant, opts);
    const [row] = await this.query(`SELECT count(*) FROM ${qualifiedName(table)} WHERE ${q.where}`, q.params, tenant);
    return Number(row![0]);
  }

  streamRows(table: SourceTable, tenant: string, opts: StreamOptions): AsyncIterable<Row[]> {
    return {
      [Symbol.asyncIterator]: () => this.iterate(table, tenant, opts),
    };
  }

  /**
   * Rows through `COPY (SELECT …) TO STDOUT` (text format), parsed by the verify
   * engine's CopyTextParser: COPY prints each value with the same output functions as
   * a text-mode query in this session, so the values are the ones a cursor returns,
   * at a third of the client CPU (no per-row protocol messages). COPY takes no bind
   * parameters: the keyset bounds and the tenant are set with set_config(…, true) in
   * the read-only transaction and read back by current_setting(), never spliced in.
   */
  private async *iterate(table: SourceTable, tenant: string, opts: StreamOptions): AsyncGenerator<Row[]> {
    const settings: string[] = [];
    const q = selectRows(table, tenant, opts, (v) => {
      settings.push(v === null ? '' : Array.isArray(v) ? `{${v.join(',')}}` : String(v));
      return `current_setting('auditdesk.p${settings.length}')`;
    });
    const batchSize = opts.batchSize ?? 2000;
    if (this.lostError) throw this.lostError;
    if (this.busy) throw new Error('source session is busy: finish iterating streamRows before the next call');
    this.busy = true;
    let began = false;
    let chunks: AsyncIterator<Buffer> | undefined;
    let finished = false;
    try {
      await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      began = true;
      await this.enterSnapshot(tenant);
      if (settings.length) {
        await this.rows(`SELECT ${settings.map((_, i) => `set_config('auditdesk.p${i + 1}', $${i + 1}, true)`).join(', ')}`, settings);
      }
      const stream = this.client.query(copyStreams.to(`COPY (${q.sql}) TO STDOUT`));
      chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const parser = new CopyTextParser();
      let batch: Row[] = [];
      for (;;) {
        const next = await this.untilLost(chunks.next());
        if (next.done) break;
        opts.onBytes?.(next.value);
        parser.push(next.value, batch);
        if (batch.length < batchSize) continue;
        if (opts.signal?.aborted) throw new UserError('sync cancelled.', 'E_CANCELLED');
        if (this.lostError) throw this.lostError;
        // A batch of exactly batchSize rows keeps the caller's transactions as sized.
        for (let i = 0; i + batchSize <= batch.length; i += batchSize) yield batch.slice(i, i + batchSize);
        batch = batch.slice(batch.length - (batch.length % batchSize));
      }
      finished = true;
      opts.onBytes?.(null);
      parser.end(batch);
      if (opts.signal?.aborted) throw new UserError('sync cancelled.', 'E_CANCELLED');
      if (this.lostError) throw this.lostError;
      if (batch.length) yield batch;
      await this.client.query('COMMIT');
      began = false;
    } catch (e) {
      throw queryError(e, this.label);
    } finally {
      // Reached on errors and when the consumer stops early (break / return()). A COPY
      // cannot be stopped half-way on this connection: read it to its end (discarding
      // rows) so the session stays usable, then roll back.
      if (!this.ended && !this.lostError) {
        if (chunks && !finished) {
          try {
            for (;;) if ((await this.untilLost(chunks.next())).done) break;
          } catch {
            // reported by the next call (lostError) or already thrown
          }
        }
        if (began) await this.client.query('ROLLBACK').catch(() => undefined);
      }
      this.busy = false;
    }
  }

  async bucketDigests(table: SourceTable, tenant: string, opts: { orderBy: 'seq' | 'key'; through?: KeysetPosition; buckets: number; secret: Buffer }): Promise<BucketDigest[]> {
    const q = selectRows(table, tenant, { orderBy: opts.orderBy, through: opts.through });
    const n = q.params.length + 1;
    const rows = await this.query(
      `SELECT bucket, count(*), bit_xor(h)
         FROM (SELECT ${bucketSql(table, `$${n}`)} AS bucket, ${rowHashSql(table, `$${n + 1}`)} AS h
                 FROM ${qualifiedName(table)} WHERE ${q.where}) s
        GROUP BY bucket`,
      [...q.params, opts.buckets, opts.secret],
      tenant,
    );
    return rows.map((r) => ({ bucket: Number(r[0]), count: Number(r[1]), xor: r[2]! }));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

// ---- SQL for keyset reads -------------------------------------------------

interface BuiltQuery {
  sql: string;
  where: string;
  params: unknown[];
}

function castTo(col: SourceColumn, param: string): string {
  return `CAST(${param} AS ${quoteIdent(col.type)})`;
}

/** The ordering key of a table as SQL expressions, matching the cache's order. */
export function keyExpressions(table: SourceTable, orderBy: 'seq' | 'key'): { exprs: string[]; columns: SourceColumn[] } {
  if (orderBy === 'seq') {
    if (table.keys.seq === null) throw new Error(`table ${table.name} has no seq column`);
    const seq = table.columns[table.keys.seq]!;
    return { exprs: [quoteIdent(seq.name)], columns: [seq] };
  }
  const id = table.columns[table.keys.id]!;
  // Text keys compare byte-wise, as the cache (SQLite BINARY) does.
  const idExpr = typeCategory(id.type) === 'text' ? `${quoteIdent(id.name)} COLLATE "C"` : quoteIdent(id.name);
  if (table.keys.ts === null) return { exprs: [idExpr], columns: [id] };
  const ts = table.columns[table.keys.ts]!;
  const tsExpr = ts.nullable ? `COALESCE(${quoteIdent(ts.name)}, '-infinity')` : quoteIdent(ts.name);
  return { exprs: [tsExpr, idExpr], columns: [ts, id] };
}

function positionValues(table: SourceTable, orderBy: 'seq' | 'key', pos: KeysetPosition): (string | null)[] {
  if (orderBy === 'seq') {
    if (!('seq' in pos)) throw new Error('a seq keyset needs a seq position');
    return [pos.seq];
  }
  if (!('key' in pos)) throw new Error('a (time, id) keyset needs a key position');
  return table.keys.ts === null ? [pos.key] : [pos.ts ?? '-infinity', pos.key];
}

/**
 * The keyset read as SQL. `placeholder` turns a value into the SQL text that stands
 * for it (default: bind parameters $1, $2 …, collected in `params`).
 */
function selectRows(
  table: SourceTable,
  tenant: string,
  opts: Pick<StreamOptions, 'orderBy' | 'after' | 'through' | 'buckets'>,
  placeholder?: (v: string | number | number[] | null) => string,
): BuiltQuery {
  const params: unknown[] = [];
  const param = (v: string | number | number[] | null) => {
    if (placeholder) return placeholder(v);
    params.push(v);
    return `$${params.length}`;
  };
  const conds: string[] = [];
  if (table.keys.tenant !== null) {
    // Explicit even under row-level security: a source without RLS must not leak other tenants.
    const col = table.columns[table.keys.tenant]!;
    checkTenantFits(table, tenant);
    conds.push(`${quoteIdent(col.name)} = ${castTo(col, param(tenant))}`);
  }
  const { exprs, columns } = keyExpressions(table, opts.orderBy);
  const tuple = (vals: (string | null)[]) => vals.map((v, i) => castTo(columns[i]!, param(v))).join(', ');
  const lhs = exprs.length > 1 ? `(${exprs.join(', ')})` : exprs[0]!;
  const wrap = (s: string) => (exprs.length > 1 ? `(${s})` : s);
  // A row with no seq has no place before or after a watermark, yet it belongs to the
  // chain (its verdict reports it): every read takes those rows, last, as ORDER BY sends
  // them, so each sync fetches them again and the recheck compares them like any other.
  const orNullSeq = (cond: string) => (opts.orderBy === 'seq' && columns[0]!.nullable ? `(${cond} OR ${exprs[0]} IS NULL)` : cond);
  if (opts.after) conds.push(orNullSeq(`${lhs} > ${wrap(tuple(positionValues(table, opts.orderBy, opts.after)))}`));
  if (opts.through) conds.push(orNullSeq(`${lhs} <= ${wrap(tuple(positionValues(table, opts.orderBy, opts.through)))}`));
  if (opts.buckets) {
    const n = param(opts.buckets.count);
    conds.push(`${bucketSql(table, n)} = ANY(${param(opts.buckets.ids)}::int[])`);
  }
  const where = conds.length ? conds.join(' AND ') : 'true';
  const select = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const sql = `SELECT ${select} FROM ${qualifiedName(table)} WHERE ${where} ORDER BY ${exprs.join(', ')}`;
  return { sql, where, params };
}

// ---- change detection without fetching rows --------------------------------
// The server hashes each row's text (as the cache stores it) and folds the hashes
// per bucket with XOR; the cache computes the same from its own rows
// (sync/recheck.ts). Only buckets that differ are fetched and compared by digest.

function storedTextSql(table: SourceTable, i: number): string {
  const col = table.columns[i]!;
  const field = table.mapped[i]!.field;
  const ident = quoteIdent(col.name);
  if (storedAsUtcTime(field, col.type)) {
    const at = col.type === 'timestamptz' ? `${ident} AT TIME ZONE 'UTC'` : ident;
    return `CASE WHEN isfinite(${ident}) THEN to_char(${at}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${ident}::text END`;
  }
  // The type's output function, as COPY and the cursor print the value the cache holds:
  // a cast to text differs for some types (boolean "true" for "t", inet with its /32
  // mask, char(n) without its padding). format() prints NULL as '', so NULL is kept apart.
  return `CASE WHEN ${ident} IS NULL THEN NULL ELSE format('%s', ${ident}) END`;
}

function rowHashSql(table: SourceTable, secretParam: string): string {
  const parts = table.columns.map((_, i) => {
    const x = storedTextSql(table, i);
    return `COALESCE(octet_length(${x})::text || ':' || ${x}, '-')`;
  });
  const encoded = `convert_to(${parts.join(" || ',' || ")}, 'UTF8')`;
  return `('x' || encode(substr(sha256(${secretParam}::bytea || ${encoded}), 1, 8), 'hex'))::bit(64)::bigint`;
}

function bucketSql(table: SourceTable, countParam: string): string {
  const id = quoteIdent(table.columns[table.keys.id]!.name);
  return `mod(('x' || substr(md5(${id}::text), 1, 7))::bit(28)::int, ${countParam}::int)`;
}

/** Client-side twin of bucketSql. */
export function bucketOf(key: string, count: number): number {
  // The md5's first 28 bits (its first 7 hex digits).
  return (hash('md5', key, 'buffer').readUInt32BE(0) >>> 4) % count;
}

/**
 * A fresh secret for one recheck. The row hashes are keyed because the source's own
 * staff choose the rows: unkeyed 64-bit hashes folded by XOR let an insider edit four
 * rows of one bucket so their hashes XOR as before (a generalized-birthday search of
 * about 2^23 hashes), and the edit would never be fetched. A secret drawn after the
 * edit, inside the sync, leaves nothing to search in advance.
 */
export function newRecheckSecret(): Buffer {
  return randomBytes(32);
}

/** Client-side twin of rowHashSql, over a row as the cache stores it (fromRecord), written by rowText. */
export function rowHash(text: string, secret: Buffer): bigint {
  // SHA-256(secret ‖ row)'s first 64 bits as a signed bigint, as ('x' || 16 hex digits)::bit(64)::bigint reads them.
  return hash('sha256', Buffer.concat([secret, Buffer.from(text, 'utf8')]), 'buffer').readBigInt64BE(0);
}

export type { TableKind };
