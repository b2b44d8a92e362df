// `auditdesk cosign --identity QA.p12 PACKAGE.zip`: the four-eyes review. A second
// person checks the package and cosigns its signed chain checkpoint (C2SP
// tlog-cosignature/v1); the cosigned package is written beside the original, which is
// left as it was (docs/tlog-evidence.md#cosignatures).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { action, readStdin, EXIT_OK } from '../run.js';

interface CosignFlags {
  identity: string;
  out?: string;
  trust?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export function registerCosign(program: Command): void {
  program
    .command('cosign')
    .description("Check a package and cosign its signed chain checkpoint with a second identity (a QA approver's four-eyes review).")
    .argument('<pkg.zip>', 'the package to check and cosign (left unchanged)')
    .requiredOption('--identity <file.p12>', "the cosigner's identity (not the package signer's); password from AUDITDESK_P12_PASSWORD or --password-stdin")
    .option('--out <file.zip>', 'where to write the cosigned package (default: <pkg>.cosigned.zip beside it; never overwritten)')
    .option('--trust <fingerprint>', "the package signer's SHA-256 fingerprint, checked before cosigning")
    .option('--password-stdin', 'read the identity password from standard input')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nThe cosigned package holds every entry of the original byte for byte, plus checkpoint.cosig and cosigner.pem.\nExit codes: 0 cosigned · 2 error (the package does not verify, has no checkpoint, is already cosigned, or the identity is its signer).',
    )
    .action(
      action(async (pkg: string, flags: CosignFlags) => {
        const [{ cosignPackage }, { formatFingerprint, loadIdentity, passwordFrom }, { cosignerVerifierKey }, { rawEd25519PublicKey }, { createPublicKey }] = await Promise.all([
          import('../../core/export/cosign.js'),
          import('../../core/identity/index.js'),
          import('../../core/chain/cosignature.js'),
          import('../../core/chain/signed-note.js'),
          import('node:crypto'),
        ]);
        const identity = loadIdentity(flags.identity, passwordFrom(process.env, flags.passwordStdin ? await readStdin() : undefined));
        const r = await cosignPackage({ pkg: resolve(pkg), identity, out: flags.out ? resolve(flags.out) : undefined, trust: flags.trust });
        const vkey = cosignerVerifierKey(r.cosignature.keyName, rawEd25519PublicKey(createPublicKey(identity.signingKey)));
        if (flags.json) process.stdout.write(`${JSON.stringify({ ...r, vkey }, null, 2)}\n`);
        else {
          process.stdout.write(
            `Cosigned ${r.out}\n` +
              `  package ${r.packageId} (checked: ${r.checked}; the original is unchanged)\n` +
              `  cosigner ${r.cosignature.name}, ${r.cosignature.org} <${r.cosignature.email}> at ${r.cosignature.time}\n` +
              `  cosigner fingerprint ${formatFingerprint(r.cosignature.fingerprint)}\n` +
              `  cosigner verifier key: ${vkey}\n`,
          );
        }
        return EXIT_OK;
      }),
    );
}
