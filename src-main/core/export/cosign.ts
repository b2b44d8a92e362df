// `auditdesk cosign`: a second person (a QA approver, the four-eyes review) checks a
// package and cosigns its signed chain checkpoint with their own identity (C2SP
// tlog-cosignature/v1). The package's signed bytes cannot change, so the cosignature is
// not put into the manifest: a new ZIP is written beside the original with every entry
// of the original byte for byte, plus checkpoint.cosig (checkpoint.note and the
// cosignature line) and cosigner.pem. The original package stays as it was and both
// verify; the cosigned one also shows who cosigned and when.
import { createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { UserError } from '../util/errors.js';
import type { LoadedIdentity } from '../identity/identity.js';
import { cosignCheckpoint } from '../chain/cosignature.js';
import { cosignerNoteName, type Cosignature } from './cosignature-check.js';
import { PACKAGE_FILES } from './package-files.js';
import { verifyPackage, type PackageVerification } from './verify-package.js';
import { writeZip } from './package.js';

export interface CosignResult {
  out: string;
  packageId: string | null;
  cosignature: Cosignature;
  /** the verdict of the package the cosigner checked before cosigning */
  checked: PackageVerification['verdict'];
}

function certPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

export function defaultCosignedPath(pkg: string): string {
  return join(dirname(pkg), `${basename(pkg).replace(/\.zip$/i, '')}.cosigned.zip`);
}

/** Copies every entry of a ZIP the verifier accepted into `dir` (names are safe: verifyPackage refused any other). */
async function extractAll(zipPath: string, dir: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (err, z) => (err || !z ? reject(err ?? new Error('cannot open')) : resolve(z))),
  );
  const names: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('no stream'));
          pipeline(stream, createWriteStream(join(dir, entry.fileName), { mode: 0o600 })).then(() => zip.readEntry(), reject);
        });
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return names;
}

export async function cosignPackage(opts: { pkg: string; identity: LoadedIdentity; out?: string; trust?: string; at?: Date }): Promise<CosignResult> {
  const out = opts.out ?? defaultCosignedPath(opts.pkg);
  if (existsSync(out)) throw new UserError(`${out} already exists.`, 'E_EXISTS', 'Choose another file with --out (a package is never overwritten).');
  // The cosigner states that they checked this checkpoint: only a package that verifies is cosigned.
  const checked = await verifyPackage(opts.pkg, { trust: opts.trust });
  if (checked.verdict === 'invalid') {
    const f = checked.failures[0]!;
    throw new UserError(
      `${basename(opts.pkg)} does not verify (${f.code}: ${f.message}); it is not cosigned.`,
      'E_COSIGN',
      'Run auditdesk verify-package on it and ask the signer for an intact package.',
    );
  }
  if (checked.cosignature) throw new UserError(`${basename(opts.pkg)} is already cosigned by ${checked.cosignature.name}.`, 'E_COSIGN', 'Cosign the original package (without checkpoint.cosig).');
  if (!checked.checkpoint) {
    throw new UserError(`${basename(opts.pkg)} carries no signed chain checkpoint (a filtered or subject export, or made before checkpoints).`, 'E_COSIGN', 'Cosign a whole-chain package.');
  }
  if (checked.signer?.fingerprint === opts.identity.info.fingerprint) {
    throw new UserError("the package was signed with this identity; a cosignature is a second person's check.", 'E_COSIGN', "Cosign with the QA approver's own identity.");
  }
  const work = mkdtempSync(join(dirname(out), '.auditdesk-cosign-'));
  try {
    const names = await extractAll(opts.pkg, work);
    const note = readFileSync(join(work, PACKAGE_FILES.checkpoint), 'utf8');
    const cosigned = cosignCheckpoint(note, cosignerNoteName(opts.identity.info.fingerprint), opts.identity.signingKey, opts.at ?? new Date());
    writeFileSync(join(work, PACKAGE_FILES.cosignature), cosigned, { mode: 0o600 });
    writeFileSync(join(work, PACKAGE_FILES.cosigner), certPem(opts.identity.signingCertDer), { mode: 0o600 });
    const all = [...names, PACKAGE_FILES.cosignature, PACKAGE_FILES.cosigner].sort();
    const tmp = join(work, `.${basename(out)}.partial`);
    await writeZip(tmp, work, all, new Date(checked.createdAt ?? Date.now()), undefined);
    const result = await verifyPackage(tmp, { trust: opts.trust });
    if (!result.cosignature || result.verdict === 'invalid') throw new Error(`the cosigned package does not verify: ${result.failures.map((f) => f.code).join(', ')}`);
    renameSync(tmp, out);
    return { out, packageId: checked.packageId, cosignature: result.cosignature, checked: checked.verdict };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
