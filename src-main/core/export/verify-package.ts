// Offline check of a compliance package (issue 5). Trusts nothing in the ZIP until
// the signed manifest names it: the manifest signature and its signer first, then
// every file's size and SHA-256, missing/unexpected/unsafe entries, the PDF's
// embedded signature and its certificate, row counts and Merkle roots of every CSV,
// and the hash chain recomputed from audit_events.csv. Every problem is reported
// with a stable code; nothing stops at the first one.
//
// The verdict names what was proven (issue 11): "valid" only when every check passed
// AND the signer is pinned; "unpinned" when everything checks but anyone could have
// made the package; "invalid" otherwise. A hostile ZIP cannot exhaust us: an entry is
// read no further than the size the manifest records (small entries have a hard cap),
// and a CSV whose size or hash is already wrong is not parsed.
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { UserError } from '../util/errors.js';
import { fingerprintOf } from '../identity/identity.js';
import { subjectOf } from '../identity/certs.js';
import { printableDeep } from '../util/printable.js';
import { bindingProblem, pemToDer, pinSigner, type TrustedSigner } from './signer-trust.js';
import { recordedEntry, sameEntry, type IntegrityEntry, type VerificationFile } from './integrity.js';
import { readCsvRows } from '../util/csv.js';
import { checkCsvContents, type CsvRecordReader } from './csv-contents.js';
import { columnsProblem, PACKAGE_FORMAT, type Manifest, type ManifestFile } from './manifest.js';
import { PACKAGE_FILES } from './package-files.js';
import { COSIGNATURE_FILES, isUnsafePath, REQUIRED_FILES, UNNAMED_FILES } from './package-files.js';
import { checkCosignatureFiles, cosignatureNote, type Cosignature, type CosignerFacts } from './cosignature-check.js';
import type { ChainLeafCollector } from '../chain/chain-leaves.js';
import { rawEd25519PublicKey } from '../chain/signed-note.js';
import { chainOrigin } from '../chain/tlog-checkpoint.js';
import { checkAgainstPrevious, checkPackageCheckpoint, type PackageTlog } from './chain-evidence.js';
import { checkMinisign, minisignPublicKeyFile } from './minisign.js';
import { verifyPdfSignature } from './pdf-signature.js';
import { CHANGES_FILE, changesProblems } from './changes.js';
import { checkReviewFiles, type ReviewFailureCode } from '../review/package-files.js';

export type FailureCode =
  | 'ZIP_UNREADABLE'
  | 'UNSAFE_PATH'
  | 'DUPLICATE_ENTRY'
  | 'ENTRY_CORRUPT'
  | 'MANIFEST_MISSING'
  | 'MANIFEST_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'CERT_MISSING'
  | 'CERT_INVALID'
  | 'SIGNER_MISMATCH'
  | 'UNTRUSTED_SIGNER'
  | 'MISSING_FILE'
  | 'ENTRY_TOO_LARGE'
  | 'UNEXPECTED_FILE'
  | 'SIZE_MISMATCH'
  | 'HASH_MISMATCH'
  | 'CSV_INVALID'
  | 'CSV_HEADER_MISMATCH'
  | 'ROW_COUNT_MISMATCH'
  | 'MERKLE_MISMATCH'
  | 'PDF_SIGNATURE_INVALID'
  | 'PDF_SIGNER_MISMATCH'
  | 'VERIFICATION_MISSING'
  | 'CHAIN_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'MINISIGN_INVALID'
  | 'HISTORY_REWRITTEN'
  | 'PREVIOUS_INVALID'
  | 'CHANGES_MISMATCH'
  | 'COSIGNATURE_INVALID'
  | ReviewFailureCode;

export interface Failure {
  code: FailureCode;
  file?: string;
  message: string;
}

/** valid: every check passed and the signer is pinned · unpinned: every check passed, signer not pinned · invalid: a check failed. */
export type PackageVerdict = 'valid' | 'unpinned' | 'invalid';

export interface PackageVerification {
  verdict: PackageVerdict;
  /** verdict === 'valid'. */
  valid: boolean;
  failures: Failure[];
  /** Things a reader must know that do not make the package invalid. */
  notes: string[];
  /** Name, organisation and email as the signer certificate states them (never the manifest's copy). */
  signer: { name: string; org: string; email: string; fingerprint: string; trusted: boolean | null; pinnedBy: string | null } | null;
  packageId: string | null;
  createdAt: string | null;
  /** Chain result recomputed from audit_events.csv (breaks are findings about the data, not about the package). */
  chain: IntegrityEntry | null;
  /** The signed chain checkpoint, checked against audit_events.csv (whole-chain packages since #18). */
  checkpoint: { origin: string; size: string; root: string } | null;
  /** With `previous`: whether this package's chain extends the earlier package's. */
  previous: { packageId: string | null; extends: boolean } | null;
  /** Rows of the package that changed at the source after they were first cached (the signed manifest's count; changes.csv is checked against it). */
  drift: { findings: number; statement: string | null } | null;
  /** How far `chain` goes: the whole chain of the period (engine), or a subset whose rows were each recomputed (subset). */
  chainMethod: 'engine' | 'subset' | null;
  /** A GDPR data-subject package: whose rows, by which rule (from the signed manifest). */
  subject: { userId: string; sessions: string[]; rule: string } | null;
  /** A second person's cosignature of the signed checkpoint (checkpoint.cosig + cosigner.pem), when the package carries one and it verifies. */
  cosignature: Cosignature | null;
}

export interface VerifyPackageOptions {
  /** A certificate PEM or a SHA-256 fingerprint (hex, colons allowed) the signer must match or be issued by. */
  trust?: string;
  /** Identities the user marked trusted in the app: a signer among them is pinned. */
  trustedSigners?: readonly TrustedSigner[];
  /** The package of an earlier visit: this one's chain must extend it (docs/tlog-evidence.md). */
  previous?: string;
}

/** Hard caps for entries read whole; the CSVs and the PDF are capped by their manifest size. */
const MANIFEST_CAP = 16 << 20;
const SMALL_ENTRY_CAP = 1 << 20;
const REVIEW_ENTRY_CAP = 64 << 20;

interface ZipEntryRef {
  name: string;
  entry: yauzl.Entry;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // decodeStrings:false hands us raw names, so unsafe paths are reported here by
    // name instead of aborting the whole read inside yauzl.
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err || !zip ? reject(err ?? new Error('cannot open')) : resolve(zip),
    ),
  );
}

function readEntries(zip: yauzl.ZipFile): Promise<ZipEntryRef[]> {
  return new Promise((resolve, reject) => {
    const out: ZipEntryRef[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      const raw = entry.fileName as unknown as Buffer;
      const utf8 = (entry.generalPurposeBitFlag & 0x800) !== 0;
      out.push({ name: Buffer.isBuffer(raw) ? raw.toString(utf8 ? 'utf8' : 'latin1') : String(raw), entry });
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream))));
}

class TooLarge extends Error {}

/** Streams an entry, stopping (and closing the inflater) as soon as it passes `limit` bytes. */
async function* boundedChunks(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): AsyncGenerator<Buffer> {
  if (entry.uncompressedSize > limit) throw new TooLarge(`its ZIP header says ${entry.uncompressedSize} bytes, more than the ${limit} allowed`);
  const s = await openEntry(zip, entry);
  let n = 0;
  try {
    for await (const c of s) {
      n += (c as Buffer).length;
      if (n > limit) throw new TooLarge(`it inflates to more than ${limit} bytes`);
      yield c as Buffer;
    }
  } finally {
    s.destroy();
  }
}

async function readAll(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of boundedChunks(zip, entry, limit)) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Hash and size of an entry, streamed, reading at most `limit` bytes. */
async function digestEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of boundedChunks(zip, entry, limit)) {
    h.update(c);
    size += c.length;
  }
  return { sha256: h.digest('hex'), size };
}

/** Same chain result, compared as canonical JSON (both sides are plain JSON values). */

export async function verifyPackage(zipPath: string, opts: VerifyPackageOptions = {}): Promise<PackageVerification> {
  if (!existsSync(zipPath) || !statSync(zipPath).isFile()) {
    throw new UserError(`package ${zipPath} does not exist.`, 'E_NOT_FOUND', 'Check the path.');
  }
  const result: PackageVerification = {
    verdict: 'invalid',
    valid: false,
    failures: [],
    notes: [],
    signer: null,
    packageId: null,
    createdAt: null,
    chain: null,
    checkpoint: null,
    previous: null,
    drift: null,
    chainMethod: null,
    subject: null,
    cosignature: null,
  };
  const fail = (code: FailureCode, message: string, file?: string) => result.failures.push(file ? { code, file, message } : { code, message });

  let zip: yauzl.ZipFile;
  let entries: ZipEntryRef[];
  try {
    zip = await openZip(zipPath);
    entries = await readEntries(zip);
  } catch (e) {
    fail('ZIP_UNREADABLE', `the ZIP cannot be read (truncated or damaged): ${(e as Error).message}`);
    return printableDeep(result);
  }
  try {
    await checkContents(zip, entries, opts, result, fail);
  } finally {
    zip.close();
  }
  result.verdict = result.failures.length ? 'invalid' : result.signer?.trusted ? 'valid' : 'unpinned';
  result.valid = result.verdict === 'valid';
  // Every string here may come from the package: escaped once, for every front door.
  const printable = printableDeep(result);
  const tlog = tlogs.get(result);
  if (tlog) tlogs.set(printable, tlog);
  return printable;
}

async function checkContents(
  zip: yauzl.ZipFile,
  entries: ZipEntryRef[],
  opts: VerifyPackageOptions,
  result: PackageVerification,
  fail: (code: FailureCode, message: string, file?: string) => void,
): Promise<void> {
  const byName = usableEntries(entries, fail);
  const readSmall = async (name: string, limit = SMALL_ENTRY_CAP): Promise<Buffer | null> => {
    const e = byName.get(name);
    if (!e) return null;
    try {
      return await readAll(zip, e, limit);
    } catch (err) {
      if (err instanceof TooLarge) fail('ENTRY_TOO_LARGE', `${name} is refused unread: ${err.message}`, name);
      else fail('ENTRY_CORRUPT', `${name} cannot be read from the ZIP: ${(err as Error).message}`, name);
      return null;
    }
  };
  const signed = await readManifest(readSmall, byName, result, fail);
  if (!signed) return;
  const { manifest, manifestBytes } = signed;
  const signer = await checkManifestSignature(readSmall, manifest, manifestBytes, result, fail);
  const { named, intact } = await checkNamedFiles(zip, byName, manifest, fail);
  // A QA cosignature added after signing: it must extend the signed checkpoint.note.
  await checkCosignature(readSmall, intact.has(PACKAGE_FILES.checkpoint), result, fail);
  // The reviewer journal and signed decisions, read even when altered so the entry is named.
  await checkReviewFiles((name) => (named.has(name) ? readSmall(name, REVIEW_ENTRY_CAP) : Promise.resolve(null)), fail, result.notes);
  const pdfCertDer = await checkReportSignature(readSmall, named, byName, manifest, signer, fail);
  pinTheSigner(signer.certDer, pdfCertDer, manifest, opts, result, fail);
  await checkCsvFiles({ zip, byName, named, intact, manifest, cert: signer.cert, readSmall, opts, result, fail });
}

type Fail = (code: FailureCode, message: string, file?: string) => void;
type ReadSmall = (name: string, limit?: number) => Promise<Buffer | null>;

/** 1. Entry names: unsafe and duplicate entries are named and never used. */
function usableEntries(entries: ZipEntryRef[], fail: Fail): Map<string, yauzl.Entry> {
  const byName = new Map<string, yauzl.Entry>();
  for (const { name, entry } of entries) {
    if (isUnsafePath(name)) {
      fail('UNSAFE_PATH', `the ZIP holds an entry with an unsafe path "${name}" (absolute or climbing out with ..)`, name);
      continue;
    }
    // A symlink entry would point an unzip anywhere; a package never holds one.
    if (((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000) {
      fail('UNSAFE_PATH', `the ZIP entry "${name}" is a symbolic link`, name);
      continue;
    }
    if (byName.has(name)) {
      fail('DUPLICATE_ENTRY', `the ZIP holds "${name}" more than once`, name);
      continue;
    }
    byName.set(name, entry);
  }
  return byName;
}

/** 2a. The manifest, or null when it is missing or unreadable (named either way). */
async function readManifest(readSmall: ReadSmall, byName: Map<string, yauzl.Entry>, result: PackageVerification, fail: Fail): Promise<{ manifest: Manifest; manifestBytes: Buffer } | null> {
  const manifestBytes = await readSmall(PACKAGE_FILES.manifest, MANIFEST_CAP);
  if (!manifestBytes) {
    if (byName.has(PACKAGE_FILES.manifest)) return null; // present but refused: already named
    fail('MANIFEST_MISSING', 'manifest.json is missing, so no file of the package can be trusted', PACKAGE_FILES.manifest);
    return null;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    if (manifest.format !== PACKAGE_FORMAT || !Array.isArray(manifest.files) || !manifest.signer?.fingerprint) throw new Error(`not a ${PACKAGE_FORMAT} manifest`);
  } catch (e) {
    fail('MANIFEST_INVALID', `manifest.json is not a valid package manifest: ${(e as Error).message}`, PACKAGE_FILES.manifest);
    return null;
  }
  result.packageId = manifest.packageId ?? null;
  result.createdAt = manifest.createdAt ?? null;
  result.drift = manifest.drift ? { findings: manifest.drift.findings, statement: manifest.drift.statement ?? null } : null;
  result.chainMethod = manifest.chain?.method === 'subset' ? 'subset' : manifest.chain?.method === 'engine' ? 'engine' : null;
  result.subject = manifest.query?.subject ?? null;
  if (result.subject) {
    // What a subject package can and cannot prove, in the words every front door shows (issue 15).
    result.notes.push(
      `data-subject package for user ${result.subject.userId}: each exported event's hash was recomputed from its own values and prev_hash; the links between them were checked at the source when it was exported; chain continuity is not shown by a subject package`,
    );
  }
  return { manifest, manifestBytes };
}

interface Signer {
  cert: X509Certificate | null;
  certDer: Buffer | null;
}

/** 2b. manifest.sig and manifest.minisig by the key in signer.pem, and the signer the manifest names. */
async function checkManifestSignature(readSmall: ReadSmall, manifest: Manifest, manifestBytes: Buffer, result: PackageVerification, fail: Fail): Promise<Signer> {
  const sig = await readSmall(PACKAGE_FILES.signature);
  const pem = await readSmall(PACKAGE_FILES.signer);
  let cert: X509Certificate | null = null;
  let certDer: Buffer | null = null;
  if (!pem) fail('CERT_MISSING', 'signer.pem (the certificate of the manifest key) is missing', PACKAGE_FILES.signer);
  else {
    certDer = pemToDer(pem.toString('utf8'));
    try {
      if (!certDer) throw new Error('no PEM certificate');
      cert = new X509Certificate(certDer);
      if (cert.publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`its key is ${cert.publicKey.asymmetricKeyType}, not Ed25519`);
    } catch (e) {
      cert = null;
      fail('CERT_INVALID', `signer.pem is not a usable Ed25519 certificate: ${(e as Error).message}`, PACKAGE_FILES.signer);
    }
  }
  if (!sig) fail('SIGNATURE_MISSING', 'manifest.sig is missing, so the manifest is unsigned', PACKAGE_FILES.signature);
  else if (cert) {
    let ok: boolean;
    try {
      ok = sig.length === 64 && cryptoVerify(null, manifestBytes, cert.publicKey, sig);
    } catch {
      ok = false;
    }
    if (!ok) fail('SIGNATURE_INVALID', 'manifest.sig is not a valid signature of manifest.json by the key in signer.pem (manifest or signature changed)', PACKAGE_FILES.signature);
  }
  // The same signature in minisign's format, for readers who check with `minisign -V`.
  const minisig = await readSmall(PACKAGE_FILES.minisig);
  const minisignKey = await readSmall(PACKAGE_FILES.minisignKey);
  if (minisig && cert) {
    const problem = minisignProblem(manifestBytes, minisig, minisignKey, cert);
    if (problem) fail('MINISIGN_INVALID', problem, PACKAGE_FILES.minisig);
  }
  if (cert && certDer) {
    const fp = fingerprintOf(certDer);
    if (fp !== manifest.signer.fingerprint) {
      fail('SIGNER_MISMATCH', `signer.pem (fingerprint ${fp}) is not the certificate the manifest names (${manifest.signer.fingerprint})`, PACKAGE_FILES.signer);
    }
    // Who signed is what the certificate says; the manifest's copy must agree with it.
    const who = subjectOf(certDer);
    for (const field of ['name', 'org', 'email'] as const) {
      if (manifest.signer[field] !== who[field]) {
        fail('SIGNER_MISMATCH', `the manifest's signer ${field} "${String(manifest.signer[field])}" is not the certificate's "${who[field]}"`, PACKAGE_FILES.manifest);
      }
    }
    const now = Date.parse(manifest.createdAt);
    if (!Number.isNaN(now) && (now < Date.parse(cert.validFrom) - 86_400_000 || now > Date.parse(cert.validTo))) {
      result.notes.push(`the signer certificate was not valid at the package's creation time ${manifest.createdAt}`);
    }
    result.signer = { ...who, fingerprint: fp, trusted: null, pinnedBy: null };
  }
  return { cert, certDer };
}

/** 3. Every file the manifest names, and nothing else; `intact` holds those whose bytes are exactly as signed. */
async function checkNamedFiles(zip: yauzl.ZipFile, byName: Map<string, yauzl.Entry>, manifest: Manifest, fail: Fail): Promise<{ named: Map<string, ManifestFile>; intact: Set<string> }> {
  const named = new Map<string, ManifestFile>();
  for (const f of manifest.files) {
    if (typeof f?.name !== 'string' || isUnsafePath(f.name)) {
      fail('MANIFEST_INVALID', `the manifest names an unsafe file "${String(f?.name)}"`, PACKAGE_FILES.manifest);
      continue;
    }
    named.set(f.name, f);
  }
  for (const name of byName.keys()) {
    if (UNNAMED_FILES.includes(name) || COSIGNATURE_FILES.includes(name)) continue;
    if (!named.has(name)) fail('UNEXPECTED_FILE', `${name} is in the ZIP but not in the signed manifest`, name);
  }
  for (const name of REQUIRED_FILES) {
    if (!named.has(name)) fail('MISSING_FILE', `${name}, which every package holds, is not named in the signed manifest`, name);
  }
  if ((manifest.drift?.findings ?? 0) > 0 && !named.has(CHANGES_FILE))
    fail('CHANGES_MISMATCH', `the manifest counts ${manifest.drift.findings} drift finding(s) but names no changes.csv`, CHANGES_FILE);
  // Files whose bytes are exactly what the manifest records: only these are parsed.
  const intact = new Set<string>();
  for (const f of named.values()) {
    const e = byName.get(f.name);
    if (!e) {
      fail('MISSING_FILE', `${f.name} is named in the manifest but missing from the ZIP`, f.name);
      continue;
    }
    if (!Number.isSafeInteger(f.size) || f.size < 0) {
      fail('MANIFEST_INVALID', `the manifest records no usable size for ${f.name}`, PACKAGE_FILES.manifest);
      continue;
    }
    if (e.uncompressedSize !== f.size) {
      fail('SIZE_MISMATCH', `${f.name} has ${e.uncompressedSize} bytes by its ZIP header; the manifest says ${f.size} (not read)`, f.name);
      continue;
    }
    let got: { sha256: string; size: number };
    try {
      got = await digestEntry(zip, e, f.size);
    } catch (err) {
      if (err instanceof TooLarge) fail('SIZE_MISMATCH', `${f.name} is larger than the ${f.size} bytes the manifest says: ${err.message} (read no further)`, f.name);
      else fail('ENTRY_CORRUPT', `${f.name} cannot be read from the ZIP: ${(err as Error).message}`, f.name);
      continue;
    }
    if (got.size !== f.size) fail('SIZE_MISMATCH', `${f.name} has ${got.size} bytes; the manifest says ${f.size}`, f.name);
    if (got.sha256 !== f.sha256) fail('HASH_MISMATCH', `${f.name}'s SHA-256 is ${got.sha256}; the manifest says ${f.sha256}`, f.name);
    if (got.size === f.size && got.sha256 === f.sha256) intact.add(f.name);
  }
  return { named, intact };
}

/**
 * 4. The PDF's embedded signature, by a certificate bound to the manifest's (read only
 *    when its size is what the manifest says, and no further than that size).
 */
async function checkReportSignature(readSmall: ReadSmall, named: Map<string, ManifestFile>, byName: Map<string, yauzl.Entry>, manifest: Manifest, signer: Signer, fail: Fail): Promise<Buffer | null> {
  const { cert, certDer } = signer;
  let pdfCertDer: Buffer | null = null;
  const pdfEntry = named.get(PACKAGE_FILES.report);
  const pdfZipEntry = byName.get(PACKAGE_FILES.report);
  if (pdfEntry && pdfZipEntry && pdfZipEntry.uncompressedSize === pdfEntry.size) {
    const pdf = await readSmall(PACKAGE_FILES.report, pdfEntry.size);
    if (pdf) {
      const check = verifyPdfSignature(pdf);
      if (!check.ok) fail('PDF_SIGNATURE_INVALID', `report.pdf: ${check.reason}`, PACKAGE_FILES.report);
      if (check.certFingerprint && check.certFingerprint !== manifest.signer.pdfCertificateFingerprint) {
        fail(
          'PDF_SIGNER_MISMATCH',
          `report.pdf is signed by certificate ${check.certFingerprint}, not the one the manifest names (${manifest.signer.pdfCertificateFingerprint})`,
          PACKAGE_FILES.report,
        );
      }
      if (check.certDer && certDer && cert) {
        const problem = bindingProblem(certDer, check.certDer);
        if (problem) fail('PDF_SIGNER_MISMATCH', `report.pdf is signed by ${check.signer ?? 'an unnamed certificate'}, not bound to the manifest's signer: ${problem}`, PACKAGE_FILES.report);
        else pdfCertDer = check.certDer;
      }
    }
  }
  return pdfCertDer;
}

/** 5. Who vouches for the signer: a pin the reader passed, or one marked trusted in the app. */
function pinTheSigner(certDer: Buffer | null, pdfCertDer: Buffer | null, manifest: Manifest, opts: VerifyPackageOptions, result: PackageVerification, fail: Fail): void {
  if (result.signer && certDer) {
    const pin = pinSigner(certDer, pdfCertDer, manifest.createdAt ?? null, opts.trust, opts.trustedSigners ?? []);
    result.signer.trusted = pin.trusted;
    result.signer.pinnedBy = pin.pinnedBy;
    if (pin.trusted === false) fail('UNTRUSTED_SIGNER', pin.reason ?? 'the signer is not the one pinned', PACKAGE_FILES.signer);
  }
}

/** 6. CSV contents: header, row counts, Merkle roots; the chain from audit_events.csv. */
async function checkCsvFiles(read: {
  zip: yauzl.ZipFile;
  byName: Map<string, yauzl.Entry>;
  named: Map<string, ManifestFile>;
  intact: Set<string>;
  manifest: Manifest;
  cert: X509Certificate | null;
  readSmall: ReadSmall;
  opts: VerifyPackageOptions;
  result: PackageVerification;
  fail: Fail;
}): Promise<void> {
  const { zip, byName, named, intact, manifest, cert, readSmall, opts, result, fail } = read;
  const readRecords: CsvRecordReader = (f, restore) =>
    readCsvRows(Readable.from(boundedChunks(zip, byName.get(f.name)!, f.size)), { neutralised: restore.neutralised, neutralisedHeader: restore.neutralisedHeader, triggers: restore.triggers });
  for (const f of named.values()) {
    if (!f.name.endsWith('.csv') || !f.columns || !byName.has(f.name)) continue;
    if (!columnsProblem(f) && !intact.has(f.name)) {
      result.notes.push(`${f.name} was not parsed: its size or hash is already wrong`);
      continue;
    }
    const changeRows: (string | null)[][] | null = f.name === CHANGES_FILE ? [] : null;
    const contents = await checkCsvContents({ ...f, columns: f.columns }, manifest, readRecords, fail, changeRows ? (rec) => changeRows.push(rec) : undefined);
    if (!contents) continue;
    if (changeRows) checkChanges(changeRows, manifest, fail);
    const checker = contents.checker;
    if (checker) {
      // verification.json records the file's Merkle root with the chain (null in packages made before issue 19).
      result.chain = { ...checker.finish(), merkleRoot: contents.merkleRoot };
      await compareChain(result.chain, manifest, readSmall, fail, result);
      if (checker.leaves) await checkTlog(checker.leaves, manifest, cert, named, readSmall, fail, result, opts);
    }
  }
}

// The checked tree of each verified package, kept beside the JSON-friendly result (a
// million leaves do not belong in --json output or an API answer).
const tlogs = new WeakMap<PackageVerification, PackageTlog>();

/** The checked checkpoint and leaves of a package verified by verifyPackage, for --previous. */
export function packageTlog(result: PackageVerification): PackageTlog | null {
  return tlogs.get(result) ?? null;
}

/** checkpoint.cosig and cosigner.pem (docs/tlog-evidence.md#cosignatures), by the rules verify.html shares. */
async function checkCosignature(
  readSmall: (name: string) => Promise<Buffer | null>,
  checkpointIntact: boolean,
  result: PackageVerification,
  fail: (code: FailureCode, message: string, file?: string) => void,
): Promise<void> {
  const [cosig, pem] = await Promise.all([readSmall(PACKAGE_FILES.cosignature), readSmall(PACKAGE_FILES.cosigner)]);
  let cosigner: CosignerFacts | null = null;
  let cosignerProblem: string | null = null;
  if (pem) {
    try {
      const der = pemToDer(pem.toString('utf8'));
      if (!der) throw new Error('no PEM certificate');
      const cert = new X509Certificate(der);
      const publicKeyRaw = cert.publicKey.asymmetricKeyType === 'ed25519' ? rawEd25519PublicKey(cert.publicKey) : null;
      cosigner = { ...subjectOf(der), fingerprint: fingerprintOf(der), publicKeyRaw };
    } catch (e) {
      cosignerProblem = (e as Error).message;
    }
  }
  const note = checkpointIntact ? await readSmall(PACKAGE_FILES.checkpoint) : null;
  const outcome = await checkCosignatureFiles({
    cosig,
    cosigner,
    cosignerProblem,
    checkpointNote: note ? note.toString('utf8') : null,
    signerFingerprint: result.signer?.fingerprint ?? null,
    verifyEd25519: async (pub, message, signature) => {
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
      return cryptoVerify(null, message, key, signature);
    },
  });
  for (const f of outcome.failures) fail(f.code, f.message, f.file);
  result.cosignature = outcome.cosignature;
  if (outcome.cosignature) result.notes.push(cosignatureNote(outcome.cosignature));
}

/** Why the minisign signature does not stand for manifest.sig, or null when it does. */
function minisignProblem(manifestBytes: Buffer, minisig: Buffer, minisignKey: Buffer | null, cert: X509Certificate): string | null {
  if (!minisignKey) return 'manifest.json.minisig comes without manifest.minisign.pub';
  if (minisignKey.toString('utf8') !== minisignPublicKeyFile(cert.publicKey)) return 'manifest.minisign.pub is not the key of signer.pem';
  const check = checkMinisign(manifestBytes, minisig.toString('utf8'), minisignKey.toString('utf8'));
  return check.ok ? null : `manifest.json.minisig: ${check.reason}`;
}

/** The signed chain checkpoint against the recomputed tree, then the previous package, if one is given. */
async function checkTlog(
  leaves: ChainLeafCollector,
  manifest: Manifest,
  cert: X509Certificate | null,
  named: Map<string, ManifestFile>,
  readSmall: (name: string) => Promise<Buffer | null>,
  fail: (code: FailureCode, message: string, file?: string) => void,
  result: PackageVerification,
  opts: VerifyPackageOptions,
): Promise<void> {
  if (!named.has(PACKAGE_FILES.checkpoint)) {
    result.notes.push('the package carries no signed chain checkpoint (made before AuditDesk wrote them): no tlog evidence to check');
    if (opts.previous) fail('PREVIOUS_INVALID', 'without a signed chain checkpoint, this package cannot be compared with a previous one', PACKAGE_FILES.checkpoint);
    return;
  }
  const [note, vkey] = await Promise.all([readSmall(PACKAGE_FILES.checkpoint), readSmall(PACKAGE_FILES.vkey)]);
  const checked = checkPackageCheckpoint({
    note: note?.toString('utf8') ?? null,
    vkey: vkey?.toString('utf8') ?? null,
    signerPublicKeyRaw: cert ? rawEd25519PublicKey(cert.publicKey) : null,
    leaves,
    origin: chainOrigin(manifest.source?.fingerprint ?? null, manifest.query.tenant, manifest.chain.table ?? ''),
  });
  for (const f of checked.failures) fail(f.code, f.message, f.file);
  if (checked.tlog) {
    tlogs.set(result, checked.tlog);
    result.checkpoint = { origin: checked.tlog.head.origin, size: checked.tlog.head.size.toString(), root: checked.tlog.head.root.toString('base64') };
  }
  if (!opts.previous || !checked.tlog) return;
  const earlier = await verifyPackage(opts.previous, { trust: opts.trust, trustedSigners: opts.trustedSigners });
  const previous = { packageId: earlier.packageId, verdict: earlier.verdict, tlog: packageTlog(earlier) };
  const consistency = named.has(PACKAGE_FILES.consistency) ? ((await readSmall(PACKAGE_FILES.consistency))?.toString('utf8') ?? null) : null;
  const problems = checkAgainstPrevious({ previous, current: checked.tlog, consistency });
  for (const f of problems) fail(f.code, f.message, f.file);
  result.previous = { packageId: previous.packageId, extends: problems.length === 0 };
}

/** changes.csv (issue 19): as many rows as the manifest's drift count, each digest that of the values beside it. */
function checkChanges(rows: (string | null)[][], manifest: Manifest, fail: (code: FailureCode, message: string, file?: string) => void): void {
  const drift = manifest.drift;
  if (!drift) {
    fail('CHANGES_MISMATCH', 'changes.csv is in the package but the manifest records no drift', CHANGES_FILE);
    return;
  }
  if (rows.length !== drift.findings) fail('CHANGES_MISMATCH', `changes.csv holds ${rows.length} findings; the manifest's drift count is ${drift.findings}`, CHANGES_FILE);
  for (const p of changesProblems(rows, drift.columns ?? {})) fail('CHANGES_MISMATCH', p, CHANGES_FILE);
}

async function compareChain(
  chain: IntegrityEntry,
  manifest: Manifest,
  readSmall: (name: string) => Promise<Buffer | null>,
  fail: (code: FailureCode, message: string, file?: string) => void,
  result: PackageVerification,
): Promise<void> {
  const m = manifest.chain;
  const nBreaks = chain.breaks.length + chain.breaksOmitted;
  if (m.lastSeq !== chain.lastSeq || m.headHash !== chain.headHash || m.rows !== chain.rows) {
    fail('CHAIN_MISMATCH', `audit_events.csv ends at seq ${chain.lastSeq ?? '-'} (${chain.rows} rows); the manifest records head seq ${m.lastSeq ?? '-'} (${m.rows} rows)`, PACKAGE_FILES.events);
  }
  if (m.intact !== chain.intact || m.breaks !== nBreaks) {
    fail('CHAIN_MISMATCH', `the chain recomputed from audit_events.csv has ${nBreaks} break(s); the manifest records ${m.breaks}`, PACKAGE_FILES.events);
  }
  const vBytes = await readSmall(PACKAGE_FILES.verification);
  if (!vBytes) {
    if (manifest.files.some((f) => f.name === PACKAGE_FILES.verification)) return; // already reported as missing
    fail('VERIFICATION_MISSING', 'verification.json is missing', PACKAGE_FILES.verification);
    return;
  }
  try {
    const report = JSON.parse(vBytes.toString('utf8')) as VerificationFile;
    const found = report.tenants.find((t) => t.tenant === chain.tenant);
    const recorded = found && recordedEntry(found, chain);
    if (!recorded || !sameEntry(recorded, chain)) {
      fail('CHAIN_MISMATCH', 'verification.json does not describe the chain found in audit_events.csv', PACKAGE_FILES.verification);
    }
  } catch (e) {
    fail('CHAIN_MISMATCH', `verification.json cannot be read: ${(e as Error).message}`, PACKAGE_FILES.verification);
  }
  if (!chain.intact) {
    result.notes.push(`the exported audit trail itself has ${nBreaks} hash-chain break(s), recorded in verification.json and report.pdf (a finding about the source data, not about this package)`);
  }
}
