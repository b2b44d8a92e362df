// The one way a sync runs, for the CLI's `auditdesk sync` and the app's sync job alike
// (issue 17): sync, record the signed chain heads the seals name, then give the
// chains' verdict over what was cached — so the auditor learns at the end of the sync
// what `verify --cache` would say, with the same engine, words and stored report.
import type { CacheDb } from '../cache/open.js';
import type { SyncChainVerdict } from '../contract/sync.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import type { SourceSession } from '../source/session.js';
import { syncToCache, type SyncOptions, type SyncProgress, type SyncSummary } from '../sync/index.js';
import { verdictPhrase } from './limits.js';
import type { VerifyReport } from './report.js';
import { runVerification } from './run.js';
import { sealedTreeKey, recordSyncCheckpoints } from './store.js';
import { FetchedChains } from './fetched-chain.js';
import { recordHashedRows } from './hashed-rows.js';
import type { ChainTree } from '../chain/chain-leaves.js';
import { journalSync } from '../journal/journal-events.js';

const SYNC_VERDICT_JOBS = 1;

export interface SyncAndCheckpointOptions extends SyncOptions {
  /** Signs the checkpoints (the sync's chain heads and the verdict's). */
  key: AuditorKey;
  /** The cache's file, named in the stored verify report. */
  cachePath: string;
  /** Check the chains at the end (default true); false only measures a sync without it (bench). */
  verdict?: boolean;
  /**
   * Read workers for the verdict (verify's --jobs). Default 1, not one per core: the
   * sync's own heap is still in the process, and with two workers beside it the peak
   * RSS went over the 300 MB budget (bench, 200,000 events with nested JSON: 343 MB).
   */
  jobs?: number;
  /**
   * Where the verdict takes the chains from: a first fill's rows as fetched and a later
   * sync's rows as its recheck read them (default, a new FetchedChains; pass one to see
   * which chains it kept) or 'read-back', the cache read again as `verify --cache` reads
   * it (sync-verdict-from-fetch and -from-recheck tests compare the two).
   */
  verdictRows?: FetchedChains | 'read-back';
}

export interface SyncWithVerdict {
  summary: SyncSummary;
  /** The stored verify report of the chains the sync cached; null without a verdict. */
  report: VerifyReport | null;
}

export async function syncAndCheckpoint(session: SourceSession, db: CacheDb, opts: SyncAndCheckpointOptions): Promise<SyncWithVerdict> {
  let last: SyncProgress | null = null;
  const sealedTrees = new Map<string, ChainTree>();
  const fetchedRows = opts.verdict === false || opts.verdictRows === 'read-back' ? null : (opts.verdictRows ?? new FetchedChains());
  const summary = await syncToCache(session, db, {
    ...opts,
    onProgress: (p) => opts.onProgress?.((last = p)),
    onChainTree: (c) => {
      sealedTrees.set(sealedTreeKey(c.table, c.tenant), c.tree);
      // The verdict's engine takes the same tree rather than hashing the same leaves again.
      fetchedRows?.of(c.tableId, c.tenant)?.useSealedTree(c.tree);
      opts.onChainTree?.(c);
    },
    onFirstFill: fetchedRows ? (chain) => fetchedRows.begin(db, chain) : undefined,
    onRecheckChain: fetchedRows ? (chain) => fetchedRows.begin(db, chain, 'cache', opts.key) : undefined,
  });
  // Every sync leaves a signed chain head, so a later verify can tell a rewritten tail.
  // Its own verdict cannot: those heads are of the rows it is about to judge.
  const ownHeads = recordSyncCheckpoints(db, opts.key, summary, sealedTrees);
  journalSync(db, summary);
  const chainTenants = [...new Set(summary.tables.filter((t) => t.kind === 'events').map((t) => t.tenant))];
  if (opts.verdict === false || !chainTenants.length) return { summary, report: null };

  opts.onProgress?.({ phase: 'verifying', done: 0, total: null, rowsPerSecond: null, etaSeconds: null, message: 'checking the hash chains' });
  let reportId: number | undefined;
  const report = await verdictOrNote(db, summary.syncId, () =>
    runVerification({
      cache: { db, path: opts.cachePath },
      tenants: chainTenants,
      key: opts.key,
      chainsOnly: true,
      signal: opts.signal,
      readers: { threads: opts.jobs ?? SYNC_VERDICT_JOBS },
      fetched: fetchedRows ?? undefined,
      ownCheckpoints: new Set(ownHeads.map((c) => c.checkpointId)),
      onStored: (id) => (reportId = id),
      onProgress: (p) => {
        if (p.phase !== 'done') opts.onProgress?.({ phase: p.phase ?? 'verifying', done: p.done ?? 0, total: p.total ?? null, rowsPerSecond: null, etaSeconds: null, message: p.message ?? null });
      },
    }),
  );
  if (fetchedRows) recordRowsHashedAsStored(db, fetchedRows, opts.key);
  // The job ends as the sync did (its rows), with the verdict as its last word.
  if (last) opts.onProgress?.({ ...(last as SyncProgress), message: report.verdict === 'broken' ? `hash chains broken: ${report.summary.breaks} break(s)` : `hash chains ${report.verdict}` });
  return { summary: { ...summary, chains: report.tenants.map(chainVerdictOf), verifyReportId: reportId }, report };
}

/**
 * For each chain the verdict took from rows the sync held (a first fill's as fetched, a
 * later sync's as its recheck read them), the signed statement of how its leading rows
 * hashed (as stored, but for the rows it lists), which lets the next sync's verdict skip
 * those rows' payload hashes (hashed-rows.ts).
 */
function recordRowsHashedAsStored(db: CacheDb, kept: FetchedChains, key: AuditorKey): void {
  for (const chain of kept.all()) {
    const rows = chain.fed ? chain.rowsHashedAsStored() : null;
    if (rows && rows.rows > 0) recordHashedRows(db, chain.tableId, chain.tenant, chain.spec, rows, key);
  }
}

/**
 * The sync's rows are committed before its verdict runs, so the sync stays 'done' in the
 * history; a verdict that fails (damage found in the cache, say) is written beside it, or
 * the history would read as a sync whose chains were checked.
 */
async function verdictOrNote(db: CacheDb, syncId: number, verdict: () => Promise<VerifyReport>): Promise<VerifyReport> {
  try {
    return await verdict();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    try {
      db.prepare('UPDATE syncs SET message = ? WHERE sync_id = ?').run(`rows synced, but no chain verdict was given: ${why}`, syncId);
    } catch {
      // A cache that cannot take this line (disk full, read-only) still gets the verdict's own error.
    }
    throw e;
  }
}

function chainVerdictOf(t: VerifyReport['tenants'][number]): SyncChainVerdict {
  return {
    table: t.table,
    tenant: t.tenant,
    verdict: t.verdict,
    phrase: verdictPhrase(t),
    rows: t.rows,
    breaks: t.breaks.length + t.breaksOmitted,
    lastSeq: t.lastSeq,
    headHash: t.headHash,
  };
}
