// `auditdesk verify-package PKG.zip [--trust CERT.pem|FINGERPRINT]`: the offline
// check a regulator or court runs on a package. Exit 0 valid · 1 invalid · 2 error.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../core/util/errors.js';
import { action, EXIT_FINDINGS, EXIT_OK } from '../run.js';

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
    .option('--trust <cert.pem|fingerprint>', "the auditor's (or organisation's) certificate, or the signer's SHA-256 fingerprint")
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExit codes: 0 valid · 1 invalid (each failure named) · 2 error (one line on stderr).')
    .action(
      action(async (pkg: string, flags: { trust?: string; json?: boolean }) => {
        const [{ verifyPackage }, { formatFingerprint }] = await Promise.all([import('../../core/export/verify-package.js'), import('../../core/identity/index.js')]);
        const result = await verifyPackage(pkg, { trust: trustValue(flags.trust) });
        if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          const out: string[] = [];
          out.push(result.valid ? `VALID  ${pkg}` : `INVALID  ${pkg}`);
          if (result.packageId) out.push(`  package ${result.packageId}, created ${result.createdAt}`);
          if (result.signer) {
            const t = result.signer.trusted === null ? 'not pinned' : result.signer.trusted ? 'trusted' : 'NOT trusted';
            out.push(`  signed by ${result.signer.name}, ${result.signer.org} <${result.signer.email}> (${t})`);
            out.push(`  fingerprint ${formatFingerprint(result.signer.fingerprint)}`);
          }
          if (result.chain) out.push(`  hash chain in audit_events.csv: ${result.chain.rows} rows, ${result.chain.intact ? 'intact' : `${result.chain.breaks.length} break(s)`}`);
          for (const f of result.failures) out.push(`  ${f.code}${f.file ? ` [${f.file}]` : ''}: ${f.message}`);
          for (const n of result.notes) out.push(`  note: ${n}`);
          process.stdout.write(`${out.join('\n')}\n`);
        }
        return result.valid ? EXIT_OK : EXIT_FINDINGS;
      }),
    );
}
