// `auditdesk prove`: one row's membership in its chain as a c2sp.org/tlog-proof@v1
// file (inclusion proof + a signed checkpoint), so a single event can be shown to a
// third party without handing over the whole chain. The checkpoint is the newest one a
// sync or verification recorded in the cache that covers the row; only when none does
// is a checkpoint of the cached chain signed now.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { engagementPaths } from '../../core/engagement/paths.js';
import { UserError } from '../../core/util/errors.js';
import { action, dataDirOf, EXIT_OK } from '../run.js';

interface ProveFlags {
  cache?: string;
  engagement?: string;
  tenant: string;
  table?: string;
  seq: string;
  out?: string;
  dataDir?: string;
}

export function registerProve(program: Command): void {
  program
    .command('prove')
    .description("Write a C2SP tlog-proof that one cached row is in its chain's signed checkpoint.")
    .option('--cache <file>', 'the SQLite cache holding the chain')
    .option('--engagement <dir>', 'the engagement folder whose cache holds the chain (instead of --cache)')
    .requiredOption('--tenant <id>', 'the tenant whose chain holds the row')
    .option('--table <name>', 'the events table, when the cache holds several')
    .requiredOption('--seq <n>', 'the seq of the row to prove')
    .option('--out <file>', 'where to write the proof (default: <tenant>-seq-<n>.tlog-proof)')
    .option('--data-dir <dir>', 'data folder holding the auditor key, used only when no recorded checkpoint covers the row: default $AUDITDESK_DATA_DIR or ~/.auditdesk')
    .addHelpText(
      'after',
      "\nThe proof points at the newest checkpoint a sync or verify recorded that covers the row.\nPrints the verifier key (vkey) that checks the checkpoint, and the row's stored hash (the leaf data).\nAny RFC 6962 / C2SP tool checks the proof (docs/verify-by-hand.md#one-row-tlog-proof).\nExit codes: 0 proof written · 2 error.",
    )
    .action(action(async (flags: ProveFlags) => runProve(flags)));
}

function cacheFileOf(flags: ProveFlags): string {
  if (flags.cache && flags.engagement) throw new UserError('--cache and --engagement both name a cache.', 'E_USAGE', 'Pass one of them.');
  if (flags.engagement) return engagementPaths(flags.engagement).cache;
  if (flags.cache) return flags.cache;
  throw new UserError('no cache to prove from.', 'E_USAGE', 'Pass --engagement DIR or --cache FILE.');
}

async function runProve(flags: ProveFlags): Promise<number> {
  const [{ openCache }, { loadOrCreateAuditorKey }, { checkpointSignedNow, leafIndexOf, proveRow, readChainLeaves, recordedCheckpointCovering }] = await Promise.all([
    import('../../core/cache/open.js'),
    import('../../core/identity/auditor-key.js'),
    import('../../core/verify/tlog-evidence.js'),
  ]);
  if (!/^-?[0-9]+$/.test(flags.seq)) throw new UserError(`--seq ${flags.seq} is not an integer.`, 'E_USAGE', 'Give the seq of the row as a whole number.');
  const db = openCache(cacheFileOf(flags), { readonly: true });
  try {
    const seq = BigInt(flags.seq);
    const leaves = readChainLeaves(db, flags.tenant, flags.table);
    const index = leafIndexOf(leaves, seq);
    const key = loadOrCreateAuditorKey(dataDirOf(flags.dataDir));
    const checkpoint = recordedCheckpointCovering(db, leaves, index, key.publicKeyRaw) ?? checkpointSignedNow(leaves, key);
    const { proof, hash } = proveRow(leaves, checkpoint, seq);
    const out = flags.out ?? `${flags.tenant.replace(/[^A-Za-z0-9._-]/g, '_')}-seq-${flags.seq}.tlog-proof`;
    writeFileSync(out, proof, { mode: 0o644 });
    process.stdout.write(
      `Wrote ${out}: row seq ${flags.seq} of ${leaves.chain.name} · tenant ${flags.tenant} is leaf ${index} of ${checkpoint.size} in ${checkpoint.label}.\n` +
        `leaf data (the row's stored hash): ${hash}\n` +
        `verifier key: ${checkpoint.vkey}\n`,
    );
    return EXIT_OK;
  } finally {
    db.close();
  }
}
