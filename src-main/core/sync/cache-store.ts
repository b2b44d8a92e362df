// The cache side of a sync: which source and table a row came from, the keyset
// watermark, and writing rows so that a row changed at the source never silently
// replaces the version we already hold.
import type { CacheDb } from '../cache/open.js';
import { fromRecord, storedAsUtcTime, type CacheRow, type MappedColumn, type TableKind } from '../cache/record-mapping.js';
import { canonicalTimestamp } from '../chain/canonical.js';
import { makeRowDigester } from '../chain/row-digest.js';
import type { SourceFingerprint } from '../source/session.js';
import type { KeysetPosition, Row } from '../source/session.js';
import type { SourceTable } from '../source/discover.js';
import { UserError } from '../util/errors.js';
import { DriftRecorder, sourceValuesOf } from './drift.js';

export { CACHE_TABLE, CACHE_TIME_COLUMN } from '../cache/cache-tables.js';
import { CACHE_TABLE, CACHE_TIME_COLUMN } from '../cache/cache-tables.js';

const now = () => new Date().toISOString();

export function ensureSource(db: CacheDb, fp: SourceFingerprint, label: string): number {
  db.prepare(
    `INSERT INTO sources (fingerprint, system_identifier, database_name, server_version, label, first_seen_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (fingerprint) DO UPDATE SET server_version = excluded.server_version, label = excluded.label`,
  ).run(fp.fingerprint, fp.systemIdentifier, fp.database, fp.serverVersion, label, now());
  const row = db.prepare('SELECT source_id FROM sources WHERE fingerprint = ?').get(fp.fingerprint) as { source_id: number };
  return row.source_id;
}

export interface CachedTable {
  tableId: number;
  columns: MappedColumn[];
}

/** Registers a source table; refuses when its columns changed since it was cached (old rows could no longer be read back exactly). */
export function ensureTable(db: CacheDb, sourceId: number, table: SourceTable): CachedTable {
  const columnsJson = JSON.stringify(table.mapped.map(({ name, type, field }) => ({ name, type, field })));
  const existing = db
    .prepare('SELECT table_id, columns_json FROM source_tables WHERE source_id = ? AND kind = ? AND schema_name = ? AND table_name = ?')
    .get(sourceId, table.kind, table.schema, table.name) as { table_id: number; columns_json: string } | undefined;
  if (existing) {
    if (existing.columns_json !== columnsJson) {
      throw new UserError(
        `the columns of ${table.schema}.${table.name} changed since it was cached.`,
        'E_SCHEMA_CHANGED',
        'Sync into a new cache: a new engagement (the Engagements screen, or `auditdesk engagement create`) or --cache NEW_FILE. This cache stays as it is, with the rows, checkpoints, reviews and drift findings of the table as it was.',
      );
    }
    return { tableId: existing.table_id, columns: JSON.parse(columnsJson) as MappedColumn[] };
  }
  const info = db
    .prepare('INSERT INTO source_tables (source_id, kind, schema_name, table_name, columns_json, profile_json) VALUES (?, ?, ?, ?, ?, NULL)')
    .run(sourceId, table.kind, table.schema, table.name, columnsJson);
  return { tableId: Number(info.lastInsertRowid), columns: JSON.parse(columnsJson) as MappedColumn[] };
}

export function startSyncRow(db: CacheDb, sourceId: number): number {
  return Number(db.prepare(`INSERT INTO syncs (source_id, started_at, status) VALUES (?, ?, 'running')`).run(sourceId, now()).lastInsertRowid);
}

export function finishSyncRow(db: CacheDb, syncId: number, status: 'done' | 'failed' | 'cancelled', message: string | null): void {
  db.prepare('UPDATE syncs SET status = ?, finished_at = ?, message = ? WHERE sync_id = ?').run(status, now(), message, syncId);
}

export function readWatermark(db: CacheDb, tableId: number, tenant: string, kind: TableKind): KeysetPosition | undefined {
  const row = db.prepare('SELECT last_seq, last_ts, last_key FROM watermarks WHERE table_id = ? AND tenant_id = ?').safeIntegers(true).get(tableId, tenant) as
    { last_seq: bigint | null; last_ts: string | null; last_key: string | null } | undefined;
  if (!row) return undefined;
  if (kind === 'events') return row.last_seq === null ? undefined : { seq: row.last_seq.toString() };
  return row.last_key === null ? undefined : { ts: row.last_ts, key: row.last_key };
}

/** The keyset position of a source row, as PostgreSQL printed it. */
/**
 * Where the next sync resumes after this batch: its last row's position. A row with a
 * NULL seq has none (PostgreSQL sends those last, and every later read takes them
 * again, see selectRows), so the last row that has a seq places the watermark; null
 * when no row of the batch has one, and the watermark stays where it was.
 */
export function watermarkAfter(table: SourceTable, batch: readonly Row[], orderBy: 'seq' | 'key'): KeysetPosition | null {
  const last = batch[batch.length - 1]!;
  if (orderBy === 'key') return { ts: table.keys.ts === null ? null : (last[table.keys.ts] ?? null), key: last[table.keys.id]! };
  for (let i = batch.length - 1; i >= 0; i--) {
    const seq = batch[i]![table.keys.seq!];
    if (seq !== null && seq !== undefined) return { seq };
  }
  return null;
}

export type RowOutcome = 'inserted' | 'unchanged' | 'changed';

/** A source row turned into the cache insert's positional parameters (plain data: it crosses to the write worker). */
export interface PreparedRow {
  params: (string | number | bigint | null)[];
  digest: string;
  key: string;
}

export type { SyncChange as ChangeNote } from '../contract/sync.js';

/**
 * Prepared statements for one (table, tenant). `write` inserts a new row or, when
 * the key is already cached with another digest, moves the cached version to
 * record_versions before replacing it.
 */
export class TableWriter {
  private readonly insert;
  private readonly selectExisting;
  private readonly insertVersion;
  private readonly update;
  private readonly upsertWatermark;
  private readonly bumpSync;
  /** Every replaced version is also a drift finding (sync/drift.ts). */
  private readonly drift: DriftRecorder;
  private readonly columnNames: string[];
  private readonly spec;
  /** rowDigest(columns, values), compiled once for this table's columns (same bytes, ~3x faster). */
  private readonly digestOf: (values: readonly (string | null)[]) => string;
  private readonly paramsOf: (values: Row, digest: string) => PreparedRow['params'];
  private readonly keyParam: number;
  /** false while the records key index is deferred: every row is inserted as new. */
  private readonly keyed: boolean;

  constructor(
    private readonly db: CacheDb,
    private readonly table: SourceTable,
    private readonly cached: CachedTable,
    private readonly tenant: string,
    private readonly syncId: number,
  ) {
    this.spec = CACHE_TABLE[table.kind];
    this.digestOf = makeRowDigester(cached.columns);
    const info = db.prepare(`PRAGMA table_info(${this.spec.table})`).all() as { name: string }[];
    this.columnNames = info.map((c) => c.name).filter((n) => n !== this.spec.pk);
    this.paramsOf = compileCacheParams(this.columnNames, cached, tenant, syncId, this.spec.recordKind);
    this.keyParam = this.columnNames.indexOf('source_key');
    const cols = this.columnNames.join(', ');
    // Positional parameters: binding an array is cheaper than a 37-key object per row.
    const vals = this.columnNames.map(() => '?').join(', ');
    // A first fill builds the records key index at its end (sync/deferred.ts): until
    // then the table is empty but for this fill's rows, so a plain insert is the same.
    this.keyed = this.spec.table !== 'records' || hasIndex(db, 'records_key');
    this.insert = db.prepare(`INSERT INTO ${this.spec.table} (${cols}) VALUES (${vals})${this.keyed ? ' ON CONFLICT (table_id, tenant_id, source_key) DO NOTHING' : ''}`);
    this.selectExisting = db.prepare(`SELECT * FROM ${this.spec.table} WHERE table_id = ? AND tenant_id = ? AND source_key = ?`).safeIntegers(true);
    this.insertVersion = db.prepare(
      `INSERT INTO record_versions (rid, table_id, tenant_id, source_key, row_json, digest, superseded_by_sync, superseded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const sets = this.columnNames.map((n) => `${n} = @${n}`).join(', ');
    this.update = db.prepare(`UPDATE ${this.spec.table} SET ${sets} WHERE ${this.spec.pk} = @__pk`);
    this.upsertWatermark = db.prepare(
      `INSERT INTO watermarks (table_id, tenant_id, last_seq, last_ts, last_key, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (table_id, tenant_id) DO UPDATE SET last_seq = excluded.last_seq, last_ts = excluded.last_ts,
         last_key = excluded.last_key, updated_at = excluded.updated_at`,
    );
    this.drift = new DriftRecorder(db, cached.tableId, cached.columns, tenant, syncId);
    this.bumpSync = db.prepare('UPDATE syncs SET rows_fetched = rows_fetched + ?, rows_changed = rows_changed + ? WHERE sync_id = ?');
  }

  /** The cache row for a source row: the insert's parameters, its digest and key (no database access). */
  prepare(values: Row): PreparedRow {
    return this.prepareWithDigest(values, this.digestOf(values));
  }

  /** As prepare, with the row's digest computed elsewhere (sync/digest-worker.ts). */
  prepareWithDigest(values: Row, digest: string): PreparedRow {
    const params = this.paramsOf(values, digest);
    return { params, digest, key: String(params[this.keyParam]) };
  }

  write(values: Row): RowOutcome {
    return this.writePrepared(this.prepare(values));
  }

  /** Inserts a prepared row, or keeps the cached version in record_versions when the row changed. */
  writePrepared({ params, digest, key }: PreparedRow): RowOutcome {
    if (this.insert.run(params).changes === 1) return 'inserted';
    if (!this.keyed) throw new Error(`row ${key} was not inserted`);
    const row: CacheRow = Object.fromEntries(this.columnNames.map((n, i) => [n, params[i] as CacheRow[string]]));
    const existing = this.selectExisting.get(this.cached.tableId, row.tenant_id, key) as Record<string, unknown> | undefined;
    if (!existing) throw new Error(`row ${key} neither inserted nor found`);
    if (existing.digest === digest) return 'unchanged';
    const pk = existing[this.spec.pk] as bigint;
    this.insertVersion.run(pk, this.cached.tableId, row.tenant_id, key, rowJson(existing), existing.digest, this.syncId, now());
    this.update.run({ ...row, __pk: pk });
    const tenant = String(row.tenant_id);
    this.drift.record(
      key,
      'modified',
      { values: sourceValuesOf(this.cached.columns, existing), digest: String(existing.digest) },
      { values: sourceValuesOf(this.cached.columns, row), digest },
      tenant,
    );
    return 'changed';
  }

  saveWatermark(pos: KeysetPosition | null): void {
    if (pos === null) return;
    if ('seq' in pos) this.upsertWatermark.run(this.cached.tableId, this.tenant, BigInt(pos.seq), null, null, now());
    else this.upsertWatermark.run(this.cached.tableId, this.tenant, null, pos.ts, pos.key, now());
  }

  /** A row the source no longer holds (its cached copy stays) or one it holds behind the watermark. */
  recordDrift(key: string, change: 'deleted' | 'added', version: { values: Row; digest: string }): void {
    if (change === 'deleted') this.drift.record(key, 'deleted', version, null);
    else this.drift.record(key, 'added', null, version);
  }

  countSync(fetched: number, changed: number): void {
    this.bumpSync.run(fetched, changed, this.syncId);
  }
}

function hasIndex(db: CacheDb, name: string): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`).get(name));
}

/**
 * toRecord (cache/record-mapping.ts) plus the sync's own columns, compiled once per
 * table into a function that fills the insert's positional parameters directly: no
 * intermediate row object per row (a bulk fill's main cost after digests was the
 * garbage of those objects). Same values as toRecord, column for column.
 */
function compileCacheParams(
  columnNames: readonly string[],
  cached: CachedTable,
  tenant: string,
  syncId: number,
  recordKind: 'event' | 'conversation' | undefined,
): (values: Row, digest: string) => PreparedRow['params'] {
  type Get = (values: Row, digest: string) => string | number | bigint | null;
  const sourceOf = new Map<string, Get>();
  const extras: { name: string; index: number }[] = [];
  cached.columns.forEach((col, i) => {
    if (!col.field) {
      extras.push({ name: col.name, index: i });
      return;
    }
    const asTime = storedAsUtcTime(col.field, col.type);
    const get: Get = asTime ? (v) => (v[i] == null ? null : canonicalTimestamp(v[i]!)) : col.field === 'seq' ? (v) => (v[i] == null ? null : BigInt(v[i]!)) : (v) => v[i] ?? null;
    sourceOf.set(col.field, get); // a later column of the same field wins, as in toRecord
  });
  const numeric = (from: string): Get | undefined => {
    const get = sourceOf.get(from);
    return get && ((v, d) => numericOrNull(get(v, d)));
  };
  const special: Record<string, Get | undefined> = {
    extra: extras.length
      ? (v) => {
          const extra: Record<string, string | null> = {};
          for (const e of extras) extra[e.name] = v[e.index] ?? null;
          return JSON.stringify(extra);
        }
      : () => null,
    temperature_num: numeric('temperature'),
    anomaly_score: numeric('score_text'),
    table_id: () => cached.tableId,
    tenant_id: (
      (get) => (v: Row, d: string) =>
        get?.(v, d) ?? tenant
    )(sourceOf.get('tenant_id')),
    digest: (_v, d) => d,
    sync_id: () => syncId,
    kind: recordKind ? () => recordKind : sourceOf.get('kind'),
  };
  const getters: Get[] = columnNames.map((n) => (n in special ? special[n] : sourceOf.get(n)) ?? (() => null));
  const n = getters.length;
  return (values, digest) => {
    const params = new Array<string | number | bigint | null>(n);
    for (let i = 0; i < n; i++) params[i] = getters[i]!(values, digest);
    return params;
  };
}

/** As record-mapping.ts: a number when the text is one, else null. */
function numericOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(String(v).trim());
  return String(v).trim() !== '' && Number.isFinite(n) ? n : null;
}

export function rowJson(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Cached rows of one (table, tenant) in keyset order, as the source values
 * (fromRecord) with their key and digest. Events by seq; others by (time, id).
 * `afterSeq` (events): only rows after that seq.
 */
export function* cachedRows(
  db: CacheDb,
  kind: TableKind,
  tableId: number,
  tenant: string,
  columns: readonly MappedColumn[],
  opts: { afterSeq?: bigint } = {},
): Generator<{ key: string; digest: string; values: Row; seq: bigint | null; time: string | null; hash: string | null; rowId: number; syncId: number }> {
  const spec = CACHE_TABLE[kind];
  const time = CACHE_TIME_COLUMN[kind];
  // Equal seqs (a source can hold them) in row-id order, as the verify engine and the chain tree read them.
  const order = kind === 'events' ? `seq, ${spec.pk}` : `${time}, source_key`;
  const kindFilter = spec.recordKind ? `AND kind = '${spec.recordKind}'` : '';
  const seqFilter = opts.afterSeq !== undefined && kind === 'events' ? 'AND seq > ?' : '';
  const stmt = db.prepare(`SELECT * FROM ${spec.table} WHERE table_id = ? AND tenant_id = ? ${kindFilter} ${seqFilter} ORDER BY ${order}`).safeIntegers(true);
  const args: (number | string | bigint)[] = [tableId, tenant];
  if (seqFilter) args.push(opts.afterSeq!);
  for (const r of stmt.iterate(...args) as Iterable<Record<string, string | bigint | number | null>>) {
    yield {
      key: String(r.source_key),
      digest: String(r.digest),
      values: fromRecord(columns, r),
      seq: typeof r.seq === 'bigint' ? r.seq : null,
      time: (r[time] as string | null) ?? null,
      hash: (r.hash as string | null | undefined) ?? null,
      rowId: Number(r[spec.pk]),
      syncId: Number(r.sync_id),
    };
  }
}
