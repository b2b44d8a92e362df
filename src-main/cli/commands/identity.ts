// `auditdesk identity create|import|show`: the auditor's signing identity (PKCS#12).
import { join, resolve } from 'node:path';
import { mkdirSync, renameSync } from 'node:fs';
import type { Command } from 'commander';
import type { IdentityInfo } from '../../core/identity/index.js';
import { action, readStdin, EXIT_OK } from '../run.js';
import { defaultDataDir } from '../../core/util/private-files.js';

/** The identity code (node-forge, PKCS#12), loaded when an identity command runs, not for every CLI start. */
const identityCore = () => import('../../core/identity/index.js');

async function print(info: IdentityInfo & { file: string }, json: boolean | undefined): Promise<void> {
  if (json) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return;
  }
  const { formatFingerprint } = await identityCore();
  process.stdout.write(
    `${info.file}\n  ${info.name}, ${info.org} <${info.email}>\n` +
      `  fingerprint (Ed25519, signs manifests): ${formatFingerprint(info.fingerprint)}\n` +
      `  PDF certificate (RSA):                  ${formatFingerprint(info.pdfFingerprint)}\n` +
      `  valid ${info.notBefore} to ${info.notAfter}${info.selfSigned ? ' (self-signed)' : ' (issued by your organisation)'}\n`,
  );
}

export function defaultIdentityDir(): string {
  return join(defaultDataDir(), 'identities');
}

export function registerIdentity(program: Command): void {
  const id = program.command('identity').description('Create, import or show the signing identity used for compliance packages.');

  id.command('create')
    .description('Create a password-protected PKCS#12 identity: Ed25519 key + certificate (manifest) and RSA key + certificate (PDF).')
    .requiredOption('--name <name>', "the auditor's name")
    .requiredOption('--org <org>', 'organisation')
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--out <file.p12>', 'where to write the identity (never overwritten)')
    .option('--days <n>', 'certificate validity in days', '1095')
    .option('--password-stdin', 'read the new password from standard input (else AUDITDESK_P12_PASSWORD)')
    .option('--json', 'print the identity as JSON')
    .action(
      action(async (flags: { name: string; org: string; email: string; out: string; days: string; passwordStdin?: boolean; json?: boolean }) => {
        const { createIdentity, passwordFrom } = await identityCore();
        const password = passwordFrom(process.env, flags.passwordStdin ? await readStdin() : undefined);
        const out = resolve(flags.out);
        const info = createIdentity({ name: flags.name, org: flags.org, email: flags.email, password, out, days: Number(flags.days) || 1095 });
        await print({ ...info, file: out }, flags.json);
        return EXIT_OK;
      }),
    );

  id.command('import')
    .description("Bring in an organisation-issued PKCS#12 (RSA). Without an Ed25519 key in it, one is added with a certificate issued by the organisation's.")
    .argument('<file.p12>', 'the organisation p12 (left unchanged)')
    .option('--out <file.p12>', 'where to write the AuditDesk identity (default: the data folder, identities/<fingerprint>.p12)')
    .option('--password-stdin', "read the p12's password from standard input (else AUDITDESK_P12_PASSWORD); the new file keeps it")
    .option('--json', 'print the identity as JSON')
    .action(
      action(async (file: string, flags: { out?: string; passwordStdin?: boolean; json?: boolean }) => {
        const { importIdentity, passwordFrom, recordIdentity } = await identityCore();
        const password = passwordFrom(process.env, flags.passwordStdin ? await readStdin() : undefined);
        const dir = defaultIdentityDir();
        const out = flags.out ? resolve(flags.out) : join(dir, `.import-${process.pid}-${Date.now()}.p12`);
        if (!flags.out) mkdirSync(dir, { recursive: true, mode: 0o700 });
        const info = importIdentity(resolve(file), { password, out });
        let final = out;
        if (!flags.out) {
          // Named by fingerprint once it is known, like identities the app creates.
          final = join(dir, `${info.fingerprint}.p12`);
          renameSync(out, final);
          recordIdentity(dir, final, info);
        }
        await print({ ...info, file: final }, flags.json);
        return EXIT_OK;
      }),
    );

  id.command('show')
    .description('Show who an identity is and its fingerprints (needs the password).')
    .argument('<file.p12>', 'identity file')
    .option('--password-stdin', 'read the password from standard input (else AUDITDESK_P12_PASSWORD)')
    .option('--json', 'print as JSON')
    .action(
      action(async (file: string, flags: { passwordStdin?: boolean; json?: boolean }) => {
        const { loadIdentity, passwordFrom } = await identityCore();
        const password = passwordFrom(process.env, flags.passwordStdin ? await readStdin() : undefined);
        const loaded = loadIdentity(resolve(file), password);
        await print({ ...loaded.info, file: resolve(file) }, flags.json);
        return EXIT_OK;
      }),
    );
}
