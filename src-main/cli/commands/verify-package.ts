// `auditdesk verify-package PKG.zip [--trust CERT.pem|FINGERPRINT]`: the offline
// check a regulator or court runs on a package. Exit 0 valid (every check passed and
// the signer is pinned with --trust) · 1 invalid · 2 error · 3 intact but unpinned.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../core/util/errors.js';
import { action, EXIT_FINDINGS, EXIT_OK, EXIT_UNPINNED } from '../run.js';

/** --trust takes a fingerprint or a PEM file path. */
function trustValue(arg: string | undefined): string | undefined {
  if (arg === undefined) return undefined;
  if (/^[0-9a-fA-F:]{64,95}$/.test(arg.trim())) return arg;
  if (!existsSync(arg)) throw new UserError(`--trust ${arg} is neither a SHA-256 fingerprint nor an existing certificate file.`, 'E_INPUT');
  return readFileSync(arg, 'utf8');
}

export function registerVerifyPackage(program: Command): void {
  program
    .command('verify-package')
    .description('Check a compliance package offline: signatures, every file, unsafe entries, and the hash chain inside audit_events.csv.')
    .argument('<pkg.zip>', 'the package')
    .option('--trust <cert.pem|fingerprint>', "the signer's certificate or SHA-256 fingerprint, or the organisation CA that issued it")
    .option('--previous <old.zip>', "the package of an earlier visit: this one's chain must extend it (nothing exported then was rewritten or removed)")
    .option('--json', 'print the result as JSON on stdout ("verdict": "valid" | "unpinned" | "invalid")')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid (every check passed, signer pinned by --trust) · 1 invalid (each failure named) · 2 error (one line on stderr)' +
        ' · 3 every file is as signed, but the signer is not pinned (pass --trust to prove who signed).',
    )
    .action(
      action(async (pkg: string, flags: { trust?: string; json?: boolean; previous?: string }) => {
        const [{ verifyPackage }, { formatFingerprint }] = await Promise.all([import('../../core/export/verify-package.js'), import('../../core/identity/index.js')]);
        const result = await verifyPackage(pkg, { trust: trustValue(flags.trust), previous: flags.previous });
        // Every string in `result` that came from the package is already escaped (printable()).
        if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          const out: string[] = [];
          const fp = result.signer ? formatFingerprint(result.signer.fingerprint) : null;
          if (result.verdict === 'valid') out.push(`VALID  ${pkg}`);
          else if (result.verdict === 'unpinned') {
            out.push(`UNPINNED  ${pkg}`);
            out.push(`  every file is as signed, but the signer is not pinned; anyone can make such a package.`);
            out.push(`  To prove who signed, compare this fingerprint with the signer's and pass it: --trust ${result.signer?.fingerprint ?? ''}`);
          } else out.push(`INVALID  ${pkg}`);
          if (result.packageId) out.push(`  package ${result.packageId}, created ${result.createdAt}`);
          if (result.signer) {
            const t = result.signer.trusted === null ? 'not pinned' : result.signer.trusted ? `pinned by ${result.signer.pinnedBy}` : 'NOT the pinned signer';
            out.push(`  signed by ${result.signer.name}, ${result.signer.org} <${result.signer.email}> (from the certificate; ${t})`);
            out.push(`  fingerprint ${fp}`);
          }
          if (result.chain && result.chainMethod === 'subset') {
            // A subset proves each row, not the chain between them: never "intact".
            out.push(
              `  rows of the hash chain in audit_events.csv: ${result.chain.rows}, ${result.chain.intact ? "each row's hash recomputed and matching" : `${result.chain.breaks.length} break(s)`} (a subset: chain continuity is not shown)`,
            );
          } else if (result.chain) out.push(`  hash chain in audit_events.csv: ${result.chain.rows} rows, ${result.chain.intact ? 'intact' : `${result.chain.breaks.length} break(s)`}`);
          if (result.subject) out.push(`  data subject: ${result.subject.userId} (${result.subject.rule})`);
          if (result.drift?.findings) out.push(`  changes at the source: ${result.drift.statement ?? `${result.drift.findings} finding(s)`}; both versions of each are in changes.csv`);
          if (result.checkpoint) out.push(`  signed checkpoint: ${result.checkpoint.size} rows, root ${result.checkpoint.root} (${result.checkpoint.origin})`);
          if (result.cosignature)
            out.push(
              `  checkpoint cosigned by ${result.cosignature.name}, ${result.cosignature.org} <${result.cosignature.email}> at ${result.cosignature.time} (cosigner ${formatFingerprint(result.cosignature.fingerprint)}, not pinned)`,
            );
          if (result.previous) out.push(`  ${result.previous.extends ? 'extends' : 'does NOT extend'} the previous package ${result.previous.packageId}`);
          for (const f of result.failures) out.push(`  ${f.code}${f.file ? ` [${f.file}]` : ''}: ${f.message}`);
          for (const n of result.notes) out.push(`  note: ${n}`);
          process.stdout.write(`${out.join('\n')}\n`);
        }
        return result.verdict === 'valid' ? EXIT_OK : result.verdict === 'unpinned' ? EXIT_UNPINNED : EXIT_FINDINGS;
      }),
    );
}
