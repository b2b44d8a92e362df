// Pulls a tenant's audit tables from a read-only source session into the cache.
// Incremental by keyset watermark; each batch of rows and the watermark that
// follows it commit in ONE cache transaction, so a kill or a dropped connection
// at any moment leaves no duplicate and no gap: the next sync resumes after the
// last committed row.
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn, TableKind } from '../cache/record-mapping.js';
import type { DiscoveredTables, SourceTable, TableMapping } from '../source/discover.js';
import { TABLE_KINDS } from '../source/discover.js';
import type { KeysetPosition, Row, SourceSession } from '../source/session.js';
import { UserError, isUserError } from '../util/errors.js';
import { ensureSource, ensureTable, finishSyncRow, readWatermark, watermarkAfter, startSyncRow, TableWriter, type CachedTable, type ChangeNote, type PreparedRow } from './cache-store.js';
import { ProgressMeter, type SyncProgress } from './progress.js';
import { NAMED_PROFILES, type ChainProfile } from '../chain/profile.js';
import { recordChainProfile } from '../cache/chain-profiles.js';
import { recheckCachedRows, type CachedRowsReceiver } from './recheck.js';
import { FetchedEventsSeal, writeSeal, type CachedRowsSeal, type WrittenSeal } from './seal.js';
import type { ChainTree } from '../chain/chain-leaves.js';
import { columnsNeverFilled, enterBulkMode, restoreDeferredSchema } from './deferred.js';
import { canUseWriteWorker, holdsNothingButSyncBookkeeping, WorkerBatchWriter } from './batch-writer.js';
import { DigestPipe, type DigestTake } from './digest-pipe.js';
import type { ChainSpec, LinkExtra } from '../verify/fetched-chain.js';
import { chainTableName } from '../verify/adapters.js';

/** Where a first fill hands each fetched row of a chain (verify/fetched-chain.ts). */
export interface FetchedRowsReceiver {
  /** The chain, for the digest worker to compute each row's link as it digests it. */
  readonly spec: ChainSpec;
  /** `link`: as the digest worker computed it, or 'here' when no worker did; `digest`: the one stored with the row, for the chain's content digest. */
  push(values: Row, link: LinkExtra | undefined | 'here', digest: string): void;
}

export interface SyncOptions {
  tenants: string[];
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  mapping?: TableMapping;
  /** Look for rows changed or deleted at the source since they were cached (default true). */
  recheck?: boolean;
  /** Rows per cache transaction (and per fetch). */
  batchRows?: number;
  /** Only these table kinds (default: every audit table found). */
  kinds?: TableKind[];
  /**
   * The hash-chain profile the events chains were written with, recorded per tenant
   * for verify --cache, the app and export: `byTenant` first, then the mapping's
   * "profiles", then `all`. A tenant named nowhere keeps what was recorded before.
   */
  profiles?: { all?: ChainProfile; byTenant?: Readonly<Record<string, ChainProfile>> };
  /**
   * Be ready without the facet indexes a bulk fill deferred (issue 17): they only make
   * filters faster, so the caller builds them after the verdict (restoreDeferredSchema),
   * or leaves them to the next sync (`--no-wait-index`).
   */
  facetIndexesLater?: boolean;
  /**
   * The chain's leaf tree as its seal's rows gave it (seal.ts): a first fill's rows as
   * they were fetched, equal to the one the cache gives back, or the cached rows the seal
   * read, so the sync's checkpoint need not read the chain again. Not called for a chain
   * with no leaf.
   */
  onChainTree?: (chain: { table: string; tableId: number; tenant: string; tree: ChainTree; from: WrittenSeal['chainTreeFrom'] }) => void;
  /**
   * Told of each events chain a first fill is about to write: every fetched row of it
   * goes to the returned receiver, in fetch order (the verdict from the fetched rows,
   * verify/fetched-chain.ts).
   */
  onFirstFill?: (chain: { tableId: number; tenant: string; columns: readonly MappedColumn[]; label: string }) => FetchedRowsReceiver | undefined;
  /**
   * Told of each events chain a later sync's recheck reads from the cache: it reads every
   * cached row anyway (to hash it for the comparison with the source), so it hands each,
   * this sync's new rows included, to the returned receiver in seq order, and the verdict
   * need not read the chain a second time.
   */
  onRecheckChain?: (chain: { tableId: number; tenant: string; columns: readonly MappedColumn[]; label: string }) => CachedRowsReceiver | undefined;
}

// The contract owns these shapes (the renderer reads them as types); sync fills them.
export type { SyncTableResult as SyncTableSummary, SyncResult as SyncSummary } from '../contract/sync.js';
import type { SyncTableResult as SyncTableSummary, SyncResult as SyncSummary } from '../contract/sync.js';
import { DEFAULT_BATCH_ROWS } from './defaults.js';
import { collectGarbage } from '../util/collect-garbage.js';
import { storageFailure } from '../util/storage-errors.js';
import { ConnectionLostError } from '../source/errors.js';
import { environment } from '../util/environment.js';

const MAX_CHANGES_LISTED = 1000;

interface PlanItem {
  table: SourceTable;
  tenant: string;
  cached: CachedTable;
  watermark: KeysetPosition | undefined;
  pending: number;
}

export async function syncToCache(session: SourceSession, db: CacheDb, opts: SyncOptions): Promise<SyncSummary> {
  const started = Date.now();
  const meter = new ProgressMeter(opts.onProgress);
  if (!opts.tenants.length) {
    throw new UserError('no tenant to sync.', 'E_NO_TENANT', 'Name one with --tenant (row-level security shows nothing without a tenant).');
  }
  meter.set('connecting', session.label);
  const fp = await session.fingerprint();
  const discovered = await session.discover(opts.mapping);
  const tables = pickTables(discovered, opts.kinds);
  const privilegeWarnings = await session.privilegeWarnings(tables);
  const readOnly = await session.isReadOnly();
  if (!readOnly) {
    throw new UserError(`the session on ${session.label} is not read-only.`, 'E_NOT_READ_ONLY', 'AuditDesk only syncs from read-only sessions; check the server and role settings.');
  }

  // A sync interrupted by kill -9 never wrote its end; say so instead of leaving it "running".
  db.prepare(`UPDATE syncs SET status = 'failed', finished_at = ?, message = 'interrupted before it finished' WHERE status = 'running'`).run(new Date().toISOString());
  // Optional bigger page cache (AUDITDESK_SYNC_CACHE_KIB); measured no faster here, so off by default.
  const previousCacheSize = db.pragma('cache_size', { simple: true }) as number;
  const cacheKib = environment().syncCacheKib;
  db.pragma(`cache_size = ${cacheKib > 0 ? -cacheKib : previousCacheSize}`);
  // A sync killed in bulk mode left its indexes for us to rebuild.
  if (restoreDeferredSchema(db).length) meter.set('indexing', 'restoring indexes left by an interrupted sync');
  const sourceId = db.transaction(() => ensureSource(db, fp, session.label))();
  const run = new SyncRun(session, db, opts, meter, fp.fingerprint, startSyncRow(db, sourceId));

  let summaries: SyncTableSummary[];
  try {
    const plan = await run.plan(tables, sourceId);
    await run.fill(plan);
    run.index(plan);
    await run.recheck(plan);
    summaries = run.seal(plan);
  } catch (e) {
    throw await run.failed(e);
  } finally {
    await run.release();
    db.pragma(`cache_size = ${previousCacheSize}`);
  }
  finishSyncRow(db, run.syncId, 'done', null);
  meter.set('done');

  const seconds = (Date.now() - started) / 1000;
  const rowsFetched = summaries.reduce((n, s) => n + s.fetched + s.late, 0);
  return {
    syncId: run.syncId,
    source: session.label,
    fingerprint: fp.fingerprint,
    serverVersion: fp.serverVersion,
    tenants: [...new Set(summaries.map((s) => s.tenant))],
    tables: summaries,
    rowsFetched,
    rowsChanged: summaries.reduce((n, s) => n + s.modified, 0),
    rowsDeleted: summaries.reduce((n, s) => n + s.deleted, 0),
    changes: run.changes,
    changesTruncated: run.changesTruncated,
    privilegeWarnings,
    readOnly,
    seconds,
    rowsPerSecond: seconds > 0 ? Math.round(rowsFetched / seconds) : 0,
  };
}

/** What each (table, tenant) of the plan fetched and found changed, filled in by the phases in turn. */
interface ItemCounts {
  fetched: number;
  modified: number;
  deleted: number;
  late: number;
  fetchedSeal?: FetchedEventsSeal;
  /** The seal over every cached row as the recheck read them, when it changed none. */
  sealRead?: CachedRowsSeal;
}

/**
 * One sync, in named phases run in this order: plan (count the new rows, choose bulk
 * mode), fill (fetch, digest, insert), index (build what bulk mode deferred), recheck
 * (rows changed at the source behind the watermark), seal. The run holds what the
 * phases share: the bulk-mode state to undo on failure, the workers, the changes noted.
 */
class SyncRun {
  readonly changes: ChangeNote[] = [];
  changesTruncated = false;
  private readonly counts = new Map<PlanItem, ItemCounts>();
  private bulk = false;
  private worker: WorkerBatchWriter | null = null;
  private digests: DigestPipe | null = null;
  /** The connection's synchronous setting while a first fill runs without fsyncs. */
  private syncPragma: number | null = null;
  private noSync = false;

  constructor(
    private readonly session: SourceSession,
    private readonly db: CacheDb,
    private readonly opts: SyncOptions,
    private readonly meter: ProgressMeter,
    private readonly fingerprint: string,
    readonly syncId: number,
  ) {}

  private note(c: ChangeNote): void {
    if (this.changes.length < MAX_CHANGES_LISTED) this.changes.push(c);
    else this.changesTruncated = true;
  }

  private countsOf(item: PlanItem): ItemCounts {
    let c = this.counts.get(item);
    if (!c) this.counts.set(item, (c = { fetched: 0, modified: 0, deleted: 0, late: 0 }));
    return c;
  }

  /** Plan: the new rows of each (table, tenant) after its watermark; bulk mode for a big first fill. */
  async plan(tables: SourceTable[], sourceId: number): Promise<PlanItem[]> {
    const { db, opts, meter } = this;
    meter.set('planning', 'counting new rows at the source');
    const plan: PlanItem[] = [];
    for (const table of tables) {
      const cached = db.transaction(() => ensureTable(db, sourceId, table))();
      for (const rawTenant of opts.tenants) {
        const tenant = tenantText(table, rawTenant);
        const profile = table.kind === 'events' ? chainProfileNamed(opts, rawTenant) : undefined;
        if (profile) recordChainProfile(db, cached.tableId, tenant, profile);
        const watermark = readWatermark(db, cached.tableId, tenant, table.kind);
        const orderBy = table.kind === 'events' ? 'seq' : 'key';
        const pending = await this.session.countRows(table, tenant, { orderBy, after: watermark });
        plan.push({ table, tenant, cached, watermark, pending });
      }
    }
    meter.total = plan.reduce((n, p) => n + p.pending, 0);

    // Bulk mode for a big first fill of the timeline table (see deferred.ts).
    const pendingRecords = plan.filter((p) => p.table.kind === 'events' || p.table.kind === 'conversations').reduce((n, p) => n + p.pending, 0);
    const cachedRecords = (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
    this.bulk = pendingRecords >= environment().syncBulkMinRows && pendingRecords >= cachedRecords / 2;
    if (this.bulk) {
      const filling = plan.filter((p) => p.table.kind === 'events' || p.table.kind === 'conversations').map((p) => p.cached);
      enterBulkMode(db, columnsNeverFilled(db, filling));
    }
    return plan;
  }

  /** Fill: every planned table's new rows, fetched, digested and committed batch by batch with their watermark. */
  async fill(plan: PlanItem[]): Promise<void> {
    const { db, bulk } = this;
    // A bulk fill commits through a write worker, so reading and digesting the next
    // batch overlaps writing this one (the 2-core machine otherwise runs them in turn).
    const settings = environment();
    this.noSync = bulk && settings.syncNoSyncFirstFill && holdsNothingButSyncBookkeeping(db);
    if (bulk && settings.syncWriteWorker && canUseWriteWorker(db)) this.worker = await WorkerBatchWriter.start(db.name, { noSync: this.noSync });
    // The same first-fill policy in this thread (see write-worker.ts: WAL keeps commits
    // atomic; only a power loss mid-fill could cost the fill, then --rebuild repeats it).
    if (this.noSync && !this.worker) {
      this.syncPragma = db.pragma('synchronous', { simple: true }) as number;
      db.pragma('synchronous = OFF');
    }

    // A bulk fill digests its rows in a second thread, from the raw COPY bytes, while
    // this one writes the previous batch.
    if (bulk && settings.syncDigestWorker) this.digests = await DigestPipe.start();

    for (const item of plan) await this.fillItem(item);
    // Its thread and heap are not needed for what follows (index builds, recheck, seals).
    await this.digests?.close();
    this.digests = null;
    if (this.worker) {
      await this.worker.close();
      this.worker = null;
    }
    if (this.noSync) {
      // Make the fill durable now (a checkpoint under synchronous=NORMAL fsyncs the WAL, then the file).
      if (this.syncPragma !== null) db.pragma(`synchronous = ${this.syncPragma}`);
      this.syncPragma = null;
      db.pragma('wal_checkpoint(PASSIVE)');
    }
  }

  private async fillItem(item: PlanItem): Promise<void> {
    const { db, opts, meter, worker, syncId } = this;
    const { table, tenant, cached } = item;
    const orderBy = table.kind === 'events' ? 'seq' : 'key';
    const writer = new TableWriter(db, table, cached, tenant, syncId);
    meter.set('fetching', `${table.name} · ${tenant}`);
    const counts = this.countsOf(item);
    const committed = (rows: number, changedKeys: string[]) => {
      for (const key of changedKeys) this.note({ kind: table.kind, tenant, key, change: 'modified' });
      counts.modified += changedKeys.length;
      counts.fetched += rows;
      meter.add(rows);
    };
    // A first fill of events seals what it fetched, in fetch (= seq) order, instead of reading it back.
    const pipe = this.digests;
    const firstFill =
      table.kind === 'events' && !item.watermark && table.keys.seq !== null && !hasCachedRows(db, cached.tableId, tenant) ? new FetchedEventsSeal({ remoteMerkle: Boolean(pipe) }) : undefined;
    const seqIndex = table.keys.seq ?? -1;
    const hashIndex = table.mapped.findIndex((c) => c.field === 'hash');
    counts.fetchedSeal = firstFill;
    const fetchedRows = firstFill ? opts.onFirstFill?.({ tableId: cached.tableId, tenant, columns: cached.columns, label: chainTableName(table.schema, table.name) }) : undefined;
    const prepareBatch = (rows: Row[], digested: DigestTake | null): PreparedRow[] =>
      rows.map((values, i) => {
        const p = digested ? writer.prepareWithDigest(values, digested.digests[i]!) : writer.prepare(values);
        firstFill?.push(p.digest, values[seqIndex] ?? null, hashIndex < 0 ? null : (values[hashIndex] ?? null));
        // The digest worker computed the row's link when it was told the chain; else it is computed here.
        fetchedRows?.push(values, digested?.links ? digested.links[i] : 'here', p.digest);
        return p;
      });
    const applyBatch = db.transaction((rows: Row[], rowDigests: DigestTake | null) => {
      const changed: string[] = [];
      for (const p of prepareBatch(rows, rowDigests)) if (writer.writePrepared(p) === 'changed') changed.push(p.key);
      writer.saveWatermark(watermarkAfter(table, rows, orderBy));
      writer.countSync(rows.length, changed.length);
      return changed;
    });
    const workerTable = worker?.addTable(table, cached, tenant, syncId);
    pipe?.begin(cached.columns, Boolean(firstFill), fetchedRows?.spec);
    const write = async (batch: Row[], rowDigests: DigestTake | null) => {
      if (worker && workerTable !== undefined) {
        const prepared = prepareBatch(batch, rowDigests);
        const watermark = watermarkAfter(table, batch, orderBy);
        for (const o of await worker.submit(workerTable, prepared, watermark)) committed(o.rows, o.changed);
      } else {
        committed(batch.length, applyBatch(batch, rowDigests));
      }
    };
    // With the digest worker, batch k is written while the worker digests batch k+1.
    let previous: { batch: Row[]; digests: Promise<DigestTake> } | null = null;
    for await (const batch of this.session.streamRows(table, tenant, {
      orderBy,
      after: item.watermark,
      signal: opts.signal,
      batchSize: opts.batchRows ?? DEFAULT_BATCH_ROWS,
      onBytes: pipe ? (chunk) => pipe.bytes(chunk) : undefined,
    })) {
      if (!pipe) {
        await write(batch, null);
        continue;
      }
      const next = { batch, digests: pipe.take(batch.length) };
      if (previous) await write(previous.batch, await previous.digests);
      previous = next;
    }
    if (previous) await write(previous.batch, await previous.digests);
    if (pipe && firstFill) {
      const tree = await pipe.root();
      firstFill.setRoot(tree.root, tree.count);
    }
    if (worker) for (const o of await worker.drain()) committed(o.rows, o.changed);
  }

  /** Index: what bulk mode deferred (facet indexes, the key index, FTS, rollup), built once. */
  index(plan: PlanItem[]): void {
    if (!this.bulk) return;
    // The builds hold this thread for seconds: the fill's garbage goes first, not beside the sorter.
    collectGarbage();
    this.meter.set('indexing', this.opts.facetIndexesLater ? 'building the key, chain and timeline indexes and the full-text index' : 'building the facet and full-text indexes');
    restoreDeferredSchema(
      this.db,
      (merged) => {
        // The source sent two rows with one id (and two contents): reported as the keyed insert would.
        for (const m of merged) {
          const item = plan.find((p) => p.cached.tableId === m.tableId && p.tenant === m.tenant);
          if (!item) continue;
          this.note({ kind: item.table.kind, tenant: m.tenant, key: m.key, change: 'modified' });
          this.countsOf(item).modified++;
        }
      },
      this.opts.facetIndexesLater ? 'for-reading' : 'everything',
    );
    this.bulk = false;
  }

  /** Recheck: rows cached by earlier syncs that changed, vanished or appeared behind the watermark at the source. */
  async recheck(plan: PlanItem[]): Promise<void> {
    const { db, opts, meter, syncId } = this;
    if (!(opts.recheck ?? true)) return;
    for (const item of plan) {
      const { table, tenant, cached } = item;
      if (!item.watermark) continue;
      meter.set('rechecking', `${table.name} · ${tenant}: comparing cached rows with the source`);
      const r = await recheckCachedRows(this.session, db, {
        table,
        cached,
        tenant,
        through: item.watermark,
        syncId,
        // Made now: a writer made during a first fill inserts without the (then deferred) key index.
        writer: new TableWriter(db, table, cached, tenant, syncId),
        signal: opts.signal,
        batchRows: opts.batchRows,
        chainRows:
          table.kind === 'events' && opts.onRecheckChain
            ? () => opts.onRecheckChain!({ tableId: cached.tableId, tenant, columns: cached.columns, label: chainTableName(table.schema, table.name) })
            : undefined,
      });
      const counts = this.countsOf(item);
      counts.sealRead = r.sealRead ?? undefined;
      counts.modified += r.modified.length;
      counts.deleted += r.deleted.length;
      counts.late += r.late.length;
      for (const key of r.modified) this.note({ kind: table.kind, tenant, key, change: 'modified' });
      for (const key of r.deleted) this.note({ kind: table.kind, tenant, key, change: 'deleted' });
      for (const key of r.late) this.note({ kind: table.kind, tenant, key, change: 'added-behind-watermark' });
    }
  }

  /** Seal: one seal per (table, tenant), and the summary line that names it. */
  seal(plan: PlanItem[]): SyncTableSummary[] {
    const { db, meter, syncId } = this;
    return plan.map((item) => {
      const { table, tenant, cached } = item;
      const { fetched, modified, deleted, late, fetchedSeal, sealRead } = this.countsOf(item);
      meter.set('sealing', `${table.name} · ${tenant}`);
      const seal = db.transaction(() =>
        writeSeal(db, {
          kind: table.kind,
          tableId: cached.tableId,
          tenant,
          columns: cached.columns,
          syncId,
          sourceFingerprint: this.fingerprint,
          // Only when every fetched row went in as new (writeSeal also checks the count).
          fetched: modified === 0 && deleted === 0 && late === 0 ? fetchedSeal : undefined,
          read: sealRead,
        }),
      )();
      if (seal.chainTree) this.opts.onChainTree?.({ table: `${table.schema}.${table.name}`, tableId: cached.tableId, tenant, tree: seal.chainTree, from: seal.chainTreeFrom });
      return {
        kind: table.kind,
        table: `${table.schema}.${table.name}`,
        tenant,
        fetched,
        modified,
        deleted,
        late,
        seal: {
          rowCount: seal.rowCount,
          merkleRoot: seal.merkleRoot,
          firstKey: seal.firstKey,
          lastKey: seal.lastKey,
          headSeq: seal.headSeq,
          headHash: seal.headHash,
        },
      };
    });
  }

  /** A phase failed: keep what was committed, leave the cache indexed, record why; returns the error to throw. */
  async failed(e: unknown): Promise<unknown> {
    const { db, opts } = this;
    // Batches already handed to the worker commit (each with its watermark) before
    // this connection writes again.
    // (A close that fails too must not hide the failure being reported.)
    if (this.worker) await this.worker.close().catch(() => undefined);
    this.worker = null;
    // Leave the cache fully indexed for the app even when the sync stopped early.
    if (this.bulk) {
      try {
        restoreDeferredSchema(db);
      } catch {
        // the next sync restores it
      }
    }
    const cancelled = opts.signal?.aborted || (isUserError(e) && e.code === 'E_CANCELLED');
    const failure = e instanceof ConnectionLostError ? e.during('everything fetched so far is kept.', 'Run the same sync again: it resumes where it stopped.') : (storageFailure(e, db.name) ?? e);
    try {
      finishSyncRow(db, this.syncId, cancelled ? 'cancelled' : 'failed', failure instanceof Error ? failure.message : String(failure));
    } catch {
      // A full disk can refuse this note too; the next sync marks the row as interrupted.
    }
    return failure;
  }

  /** Whatever the outcome: the digest worker stops and fsyncs come back on. */
  async release(): Promise<void> {
    await this.digests?.close();
    if (this.syncPragma !== null) this.db.pragma(`synchronous = ${this.syncPragma}`);
  }
}

function hasCachedRows(db: CacheDb, tableId: number, tenant: string): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM records WHERE table_id = ? AND tenant_id = ? LIMIT 1`).get(tableId, tenant));
}

function pickTables(discovered: DiscoveredTables, kinds?: TableKind[]): SourceTable[] {
  const wanted = kinds ?? TABLE_KINDS;
  return wanted.map((k) => discovered[k]).filter((t): t is SourceTable => Boolean(t));
}

/** uuid tenant ids print in lower case; match that so watermarks and rows agree. */
function tenantText(table: SourceTable, tenant: string): string {
  const col = table.keys.tenant === null ? null : table.columns[table.keys.tenant];
  return col?.type === 'uuid' ? tenant.toLowerCase() : tenant;
}

function chainProfileNamed(opts: SyncOptions, tenant: string): ChainProfile | undefined {
  const mapped = opts.mapping?.profiles?.[tenant];
  return opts.profiles?.byTenant?.[tenant] ?? (mapped ? NAMED_PROFILES[mapped] : undefined) ?? opts.profiles?.all;
}
