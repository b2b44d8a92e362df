// `auditdesk sync`: copy a tenant's audit tables from a read-only source into the
// local cache. Incremental and resumable: run it again after a kill or a dropped
// connection and it continues after the last committed row.
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { SyncSummary } from '../../core/sync/index.js';
import type { CliSyncInput } from '../sync-thread.js';
import { DEFAULT_BATCH_ROWS } from '../../core/sync/defaults.js';
import { UserError } from '../../core/util/errors.js';
import { printable } from '../../core/util/printable.js';
import { action, collect, dataDirOf, readStdin, EXIT_FINDINGS, EXIT_OK } from '../run.js';
import { NAMED_PROFILES } from '../../core/chain/profile.js';
import { readProfile, readProfileMap } from '../profile-option.js';
import { addSourceOptions, printSourceNotices, warnIfPasswordInUrl } from '../source-options.js';
import { readMapping } from '../mapping-file.js';
import { jobCount } from './verify.js';
import { ENGAGEMENT_OPTION_HELP, requiredCacheFile } from '../engagement-option.js';
import { lookAlikeNote, verifyReportNamingLookAlikes } from '../look-alike-notes.js';

interface SyncFlags {
  source: string;
  tenant: string[];
  cache?: string;
  engagement?: string;
  json?: boolean;
  passwordStdin?: boolean;
  mapping?: string;
  rebuild?: boolean;
  recheck: boolean;
  statementTimeout?: string;
  batchRows?: string;
  dataDir?: string;
  allowCleartextPassword?: boolean;
  profile?: string;
  profileMap?: string;
  jobs?: string;
  wait: boolean;
  waitIndex: boolean;
}

export function registerSync(program: Command): void {
  const command = program
    .command('sync')
    .description('Copy audit tables from a read-only PostgreSQL source into the local cache (incremental, resumable).')
    .requiredOption('--source <url>', 'postgres://user@host:5432/database[?sslmode=require|verify-full&sslrootcert=FILE]')
    .option('--tenant <id>', 'tenant to sync; repeat for several (row-level security shows nothing without one)', collect, [])
    .option('--cache <file>', 'the SQLite cache file (created if missing); or --engagement')
    .option('--engagement <dir>', ENGAGEMENT_OPTION_HELP)
    .option('--json', 'print the summary as JSON on stdout')
    .option('--password-stdin', 'read the source password from standard input (else the URL or PGPASSWORD)')
    .option('--mapping <file>', 'JSON table mapping: {"events": "roche_audit_logs", "columns": {"events": {"occurred_at": "created_at"}}}')
    .option(
      '--rebuild',
      'move a damaged cache aside (unreadable, newer, altered, or with damage a verdict found; kept as FILE.broken-…) and start a new one that keeps its signed checkpoints; a sound cache is kept',
    )
    .option('--no-recheck', 'skip looking for rows changed or deleted at the source since they were cached')
    .option('--statement-timeout <ms>', 'server-side statement timeout in milliseconds', '600000')
    .option('--batch-rows <n>', 'rows per cache transaction', String(DEFAULT_BATCH_ROWS))
    .option(
      '--profile <name|file>',
      `the hash-chain profile the events chains were written with (${Object.keys(NAMED_PROFILES).join(' or ')}, or a JSON file), recorded per tenant for verify --cache, the app and export`,
    )
    .option('--profile-map <file>', 'JSON tenant → profile, e.g. {"initech-ai": "jcs-exact-sha256-v2"} (wins over --profile and the mapping\'s "profiles")')
    .option('--no-wait', 'when another sync is writing the same cache, exit 2 at once instead of waiting for it')
    .option(
      '--no-wait-index',
      'exit once the rows are sealed and the verdict is known, leaving the facet indexes of a large first fill to the next sync (filters are slower until then; results are the same)',
    )
    .option('--data-dir <dir>', 'data folder holding the auditor key that signs checkpoints: default $AUDITDESK_DATA_DIR or ~/.auditdesk')
    .option('--jobs <n>', 'read workers that check the hash chains at the end of the sync (default 1: more raise the peak memory)')
    .addHelpText(
      'after',
      '\nAt its end the sync checks the hash chains it cached, as `verify --cache` does, and prints their verdict.\nExit codes: 0 synced, chains intact · 1 synced, and a chain is broken or empty, or rows changed or vanished at the source since they were cached · 2 error (one line on stderr).',
    );
  addSourceOptions(command).action(action(async (flags: SyncFlags) => runSync(flags)));
}

async function runSync(flags: SyncFlags): Promise<number> {
  // Loaded when the command runs: `auditdesk --help` or another command need none of it.
  const [
    { openCache },
    { connectSource },
    { terminalProgress, indexesStillToBuild, restoreDeferredSchema },
    { runCliSync },
    { runOffThread },
    { SYNC_WORKER_LIMITS, syncWorkerExit, syncWorkerFailure },
    { humanReport },
    { takeWriterLease },
    { openRebuilt, rebuiltMessage },
    { loadOrCreateAuditorKey },
  ] = await Promise.all([
    import('../../core/cache/open.js'),
    import('../../core/source/index.js'),
    import('../../core/sync/index.js'),
    import('../sync-thread.js'),
    import('../../core/util/worker-rpc.js'),
    import('../../core/sync/sync-worker-limits.js'),
    import('../../core/verify/report.js'),
    import('../../core/sync/writer-lease.js'),
    import('../../core/verify/carry-over.js'),
    import('../../core/identity/auditor-key.js'),
  ]);
  const cacheFile = requiredCacheFile(flags);
  warnIfPasswordInUrl(flags.source);
  const password = flags.passwordStdin ? await readStdin() : undefined;
  const mapping = flags.mapping ? await readMapping(flags.mapping) : undefined;
  const profiles = { all: flags.profile ? readProfile(flags.profile) : undefined, byTenant: flags.profileMap ? readProfileMap(flags.profileMap) : undefined };
  const statementTimeoutMs = positiveInt(flags.statementTimeout ?? '600000', '--statement-timeout');
  const batchRows = positiveInt(flags.batchRows ?? String(DEFAULT_BATCH_ROWS), '--batch-rows');
  const jobs = flags.jobs === undefined ? undefined : jobCount(flags.jobs);

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nauditdesk: stopping after the current batch (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = flags.json ? undefined : terminalProgress(process.stderr);
  let lease;
  let db;
  let session;
  try {
    // One writer per cache, from before the file is opened (--rebuild may move it aside)
    // until the checkpoints are recorded (see writer-lease.ts).
    lease = await takeWriterLease(cacheFile, {
      wait: flags.wait,
      signal: controller.signal,
      onWaiting: (sentence) => process.stderr.write(`auditdesk: ${sentence}…\n`),
    });
    const rebuild = () => {
      const rebuilt = openRebuilt(cacheFile, loadOrCreateAuditorKey(dataDirOf(flags.dataDir)).publicKeyRaw);
      if (rebuilt.carried) process.stderr.write(`auditdesk: ${rebuiltMessage(rebuilt.carried)}\n`);
      return rebuilt;
    };
    // Damage no verdict has found yet leaves a file SQLite reads well: --rebuild keeps it, and
    // this run's verdict is the first to find (and record) the damage. Asked to rebuild, the run
    // then rebuilds and syncs again, rather than ending with the advice to pass --rebuild.
    let mayRebuildAfterVerdict = false;
    if (flags.rebuild) {
      const rebuilt = rebuild();
      db = rebuilt.db;
      mayRebuildAfterVerdict = rebuilt.carried === null;
    } else db = openCache(cacheFile);
    session = await connectSource(flags.source, { password, statementTimeoutMs, allowCleartextPassword: flags.allowCleartextPassword, signal: controller.signal });
    printSourceNotices(session);
    // Discover before any progress output, so a wrong table name is one line on stderr.
    await session.discover(mapping);
    let tenants = flags.tenant;
    if (!tenants.length) tenants = await session.tenants();
    if (!tenants.length) {
      throw new UserError('no tenant named and none visible at the source.', 'E_NO_TENANT', 'Name one with --tenant (row-level security shows nothing without a tenant).');
    }
    // The sync's thread opens its own session; this one has told what it had to.
    await session.close();
    session = undefined;
    const input: CliSyncInput = {
      source: flags.source,
      password,
      statementTimeoutMs,
      allowCleartextPassword: flags.allowCleartextPassword,
      cachePath: cacheFile,
      dataDir: dataDirOf(flags.dataDir),
      options: { tenants, mapping, recheck: flags.recheck, profiles, batchRows, jobs, facetIndexesLater: true },
    };
    const syncOnce = () =>
      runOffThread(new URL('../sync-worker.js', import.meta.url), 'sync', input, runCliSync, {
        resourceLimits: SYNC_WORKER_LIMITS,
        onExit: syncWorkerExit,
        onProgress: progress?.update,
        signal: controller.signal,
      }).catch((e: unknown) => {
        throw syncWorkerFailure(e);
      });
    let outcome;
    try {
      outcome = await syncOnce();
    } catch (e) {
      if (!mayRebuildAfterVerdict || (e as { code?: unknown }).code !== 'E_CACHE_CORRUPT') throw e;
      progress?.end();
      process.stderr.write(`auditdesk: this run's verdict found damage in the cache (${(e as UserError).message.split(' Rebuild the cache')[0]}): rebuilding it, as --rebuild asks.\n`);
      db.close();
      db = undefined;
      const rebuilt = rebuild();
      db = rebuilt.db;
      if (!rebuilt.carried) throw e;
      outcome = await syncOnce();
    }
    const { summary, report } = outcome;
    progress?.end();
    for (const w of summary.privilegeWarnings) process.stderr.write(`auditdesk: warning: ${w}\n`);
    // Ready: rows sealed, verdict known. The facet indexes only speed up filters.
    const facetIndexes = indexesStillToBuild(db);
    const buildFacetIndexes = () => {
      if (!facetIndexes.length || !flags.waitIndex) return;
      process.stderr.write(`auditdesk: building ${facetIndexes.length} facet index(es) for the timeline's filters…\n`);
      restoreDeferredSchema(db!);
    };
    if (flags.json) buildFacetIndexes();
    const ready = { ...summary, ...(facetIndexes.length && !flags.waitIndex ? { indexesPending: facetIndexes } : {}) };
    if (flags.json) process.stdout.write(JSON.stringify(ready, null, 2) + '\n');
    else process.stdout.write(humanSummary(ready, cacheFile) + (report ? `\n${humanReport(verifyReportNamingLookAlikes(report))}` : ''));
    if (!flags.json) buildFacetIndexes();
    // Like verify: a broken (or empty) chain is a finding, as is a row changed at the source.
    const broken = summary.chains?.some((c) => c.verdict !== 'intact') ?? false;
    return broken || summary.rowsChanged > 0 || summary.rowsDeleted > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    progress?.end();
    process.off('SIGINT', onSigint);
    await session?.close();
    db?.close();
    lease?.release();
  }
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${flag} must be a positive whole number (got "${text}").`, 'E_INPUT');
  return n;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function humanSummary(s: SyncSummary, cachePath: string): string {
  const lines: string[] = [];
  lines.push(`synced ${s.source} → ${basename(cachePath)} in ${s.seconds.toFixed(1)} s: ${fmt(s.rowsFetched)} new rows (${fmt(s.rowsPerSecond)} rows/s)`);
  const width = Math.max(...s.tables.map((t) => t.table.length), 5);
  const note = lookAlikeNote(s.tables.map((t) => t.tenant));
  for (const t of s.tables) {
    const head = t.seal.headSeq !== null ? `  head seq ${t.seal.headSeq} ${t.seal.headHash?.slice(0, 12) ?? ''}…` : '';
    lines.push(`  ${t.table.padEnd(width)}  ${t.tenant}${note(t.tenant)}  +${fmt(t.fetched)}  sealed ${fmt(t.seal.rowCount)} rows, root ${t.seal.merkleRoot.slice(0, 16)}…${head}`);
  }
  if (s.rowsChanged || s.rowsDeleted || s.changes.some((c) => c.change === 'added-behind-watermark')) {
    const late = s.changes.filter((c) => c.change === 'added-behind-watermark').length;
    lines.push(`changed at the source since cached: ${fmt(s.rowsChanged)} modified (both versions kept), ${fmt(s.rowsDeleted)} deleted (cached copy kept), ${fmt(late)} added behind the watermark`);
    for (const c of s.changes.slice(0, 50)) lines.push(`  ${c.change}  ${c.kind}  ${c.tenant}${note(c.tenant)}  ${c.key}`);
    if (s.changes.length > 50 || s.changesTruncated) lines.push('  … (run with --json for the full list)');
  }
  if (s.indexesPending?.length) {
    lines.push(
      `${s.indexesPending.length} facet index(es) not built yet (--no-wait-index): the timeline's filters are slower until the next sync, or the app when it opens this cache, builds them; every result is the same.`,
    );
  }
  // Tenant ids and source keys are the source's text: escaped like the verify report's.
  return lines.map(printable).join('\n') + '\n';
}
