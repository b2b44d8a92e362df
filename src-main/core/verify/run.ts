// One verification run: picks the chains (live source, cache, or the source against
// the cache), runs each through the engine with every earlier checkpoint and the
// cached hashes as references, checks the sealed tables, records a signed checkpoint
// per chain and stores the report. The CLI and the app's integrity.verify job both
// call runVerification, so they report the same.
import type { JobProgress } from '../contract/jobs.js';
import type { CacheDb } from '../cache/open.js';
import { JCS_SHA256_V1, NAMED_PROFILES, type ChainProfile } from '../chain/profile.js';
import { chainProfileOf, profileFromJson } from '../cache/chain-profiles.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import type { SourceSession, SourceTable, TableMapping } from '../source/index.js';
import { isUserError, UserError } from '../util/errors.js';
import { cachedReference, chainTableName, countCachedRows, listCachedChains, readCachedChain, readSourceChain } from './adapters.js';
import { CacheReaders, defaultReadThreads, PARALLEL_MIN_ROWS } from './cached-parallel.js';
import { assertCachedAsSynced, CachedRowDamaged, recordCacheDamage } from './cache-damage.js';
import { ChainVerifier, KnownTreeDoesNotFit } from './chain-verifier.js';
import type { ChainTree } from '../chain/chain-leaves.js';
import { CopyParsers } from './copy-parallel.js';
import { anchorFromCheckpoint, listCheckpoints, notComparedNotes, recordCheckpoint, seqJson, type ExternalAnchor, type StoredCheckpoint } from './checkpoints.js';
import { chainReportJson, summarise, REPORT_FORMAT, type RecordedCheckpointJson, type VerifyReport } from './report.js';
import { copyChainChunks, type CopySource } from '../source/copy-stream.js';
import { chainExtent, checkSameDatabase, holdSnapshot, readParts, splitChain, waitUntilReplayed, type HeldSnapshot, type RangeSource } from '../source/replicas.js';
import { chainShape, payloadAtSeq } from './rows.js';
import type { FetchedChains } from './fetched-chain.js';
import { checkSealAgainstSource, checkSealInCache, sealedTables, type SealReport } from './seal-compare.js';
import { storeReport } from './store.js';
import { driftReport, markDrift } from './drift-report.js';
import type { Anchor, ChainResult, ChainRow } from './types.js';
import { ConnectionLostError } from '../source/errors.js';
import { readTablePolicies, type TablePolicies } from '../source/policies.js';
import { emptyChainEntry, withLimits, type ChainVerdict, type LimitContext } from './limits.js';
import type { PoliciesJson } from './report.js';
import { lookAlikesAmong, printableLookAlike } from '../util/printable.js';
import { cachedTenantIds } from '../cache/tenant-ids.js';

/** The profile the auditor named for this tenant's chain (per tenant, else for all), or none. */
function tenantProfile(opts: VerifyOptions, tenant: string): ChainProfile | undefined {
  const mapped = opts.mapping?.profiles?.[tenant];
  return opts.profiles?.[tenant] ?? (mapped ? NAMED_PROFILES[mapped] : undefined) ?? opts.profile;
}

export interface VerifyOptions {
  /** A live source: verified when present. */
  session?: SourceSession;
  /**
   * The same source's connection details: chains are then read with COPY on a
   * read-only connection of its own (psql \copy speed) instead of the session's cursor.
   */
  copy?: CopySource;
  /**
   * Further URLs of the same database (`--source` given again: read replicas): each chain
   * is then read in seq ranges, one per URL, at once (source/replicas.ts). Needs `copy`.
   */
  replicas?: RangeSource[];
  /** How long a replica may take to replay the position a chain was fixed at (default 30 s). */
  replicaWaitMs?: number;
  /**
   * The cache. Without a session it is what is verified (offline); with one it is
   * the reference the source is compared with, row by row, and its seals are checked.
   * Pass a connection the run may keep busy (it iterates and yields to the event loop).
   */
  cache?: { db: CacheDb; path: string };
  /** Where checkpoints are read and recorded and the report stored (default: cache.db). */
  store?: CacheDb;
  tenants?: string[];
  /** Overrides the profile stored with the table (default jcs-sha256-v1). */
  profile?: ChainProfile;
  /**
   * Per tenant, the profile its chain was written with (`--profile-map`, or the
   * connection mapping's `profiles`): above `profile` and the cache's record, since
   * the auditor named it for that very tenant.
   */
  profiles?: Record<string, ChainProfile>;
  /** External anchors (--checkpoint FILE). */
  anchors?: ExternalAnchor[];
  /**
   * Checkpoints recorded of the very rows this run verifies (a sync's own heads, recorded
   * just before its verdict): they agree with those rows by construction, so they are
   * neither anchors nor "compared"; with no earlier one the chain has the no_anchor limit.
   */
  ownCheckpoints?: ReadonlySet<number>;
  /** Signs the checkpoints this run records; without it none are recorded. */
  key?: AuditorKey;
  mapping?: TableMapping;
  signal?: AbortSignal;
  onProgress?: (p: Partial<JobProgress>) => void;
  window?: number;
  maxBreaks?: number;
  /** Also compute Merkle roots over the chains' hashes (default false). */
  merkle?: boolean;
  /**
   * How cached chains are read: by `threads` read workers (default one per core,
   * AUDITDESK_VERIFY_THREADS overrides; 0 reads in this thread) when a chain has at
   * least `minRows` rows (default 50,000). Either way the report is the same.
   * A live source read with COPY is parsed and hashed by as many workers.
   * rangeRows/batchRows/chunkBytes size the workers' seq ranges, messages and COPY
   * chunks (tests make them small). `connections` (2 or more, live source with COPY): each
   * chain is read in that many seq spans at once, over as many connections sharing one
   * exported snapshot (source/replicas.ts holdSnapshot), so the report is one COPY's.
   */
  readers?: { threads?: number; minRows?: number; rangeRows?: number; batchRows?: number; chunkBytes?: number; connections?: number };
  /**
   * Cache only: verify the hash chains and leave the sealed tables alone. The verdict a
   * sync gives at its end (sync-verdict.ts): the sync has just sealed those tables from
   * the rows it wrote, so re-checking their digests would only repeat its own work.
   */
  chainsOnly?: boolean;
  /**
   * Cache only: chains a sync just filled, kept as their rows were fetched
   * (fetched-chain.ts). A chain the cache holds exactly as fetched is verified from
   * them instead of being read back; the report is the same.
   */
  fetched?: FetchedChains;
  /** Told the id under which the report was stored (verify_reports.report_id). */
  onStored?: (reportId: number) => void;
}

export async function runVerification(opts: VerifyOptions): Promise<VerifyReport> {
  try {
    return await verifyEverything(opts);
  } catch (e) {
    if (!(e instanceof ConnectionLostError)) throw e;
    throw e.during('the verification stopped without a verdict and recorded no checkpoint.', 'Run it again when the server is reachable.');
  }
}

async function verifyEverything(opts: VerifyOptions): Promise<VerifyReport> {
  if (!opts.session && !opts.cache) {
    throw new UserError('nothing to verify.', 'E_INPUT', 'Name a live source (--source URL), a cache (--cache FILE), or both.');
  }
  const checkedAt = new Date().toISOString();
  const store = opts.store ?? opts.cache?.db;
  const recordsCheckpoints = Boolean(opts.key && store);
  const progress = opts.onProgress ?? (() => undefined);
  const notes: string[] = [];
  const results: { result: ChainResult; fingerprint: string | null; limits: LimitContext }[] = [];
  /** Tenants asked for that the cache holds no chain of: reported as empty chains. */
  const missing: { table: string; tenant: string; limits: LimitContext }[] = [];
  const policies: PoliciesJson[] = [];
  const seals: SealReport[] = [];
  const usedExternal = new Set<ExternalAnchor>();

  const anchorsFor = (table: string, tenant: string, fingerprint: string | null): Anchor[] => {
    const recorded = (store ? listCheckpoints(store, { tableName: table, tenantId: tenant, sourceFingerprint: fingerprint }, opts.key?.publicKeyRaw ?? null) : []).filter(
      (c) => !opts.ownCheckpoints?.has(c.checkpointId),
    );
    // Only the auditor's own signed heads are evidence; the others are named, not compared.
    const stored = recorded.filter((c): c is StoredCheckpoint & { signatureStatus: 'valid' } => c.signatureStatus === 'valid').map(anchorFromCheckpoint);
    notes.push(...notComparedNotes(recorded, tenant, opts.key ?? null));
    // A signed tree checkpoint names its source too (the first 16 hex of its fingerprint).
    const sameSource = (a: ExternalAnchor) => !a.tree || a.tree.source === (fingerprint ? fingerprint.slice(0, 16) : 'unknown-source');
    const external = (opts.anchors ?? []).filter((a) => a.tenant === tenant && anchorNamesTable(a.table, table) && sameSource(a));
    external.forEach((a) => usedExternal.add(a));
    return [...stored, ...external];
  };

  const run: VerifyRun = { opts, store, recordsCheckpoints, progress, notes, results, missing, policies, seals, source: null, profileUsed: opts.profile ?? JCS_SHA256_V1, anchorsFor };
  if (opts.session) await verifyLiveSource(run, opts.session);
  else await verifyCachedChains(run, opts.cache!);
  const { source, profileUsed } = run;
  const unused = (opts.anchors ?? []).filter((a) => !usedExternal.has(a));
  // An anchor file naming a look-alike of a verified tenant (gl\u{43E}bex-bank) must not read as that tenant's.
  const known = unused.length ? [...results.map((r) => r.result.tenant), ...(opts.cache ? cachedTenantIds(opts.cache.db) : [])] : [];
  for (const a of unused) {
    const twins = lookAlikesAmong(a.tenant, known);
    const name = twins.length ? `${printableLookAlike(a.tenant)} (which looks like ${twins.map(printableLookAlike).join(' and ')} but is not the same id)` : a.tenant;
    notes.push(`${a.label} names tenant ${name} of ${a.table}, which this run did not verify.`);
  }

  const tenants = [...results.map((r) => withLimits(chainReportJson(r.result), r.result, r.limits)), ...missing.map((m) => emptyChainEntry(m.table, m.tenant, m.limits))];
  const checkpointsRecorded: RecordedCheckpointJson[] = [];
  if (opts.key && store) {
    for (const { result, fingerprint } of results) {
      if (result.lastSeq === null || result.headHash === null || !/^[0-9a-f]+$/.test(result.headHash)) continue;
      const c = recordCheckpoint(store, opts.key, {
        origin: 'verify',
        sourceFingerprint: fingerprint,
        tableName: result.table,
        tenantId: result.tenant,
        lastSeq: result.lastSeq,
        headHash: result.headHash,
        merkleRoot: result.merkleRoot,
        rowCount: result.rows,
        createdAt: checkedAt,
        tree: result.tree,
      });
      checkpointsRecorded.push({ checkpointId: c.checkpointId, table: c.tableName, tenant: c.tenantId, lastSeq: seqJson(c.lastSeq), headHash: c.headHash, keyId: opts.key.keyId });
    }
  } else if (!store) {
    notes.push('nothing was recorded: pass --engagement DIR (or --cache FILE) to keep the signed checkpoints and this report for later visits.');
  }

  // Drift findings: from the cache, for the tenants this run verified.
  const drift = opts.cache ? driftReport(opts.cache.db, verifiedTenants(opts.tenants, tenants, seals)) : null;
  if (drift) markDrift(drift.findings, tenants, seals);
  const summary = { ...summarise(tenants, seals), driftFindings: drift?.json.count ?? 0 };
  const report: VerifyReport = {
    format: REPORT_FORMAT,
    checkedAt,
    target: opts.session ? (opts.cache ? 'source+cache' : 'source') : 'cache',
    source,
    cache: opts.cache ? { path: opts.cache.path } : null,
    profile: profileUsed,
    intact: tenants.every((t) => t.intact) && seals.every((s) => s.intact) && !drift?.json.count,
    verdict: overallVerdict(
      tenants.map((t) => t.verdict),
      seals.every((s) => s.intact),
    ),
    summary,
    tenants,
    ...(policies.length ? { policies } : {}),
    seals,
    checkpointsRecorded,
    notes,
    drift: drift?.json ?? { count: 0, open: 0, findings: [], findingsOmitted: 0 },
  };
  if (store) {
    const reportId = storeReport(store, report, opts.key ?? null);
    opts.onStored?.(reportId);
  }
  progress({ phase: 'done', message: report.intact ? 'intact' : `${summary.breaks} break(s)${summary.driftFindings ? `, ${summary.driftFindings} drift finding(s)` : ''}` });
  return report;
}

/** What one verification run shares while it reads the live source or the cache. */
interface VerifyRun {
  opts: VerifyOptions;
  store: CacheDb | undefined;
  recordsCheckpoints: boolean;
  progress: (p: Partial<JobProgress>) => void;
  notes: string[];
  results: { result: ChainResult; fingerprint: string | null; limits: LimitContext }[];
  missing: { table: string; tenant: string; limits: LimitContext }[];
  policies: PoliciesJson[];
  seals: SealReport[];
  source: VerifyReport['source'];
  profileUsed: ChainProfile;
  anchorsFor(table: string, tenant: string, fingerprint: string | null): Anchor[];
}

/** The chains streamed from the live source (compared with the cache when one is given), then its sealed tables. */
/** The URLs a live chain is read from in ranges (the first is the session's), or null for one URL. */
function rangeSources(opts: VerifyOptions, session: SourceSession): RangeSource[] | null {
  if (!opts.replicas?.length) return null;
  if (!opts.copy) throw new Error('reading ranges from several URLs needs the COPY connection details of the first');
  return [{ session, copy: opts.copy }, ...opts.replicas];
}

/** What the report says about a read spread over several URLs: every verdict names where its rows came from. */
function rangesNote(ranged: readonly RangeSource[], fp: { systemIdentifier: string; database: string }): string {
  const spans = ranged.map((r, i) => `${r.session.label} (span ${i + 1} of ${ranged.length}${i === 0 ? ', and any rows without a seq' : ''})`);
  return (
    `each chain was read in ${ranged.length} seq spans from ${ranged.length} URLs of one database (cluster ${fp.systemIdentifier}, database ${fp.database}): ${spans.join(', ')}. ` +
    `Its extent (first and last seq) was fixed on ${ranged[0]!.session.label} when its read began; rows written after that are the next run's.`
  );
}

async function verifyLiveSource(run: VerifyRun, session: SourceSession): Promise<void> {
  const { opts, recordsCheckpoints, progress, notes, results, policies, seals, anchorsFor } = run;
  progress({ phase: 'connecting', message: session.label });
  const fp = await session.fingerprint();
  run.source = { label: session.label, fingerprint: fp.fingerprint, serverVersion: fp.serverVersion, database: fp.database };
  const ranged = rangeSources(opts, session);
  if (ranged) {
    await checkSameDatabase(ranged[0]!, fp, ranged.slice(1));
    notes.push(rangesNote(ranged, fp));
  }
  const tables = await session.discover(opts.mapping);
  const tenants = opts.tenants?.length ? opts.tenants : await session.tenants();
  if (!tenants.length) {
    throw new UserError('no tenant named and none visible at the source.', 'E_NO_TENANT', 'Name one with --tenant (row-level security shows nothing without a tenant).');
  }
  const events = tables.events;
  const threads = opts.readers?.threads ?? defaultReadThreads();
  const connections = ranged ? 1 : (opts.readers?.connections ?? 1);
  if (connections >= 2 && opts.copy)
    notes.push(`each chain was read in ${connections} seq spans at once, over ${connections} read-only connections sharing one snapshot (the rows one COPY would give).`);
  const cache = opts.cache;
  const cached = cache ? cachedTableFor(cache.db, fp.fingerprint, events) : null;
  if (cache && events && !cached)
    notes.push(
      `the cache holds no copy of ${chainTableName(events.schema, events.name)} from this source (fingerprint ${fp.fingerprint.slice(0, 16)}…), so the chain was compared with checkpoints only.`,
    );
  if (!events) notes.push('the source has no hash-chained events table; only sealed tables were checked.');
  if (events) {
    const name = chainTableName(events.schema, events.name);
    const tablePolicies = await readTablePolicies(session, events, events.keys.tenant === null ? null : events.columns[events.keys.tenant]!.name);
    policies.push(policiesJson(name, tablePolicies));
    // Each tenant's chain is checked with the profile the cache recorded for it (sync).
    const profileFor = (tenant: string) => tenantProfile(opts, tenant) ?? (cached && cache ? chainProfileOf(cache.db, cached.tableId, tenant) : JCS_SHA256_V1);
    const profile = profileFor(tenants[0]!);
    run.profileUsed = profile;
    const shape = chainShape(events.mapped, profile, name);
    // One set of parse workers for every tenant's chain of this table.
    const parsers = opts.copy && threads >= 1 ? new CopyParsers(events.mapped, shape, name, threads) : null;
    let done = 0;
    try {
      for (const tenant of tenants) {
        progress({ phase: 'verifying', message: `${name} · ${tenant}`, done });
        const own = profileFor(tenant);
        // The shared parse workers hash with the first tenant's profile; another profile reads in this thread.
        const sameProfile = own === profile || JSON.stringify(own) === JSON.stringify(profile);
        const tenantShape = sameProfile ? shape : chainShape(events.mapped, own, name);
        const verifier = new ChainVerifier({
          table: name,
          tenant,
          profile: own,
          mode: 'source',
          window: opts.window,
          maxBreaks: opts.maxBreaks,
          merkle: opts.merkle,
          tree: recordsCheckpoints,
          payloadAtSeq: payloadAtSeq(tenantShape),
          anchors: anchorsFor(name, tenant, fp.fingerprint),
          reference: cached && cache ? cachedReference(cache.db, cached.tableId, tenant, cached.lastSyncAt ? `last synced ${cached.lastSyncAt}` : null) : undefined,
        });
        const base = done;
        const onTick = (n: number) => progress({ phase: 'verifying', message: `${name} · ${tenant}`, done: base + n });
        const push = (row: ChainRow) => verifier.push(row);
        const copy = opts.copy;
        let open = copy ? () => copyChainChunks(copy, events, tenant, opts.signal) : undefined;
        let held: HeldSnapshot | null = null;
        if (ranged) {
          const extent = await chainExtent(ranged[0]!, events, tenant);
          for (const other of ranged.slice(1)) await waitUntilReplayed(other, extent.lsn, opts.replicaWaitMs ?? 30_000);
          const parts = splitChain(extent, ranged);
          open = () => readParts(parts, events, tenant, opts.signal);
        } else if (copy && connections >= 2) {
          held = await holdSnapshot(copy, events, tenant);
          const parts = splitChain(
            held.extent,
            Array.from({ length: connections }, () => ({ session, copy })),
            held.snapshot,
          );
          open = () => readParts(parts, events, tenant, opts.signal);
        }
        try {
          if (open && parsers && sameProfile && (await parsers.start())) {
            await parsers.read(open, push, { signal: opts.signal, onTick, chunkBytes: opts.readers?.chunkBytes });
          } else {
            await readSourceChain(session, events, tenant, tenantShape, push, { signal: opts.signal, copy, chunks: open, onTick });
          }
        } finally {
          // Open until every span has read: their connections read in its snapshot.
          await held?.close();
        }
        const result = verifier.finish();
        done += result.rows;
        // Ticks come every few thousand rows; the finished chain says its last figure.
        progress({ phase: 'verifying', message: `${name} · ${tenant}`, done });
        results.push({ result, fingerprint: fp.fingerprint, limits: { policies: tablePolicies, profileName: own.name } });
      }
    } finally {
      await parsers?.close();
    }
    if (results.some((r) => r.result.rows === 0)) {
      const visible = await session.tenants();
      for (const r of results) {
        r.limits.otherTenants = visible.filter((t) => t !== r.result.tenant).length;
        r.limits.lookAlikeTenants = lookAlikesAmong(r.result.tenant, visible);
      }
    }
  }
  if (cache) {
    for (const kind of ['conversations', 'anomalies', 'access'] as const) {
      const table = tables[kind];
      if (!table) continue;
      for (const tenant of tenants) {
        progress({ phase: 'checking seals', message: `${table.name} · ${tenant}` });
        try {
          seals.push(await checkSealAgainstSource(session, cache.db, table, tenant, opts.signal));
        } catch (e) {
          if (isUserError(e) && e.code === 'E_NO_SEAL') continue;
          throw e;
        }
      }
    }
  }
}

/** The chains held in the cache, read by range in workers when large, then its sealed tables. */
async function verifyCachedChains(run: VerifyRun, cache: NonNullable<VerifyOptions['cache']>): Promise<void> {
  const { opts, recordsCheckpoints, progress, notes, results, missing, seals, anchorsFor } = run;
  const threads = opts.readers?.threads ?? defaultReadThreads();
  const minRows = opts.readers?.minRows ?? PARALLEL_MIN_ROWS;
  // Read workers start before the chains are listed and counted (that overlaps most of
  // their start-up) when the cache may hold a chain large enough for them; one set
  // reads every large chain of the run.
  let readersStarted = false;
  let readers: CacheReaders | null = null;
  const startReaders = () => {
    if (!readersStarted) readers = mayHoldLargeChain(cache.db, minRows) ? CacheReaders.for(cache.db, threads, { batchRows: opts.readers?.batchRows }) : null;
    readersStarted = true;
    return readers;
  };
  // Without rows kept from a sync, they start now; with them, only if a chain needs them.
  if (!opts.fetched) startReaders();
  try {
    const chains = listCachedChains(cache.db, opts.tenants);
    const sources = new Set(chains.map((c) => c.sourceFingerprint));
    if (sources.size === 1) {
      const c = chains[0]!;
      run.source = { label: c.sourceLabel, fingerprint: c.sourceFingerprint, serverVersion: null, database: null };
    }
    const unknown = (opts.tenants ?? []).filter((t) => !chains.some((c) => c.tenant === t));
    if (unknown.length) {
      const everyChain = listCachedChains(cache.db);
      const tables = [...new Set(everyChain.map((c) => c.name))];
      for (const t of unknown) {
        if (!tables.length) notes.push(`tenant ${t} has no hash-chained rows in the cache.`);
        const others = [...new Set(everyChain.map((c) => c.tenant).filter((x) => x !== t))];
        const lookAlikeTenants = lookAlikesAmong(t, others);
        for (const table of tables) missing.push({ table, tenant: t, limits: { otherTenants: others.length, otherTenantsIn: 'cache', lookAlikeTenants } });
      }
    }
    const counts = chains.map((c) => countCachedRows(cache.db, c.tableId, c.tenant));
    const total = counts.reduce((a, b) => a + b, 0);
    let done = 0;
    for (const [i, chain] of chains.entries()) {
      const profile = tenantProfile(opts, chain.tenant) ?? profileFromJson(chain.profileJson);
      run.profileUsed = profile;
      const shape = chainShape(chain.columns, profile, chain.name);
      const anchors = anchorsFor(chain.name, chain.tenant, chain.sourceFingerprint);
      const verifierWith = (knownTree: ChainTree | null) =>
        new ChainVerifier({
          table: chain.name,
          tenant: chain.tenant,
          profile,
          mode: 'cache',
          window: opts.window,
          maxBreaks: opts.maxBreaks,
          merkle: opts.merkle,
          tree: recordsCheckpoints,
          knownTree: knownTree ?? undefined,
          payloadAtSeq: payloadAtSeq(shape),
          anchors,
        });
      const base = done;
      progress({ phase: 'verifying', message: `${chain.name} · ${chain.tenant}`, done, total });
      const onTick = (n: number) => progress({ phase: 'verifying', message: `${chain.name} · ${chain.tenant}`, done: base + n, total });
      // A chain the sync just wrote exactly as it fetched it, or whose cached rows its
      // recheck just read, is verified from those rows, with the tree its seal built when
      // they look linked without a break.
      const kept = opts.fetched?.of(chain.tableId, chain.tenant);
      let verifier = verifierWith(kept?.sealedTreeIfLinked(profile) ?? null);
      const push = (row: ChainRow) => verifier.push(row);
      const fromKept = kept?.feed(cache.db, profile, push) != null;
      const fromFetch = fromKept && kept!.readFrom === 'fetch';
      // Read workers for a chain read back that is large enough: they also check its rows' digests.
      const parallel = !fromKept && counts[i]! >= minRows ? startReaders() : null;
      if (!fromKept) {
        // Read back: the seal's tree stands for the kept rows only (feed pushed none).
        if (verifier.takesKnownTree) verifier = verifierWith(null);
        if (parallel) await parallel.read(cache.db, chain, shape, push, { rows: counts[i]!, signal: opts.signal, onTick, rangeRows: opts.readers?.rangeRows });
        else await readCachedChain(cache.db, chain, shape, push, { signal: opts.signal, onTick });
      }
      let result: ChainResult;
      try {
        result = verifier.finish();
        if (fromKept && verifier.takesKnownTree) kept!.sealedTreeTaken = true;
      } catch (e) {
        if (!(e instanceof KnownTreeDoesNotFit)) throw e;
        // The same rows again, the engine building the tree itself (the cache is as it was: feed checks).
        verifier = verifierWith(null);
        if (kept!.feed(cache.db, profile, push) == null) throw new Error(`${chain.name} · ${chain.tenant}: the rows kept for the verdict no longer stand for the cache`, { cause: e });
        result = verifier.finish();
      }
      // Breaks found in rows as the source sent them are about the source; only breaks read
      // back from the file need its rows checked against the digests the sync stored.
      if (!result.intact && !fromFetch) {
        // Rows a first fill stored or an earlier verdict checked, unchanged since with their digests, are not checked again.
        try {
          const afterSeq = fromKept ? (kept!.asStoredThrough() ?? undefined) : undefined;
          await assertCachedAsSynced(cache.db, cache.path, chain, shape, { afterSeq, readers: parallel, rows: counts[i]!, signal: opts.signal, rangeRows: opts.readers?.rangeRows });
        } catch (e) {
          // Kept past this run, so no screen goes on showing the verdicts given before as current.
          if (e instanceof CachedRowDamaged && run.store && !run.store.readonly) recordCacheDamage(run.store, e.damage);
          throw e;
        }
        if (fromKept) kept!.markDigestsChecked();
      }
      done += result.rows;
      // Ticks come every few thousand rows; the finished chain says its last figure.
      progress({ phase: 'verifying', message: `${chain.name} · ${chain.tenant}`, done, total });
      results.push({ result, fingerprint: chain.sourceFingerprint, limits: { profileName: profile.name } });
    }
  } finally {
    await (readers as CacheReaders | null)?.close();
  }
  if (opts.chainsOnly) notes.push('hash chains only: the sealed tables were sealed by the sync that ran this check, not re-checked (verify --cache checks them).');
  for (const t of opts.chainsOnly ? [] : sealedTables(cache.db, opts.tenants)) {
    progress({ phase: 'checking seals', message: `${t.name} · ${t.tenant}` });
    const r = checkSealInCache(cache.db, t);
    if (r) seals.push(r);
  }
}

/** The tenants named, else those the run checked (chains and seals). */
function verifiedTenants(named: string[] | undefined, tenants: { tenant: string }[], seals: { tenant: string }[]): string[] | undefined {
  if (named?.length) return named;
  const seen = [...new Set([...tenants, ...seals].map((t) => t.tenant))];
  return seen.length ? seen : undefined;
}

/** Broken wins over empty, empty over intact: exit 0 only when everything was seen and intact. */
export function overallVerdict(chains: ChainVerdict[], sealsIntact: boolean): ChainVerdict {
  if (!sealsIntact || chains.includes('broken')) return 'broken';
  return chains.includes('empty') ? 'empty' : 'intact';
}

function policiesJson(table: string, p: TablePolicies): PoliciesJson {
  return {
    table,
    rlsEnabled: p.rlsEnabled,
    rlsForced: p.rlsForced,
    bypassedBy: p.bypassedBy,
    policies: p.policies.map((x) => ({ name: x.name, command: x.command, permissive: x.permissive, using: x.using, appliesToReads: x.appliesToReads })),
    hidingPredicates: p.hidingPredicates,
  };
}

/** Cheap enough to ask before listing chains: an events table, and at least `minRows` records in all. */
function mayHoldLargeChain(db: CacheDb, minRows: number): boolean {
  if (!db.prepare(`SELECT 1 FROM source_tables WHERE kind = 'events' LIMIT 1`).get()) return false;
  return Number(db.prepare('SELECT max(rid) FROM records').pluck().get() ?? 0) >= minRows;
}

/** The cache's copy of a source's events table (same source fingerprint and table). */
function cachedTableFor(db: CacheDb, fingerprint: string, events: SourceTable | undefined): { tableId: number; lastSyncAt: string | null } | null {
  if (!events) return null;
  const row = db
    .prepare(
      `SELECT st.table_id,
              (SELECT max(finished_at) FROM syncs y WHERE y.source_id = s.source_id AND y.status = 'done') AS last_sync
         FROM source_tables st JOIN sources s ON s.source_id = st.source_id
        WHERE s.fingerprint = ? AND st.kind = 'events' AND st.schema_name = ? AND st.table_name = ?`,
    )
    .get(fingerprint, events.schema, events.name) as { table_id: number; last_sync: string | null } | undefined;
  return row ? { tableId: row.table_id, lastSyncAt: row.last_sync } : null;
}

/** Which chain an anchor names: the same table name, or one with a schema prefix on either side. */
export function anchorNamesTable(anchorTable: string, chainTable: string): boolean {
  return anchorTable === chainTable || anchorTable.endsWith(`.${chainTable}`) || chainTable.endsWith(`.${anchorTable}`);
}
