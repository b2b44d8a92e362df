// `auditdesk verify`: check hash chains (and sealed tables) on a live source, in the
// cache, or the source against the cache; every break explained in one sentence.
// Exit 0 intact · 1 anything broken or empty · 2 error.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CacheDb } from '../../core/cache/open.js';
import { NAMED_PROFILES } from '../../core/chain/profile.js';
import { readProfile, readProfileMap } from '../profile-option.js';
import type { SourceSession } from '../../core/source/index.js';
import { UserError } from '../../core/util/errors.js';
import type { ExternalAnchor } from '../../core/verify/checkpoints.js';
import type { VerifyReport } from '../../core/verify/report.js';
import { action, collect, dataDirOf, readStdin, EXIT_FINDINGS, EXIT_OK } from '../run.js';
import { addSourceOptions, printSourceNotices, warnIfPasswordInUrl } from '../source-options.js';
import { ENGAGEMENT_OPTION_HELP, chosenCacheFile } from '../engagement-option.js';
import { verifyReportNamingLookAlikes } from '../look-alike-notes.js';
import { cachedTenantIds } from '../../core/cache/tenant-ids.js';

interface VerifyFlags {
  /** The first is the source; any further URL is a replica of the same database the chains are read from in ranges. */
  source: string[];
  cache?: string;
  engagement?: string;
  tenant: string[];
  json?: boolean;
  checkpoint: string[];
  profile?: string;
  profileMap?: string;
  passwordStdin?: boolean;
  dataDir?: string;
  merkle?: boolean;
  allowCleartextPassword?: boolean;
  jobs?: string;
  full?: boolean;
}

export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .description('Verify hash chains and sealed tables on a live source, in the cache, or the source against the cache.')
    .option(
      '--source <url>',
      'postgres://user@host:5432/database of a read-only source (streamed, nothing is written there); give it again for read replicas of the same database, and each chain is read in seq ranges from all of them at once',
      collect,
      [],
    )
    .option('--cache <file>', 'the SQLite cache: verified offline alone, or the earlier copy the source is compared with')
    .option('--engagement <dir>', `${ENGAGEMENT_OPTION_HELP}; the checkpoints and the report are recorded there`)
    .option('--tenant <id>', 'tenant to verify; repeat for several (default: every tenant found)', collect, [])
    .option('--json', 'print the report as JSON on stdout (docs/verify-report.md)')
    .option('--checkpoint <file>', 'an external anchor {tenant, table, last_seq, head_hash}, or a signed checkpoint note (its .vkey beside it), the chain must extend; repeatable', collect, [])
    .option('--profile <name|file>', `hash-chain profile: ${Object.keys(NAMED_PROFILES).join(' or ')}, or a JSON file for logs written under another convention (docs/hash-chain.md#profiles)`)
    .option('--profile-map <file>', 'JSON {"tenant": "profile name" | {profile}}: the profile each tenant\'s chain was written with (above --profile and the cache\'s record)')
    .option('--password-stdin', 'read the source password from standard input (else the URL or PGPASSWORD)')
    .option('--merkle', "also compute each chain's RFC 6962 Merkle root over its row hashes (slower; recorded in the checkpoint)")
    .option(
      '--full',
      'with --cache or --engagement alone: re-read and re-hash every row even when the verdict stored at the end of the last sync still holds (by default that verdict is given again, named as such)',
    )
    .option(
      '--jobs <n>',
      'threads that read and hash the chains: seq ranges of the cache; for a live source, n seq spans read at once over n connections in one snapshot, parsed by n workers (default: one per core, one connection); the report is the same for any n',
    )
    .option('--data-dir <dir>', 'data folder holding the auditor key that signs checkpoints: default $AUDITDESK_DATA_DIR or ~/.auditdesk')
    .addHelpText(
      'after',
      '\nA run with --cache or --engagement records a signed checkpoint per chain and the report there; --source alone verifies and prints, and records nothing.\nExit codes: 0 everything checked is intact · 1 a break was found, or a chain has no visible rows (EMPTY) · 2 error (one line on stderr).',
    );
  addSourceOptions(command).action(action(async (flags: VerifyFlags) => runVerify(flags)));
}

async function runVerify(flags: VerifyFlags): Promise<number> {
  // Loaded when the command runs: `auditdesk --help` or another command need none of it.
  const [{ openCache }, { loadOrCreateAuditorKey }, { connectSource }, { loadAnchorFile }, { humanReport }, { runVerification }, { reusableCacheVerdict }] = await Promise.all([
    import('../../core/cache/open.js'),
    import('../../core/identity/auditor-key.js'),
    import('../../core/source/index.js'),
    import('../../core/verify/checkpoints.js'),
    import('../../core/verify/report.js'),
    import('../../core/verify/run.js'),
    import('../../core/verify/reuse.js'),
  ]);
  const cacheFile = chosenCacheFile(flags);
  const [source, ...replicaUrls] = flags.source;
  if (!source && !cacheFile) {
    throw new UserError('nothing to verify.', 'E_INPUT', 'Pass --source URL, --engagement DIR or --cache FILE, or a source with one of them.');
  }
  if (cacheFile && !source && !existsSync(cacheFile)) {
    throw new UserError(`cache ${cacheFile} does not exist.`, 'E_CACHE_MISSING', 'Check the path, or run `auditdesk sync` first.');
  }
  const profile = flags.profile ? readProfile(flags.profile) : undefined;
  const profiles = flags.profileMap ? readProfileMap(flags.profileMap) : undefined;
  const jobs = flags.jobs === undefined ? undefined : jobCount(flags.jobs);
  const anchors: ExternalAnchor[] = flags.checkpoint.flatMap((f) => loadAnchorFile(f));
  // The auditor key signs checkpoints; a run that records none needs no key (and makes none).
  const key = cacheFile ? loadOrCreateAuditorKey(dataDirOf(flags.dataDir)) : undefined;
  if (key?.created) process.stderr.write(`auditdesk: created the auditor key ${key.path} (key id ${key.keyId}); it signs every checkpoint.\n`);
  for (const url of flags.source) warnIfPasswordInUrl(url);
  const password = flags.passwordStdin ? await readStdin() : undefined;
  const allowCleartextPassword = flags.allowCleartextPassword ?? false;

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nauditdesk: stopping (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  // The cache named is where checkpoints and the report go; without one nothing is recorded,
  // so a quick look at a source never lands in a cache the app shows (issue 13).
  let cacheDb: CacheDb | undefined;
  let session: SourceSession | undefined;
  const replicas: SourceSession[] = [];
  try {
    if (cacheFile) cacheDb = openCache(cacheFile);
    const reused = cacheDb && key && !source && mayReuse(flags) ? reusableCacheVerdict(cacheDb, key, flags.tenant) : null;
    if (reused && 'report' in reused) return printed(reused.report, flags.json ?? false, humanReport, cachedTenantIds(cacheDb!));
    if (source) session = await connectSource(source, { password, allowCleartextPassword, signal: controller.signal });
    for (const url of replicaUrls) replicas.push(await connectSource(url, { password, allowCleartextPassword, signal: controller.signal }));
    printSourceNotices(session);
    const report = await runVerification({
      session,
      copy: source ? { target: source, password, allowCleartextPassword } : undefined,
      replicas: replicas.map((r, i) => ({ session: r, copy: { target: replicaUrls[i]!, password, allowCleartextPassword } })),
      cache: cacheDb && cacheFile ? { db: cacheDb, path: cacheFile } : undefined,
      store: cacheDb,
      tenants: flags.tenant,
      profile,
      profiles,
      anchors,
      key,
      merkle: flags.merkle,
      signal: controller.signal,
      readers: jobs === undefined ? undefined : { threads: jobs, connections: jobs },
    });
    if (!report.tenants.length && !report.seals.length) {
      throw new UserError(
        `nothing to verify: no hash-chained table${flags.tenant.length ? ` for tenant ${flags.tenant.join(', ')}` : ''} in ${source ? 'the source' : `cache ${cacheFile}`}.`,
        'E_NOTHING_TO_VERIFY',
        source ? "Check the tenant names and the role's SELECT rights." : 'Sync the tenant first (auditdesk sync).',
      );
    }
    return printed(report, flags.json ?? false, humanReport, cacheDb ? cachedTenantIds(cacheDb) : []);
  } finally {
    process.off('SIGINT', onSigint);
    await session?.close();
    for (const r of replicas) await r.close();
    cacheDb?.close();
  }
}

/** Flags that change what is checked rule out giving a stored verdict again. */
function mayReuse(flags: VerifyFlags): boolean {
  return !flags.full && !flags.checkpoint.length && !flags.profile && !flags.profileMap && !flags.merkle;
}

function printed(report: VerifyReport, json: boolean, humanReport: (r: VerifyReport) => string, cachedTenants: readonly string[]): number {
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : humanReport(verifyReportNamingLookAlikes(report, cachedTenants)));
  return report.intact ? EXIT_OK : EXIT_FINDINGS;
}

/** --jobs: a whole number of threads, at least 1. */
export function jobCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError(`--jobs must be a whole number from 1 to 256 (got "${text}").`, 'E_INPUT', 'Give the number of threads, e.g. --jobs 2.');
  return n;
}
