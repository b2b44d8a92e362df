// The checks of `auditdesk verify-package`, run in the reader's browser on the ZIP
// (or the unpacked folder) they picked: manifest signature (Ed25519, WebCrypto), every
// file's size and SHA-256, missing and unexpected files, CSV headers, row counts and
// Merkle roots, and the hash chain recomputed from audit_events.csv by the same engine
// the CLI uses (bundled), and report.pdf's embedded CMS signature with its binding to the
// manifest's signer (pdf-signature.ts). Failure codes are verify-package's
// (docs/package-format.md); so is the order in which a file is refused unread.
import { CsvRecordParser, restoreCell } from '../../src-main/core/util/csv.js';
import { checkCsvContents, type CsvRecordReader } from '../../src-main/core/export/csv-contents.js';
import { recordedEntry, sameEntry, type IntegrityEntry } from '../../src-main/core/export/integrity.js';
import { PACKAGE_FORMAT, type Manifest, type ManifestFile } from '../../src-main/core/export/manifest.js';
import { COSIGNATURE_FILES, PACKAGE_FILES, REQUIRED_FILES, UNNAMED_FILES } from '../../src-main/core/export/package-files.js';
import { checkCosignatureFiles, cosignatureNote, type Cosignature, type CosignerFacts } from '../../src-main/core/export/cosignature-check.js';
import { bindingProblem, checkPdfSignature } from './pdf-signature.js';
import { checkReviewFiles } from '../../src-main/core/review/package-files.js';
import { PAGE_REVIEW_CRYPTO } from './review-crypto.js';
import { LargerThanLimit, type PackageSource, type PageFailure } from './package-source.js';
export type { PackageSource, PageFailure } from './package-source.js';
import { checkPackageCheckpoint } from '../../src-main/core/export/package-checkpoint.js';
import { parseNote, type Ed25519Check } from '../../src-main/core/chain/signed-note.js';
import { chainOrigin } from '../../src-main/core/chain/tlog-checkpoint.js';
import type { ChainLeafCollector } from '../../src-main/core/chain/chain-leaves.js';
import { pemToDer, readCertificate } from './x509.js';

export type PageVerdict = 'valid' | 'unpinned' | 'invalid';

export interface PageResult {
  verdict: PageVerdict;
  failures: PageFailure[];
  notes: string[];
  signer: { name: string; org: string; email: string; fingerprint: string; pinned: boolean } | null;
  packageId: string | null;
  createdAt: string | null;
  chain: IntegrityEntry | null;
  files: { name: string; size: number; sha256: string; ok: boolean }[];
  cosignature: Cosignature | null;
}

/** Where the package's bytes come from: a ZIP read in the page, or a folder the reader picked. */

const MAX_SMALL = 64 << 20;
const dec = new TextDecoder('utf-8');
const hex = (b: ArrayBuffer | Uint8Array) => Array.from(b instanceof Uint8Array ? b : new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', data));
}

function normaliseFingerprint(s: string): string | null {
  const h = s.trim().replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(h) ? h : null;
}

export async function checkPackage(src: PackageSource, pin: string | null): Promise<PageResult> {
  const result: PageResult = { verdict: 'invalid', failures: [...src.problems], notes: [], signer: null, packageId: null, createdAt: null, chain: null, files: [], cosignature: null };
  const fail = (code: string, message: string, file?: string) => result.failures.push(file ? { code, file, message } : { code, message });
  // As verify-package: an archive that cannot be read to its end is not looked into.
  if (src.problems.some((p) => p.code === 'ZIP_UNREADABLE')) return finish(result);
  const present = new Set(src.names);
  const readSmall = async (name: string) => {
    if (!present.has(name)) return null;
    try {
      return await src.read(name, MAX_SMALL);
    } catch (e) {
      fail('ENTRY_CORRUPT', `${name} cannot be read: ${(e as Error).message}`, name);
      return null;
    }
  };

  // 1. The manifest, its signature and its signer.
  const manifestBytes = await readSmall(PACKAGE_FILES.manifest);
  if (!manifestBytes) {
    fail('MANIFEST_MISSING', 'manifest.json is missing, so no file of the package can be trusted', PACKAGE_FILES.manifest);
    return finish(result);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(dec.decode(manifestBytes)) as Manifest;
    if (manifest.format !== PACKAGE_FORMAT || !Array.isArray(manifest.files) || !manifest.signer?.fingerprint) throw new Error(`not a ${PACKAGE_FORMAT} manifest`);
  } catch (e) {
    fail('MANIFEST_INVALID', `manifest.json is not a valid package manifest: ${(e as Error).message}`, PACKAGE_FILES.manifest);
    return finish(result);
  }
  result.packageId = typeof manifest.packageId === 'string' ? manifest.packageId : null;
  result.createdAt = typeof manifest.createdAt === 'string' ? manifest.createdAt : null;

  const sig = await readSmall(PACKAGE_FILES.signature);
  const pem = await readSmall(PACKAGE_FILES.signer);
  let certDer: Uint8Array<ArrayBuffer> | null = null;
  let key: CryptoKey | null = null;
  let facts: ReturnType<typeof readCertificate> | null = null;
  if (!pem) fail('CERT_MISSING', 'signer.pem (the certificate of the manifest key) is missing', PACKAGE_FILES.signer);
  else {
    try {
      certDer = pemToDer(dec.decode(pem));
      if (!certDer) throw new Error('no PEM certificate');
      facts = readCertificate(certDer);
      key = await crypto.subtle.importKey('spki', facts.spki, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      key = null;
      fail('CERT_INVALID', `signer.pem is not a usable Ed25519 certificate: ${(e as Error).message}`, PACKAGE_FILES.signer);
    }
  }
  if (!sig) fail('SIGNATURE_MISSING', 'manifest.sig is missing, so the manifest is unsigned', PACKAGE_FILES.signature);
  else if (key) {
    const ok = sig.length === 64 && (await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, manifestBytes).catch(() => false));
    if (!ok) fail('SIGNATURE_INVALID', 'manifest.sig is not a valid signature of manifest.json by the key in signer.pem (manifest or signature changed)', PACKAGE_FILES.signature);
  }
  if (certDer && facts && key) {
    const fp = await sha256(certDer);
    if (fp !== manifest.signer.fingerprint) fail('SIGNER_MISMATCH', `signer.pem (fingerprint ${fp}) is not the certificate the manifest names (${manifest.signer.fingerprint})`, PACKAGE_FILES.signer);
    const s = manifest.signer;
    if (s.name !== facts.subject.name || s.org !== facts.subject.org || s.email !== facts.subject.email) {
      fail('SIGNER_MISMATCH', "the signer's name, organisation or email in the manifest differ from the certificate's", PACKAGE_FILES.manifest);
    }
    const pinned = pin ? normaliseFingerprint(pin) : null;
    if (pin && !pinned) fail('UNTRUSTED_SIGNER', 'the expected fingerprint you entered is not 64 hex digits');
    else if (pinned && pinned !== fp) fail('UNTRUSTED_SIGNER', `the package is signed by ${fp}, not by the fingerprint you expected`, PACKAGE_FILES.signer);
    // Names printed come from the certificate, never from manifest text.
    result.signer = { ...facts.subject, fingerprint: fp, pinned: pinned === fp };
  }

  // 2. Every file the manifest names, and nothing else.
  const named = new Map<string, ManifestFile>();
  for (const f of manifest.files) {
    if (typeof f?.name !== 'string') continue;
    named.set(f.name, f);
  }
  for (const name of present) {
    if (UNNAMED_FILES.includes(name) || COSIGNATURE_FILES.includes(name)) continue;
    if (!named.has(name)) fail('UNEXPECTED_FILE', `${name} is in the package but not in the signed manifest`, name);
  }
  for (const name of REQUIRED_FILES) {
    if (!named.has(name)) fail('MISSING_FILE', `${name}, which every package holds, is not named in the signed manifest`, name);
  }
  const bytesOf = new Map<string, Uint8Array<ArrayBuffer>>();
  /** every named file read at its signed size, whatever its hash (verify-package reads these too) */
  const readOf = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const f of named.values()) {
    if (!present.has(f.name)) {
      fail('MISSING_FILE', `${f.name} is named in the manifest but missing from the package`, f.name);
      continue;
    }
    let data: Uint8Array<ArrayBuffer> | null;
    try {
      // Read no further than the signed size (one byte more shows that it is longer).
      data = await src.read(f.name, Number.isSafeInteger(f.size) && f.size >= 0 ? f.size + 1 : MAX_SMALL);
    } catch (e) {
      if (e instanceof LargerThanLimit) fail('SIZE_MISMATCH', `${f.name}: ${e.message}`, f.name);
      else fail('ENTRY_CORRUPT', `${f.name} cannot be read: ${(e as Error).message}`, f.name);
      continue;
    }
    if (!data) continue;
    const digest = await sha256(data);
    const ok = data.length === f.size && digest === f.sha256;
    // A file of another size is refused unread, as verify-package does: its hash is not compared.
    if (data.length !== f.size) fail('SIZE_MISMATCH', `${f.name} has ${data.length > f.size ? 'more than ' + f.size : data.length} bytes; the manifest says ${f.size}`, f.name);
    else if (digest !== f.sha256) fail('HASH_MISMATCH', `${f.name}'s SHA-256 is ${digest}; the manifest says ${f.sha256}`, f.name);
    result.files.push({ name: f.name, size: data.length, sha256: digest, ok });
    if (data.length === f.size) readOf.set(f.name, data);
    if (ok) bytesOf.set(f.name, data);
  }

  await checkCosignature(readSmall, bytesOf.get(PACKAGE_FILES.checkpoint) ?? null, result, fail);
  // The reviewer journal and signed decisions, read even when altered so the entry is named (as verify-package does).
  await checkReviewFiles(
    async (name) => {
      if (!named.has(name)) return null;
      const data = readOf.get(name) ?? (await readSmall(name));
      return data ? Buffer.from(data) : null;
    },
    fail,
    result.notes,
    PAGE_REVIEW_CRYPTO,
  );

  // The PDF's embedded signature, by a certificate bound to the manifest's signer.
  const pdf = readOf.get(PACKAGE_FILES.report);
  if (pdf) {
    const check = await checkPdfSignature(pdf);
    if (!check.ok) fail('PDF_SIGNATURE_INVALID', `report.pdf: ${check.reason}`, PACKAGE_FILES.report);
    if (check.certFingerprint && check.certFingerprint !== manifest.signer.pdfCertificateFingerprint) {
      fail('PDF_SIGNER_MISMATCH', `report.pdf is signed by certificate ${check.certFingerprint}, not the one the manifest names (${manifest.signer.pdfCertificateFingerprint})`, PACKAGE_FILES.report);
    }
    if (check.cert && facts && key) {
      const problem = await bindingProblem(facts, check.cert.facts);
      if (problem)
        fail('PDF_SIGNER_MISMATCH', `report.pdf is signed by ${check.cert.facts.subject.name || 'an unnamed certificate'}, not bound to the manifest's signer: ${problem}`, PACKAGE_FILES.report);
    }
  }

  // 3. CSV contents and the chain, only for files whose bytes are the signed ones (the
  //    same function as verify-package's; here the rows are parsed from bytes already read).
  const readRecords: CsvRecordReader = function* (f, restore) {
    const parser = new CsvRecordParser();
    let header = true;
    for (const rec of parser.push(dec.decode(bytesOf.get(f.name)!), true)) {
      if (header) {
        header = false;
        yield restore.neutralisedHeader ? rec.map((v) => (v === null ? v : restoreCell(v, restore.triggers))) : rec;
        continue;
      }
      const mask = restore.neutralised;
      yield mask ? rec.map((v, i) => (v !== null && mask[i] ? restoreCell(v, restore.triggers) : v)) : rec;
    }
  };
  for (const f of named.values()) {
    if (!f.name.endsWith('.csv') || !f.columns || !bytesOf.has(f.name)) continue;
    const contents = await checkCsvContents({ ...f, columns: f.columns }, manifest, readRecords, fail);
    if (contents?.checker) {
      // verification.json records the file's Merkle root with the chain (issue 19).
      result.chain = { ...contents.checker.finish(), merkleRoot: contents.merkleRoot };
      if (contents.checker.leaves && named.has(PACKAGE_FILES.checkpoint)) {
        const spki = facts?.spki;
        const signerRaw = key && spki && spki.length === 44 && hex(spki.subarray(0, 12)) === ED25519_SPKI_PREFIX ? Buffer.from(spki.slice(12)) : null;
        await checkCheckpoint(contents.checker.leaves, manifest, signerRaw, readSmall, fail);
      }
      // verification.json is compared whatever its hash, as verify-package does (an altered one is named twice).
      compareChain(result, manifest, readOf.get(PACKAGE_FILES.verification) ?? (await readSmall(PACKAGE_FILES.verification)), fail);
    }
  }
  return finish(result);
}

/** A ed25519 SubjectPublicKeyInfo: this fixed prefix, then the 32-byte key (RFC 8410). */
const ED25519_SPKI_PREFIX = '302a300506032b6570032100';

/**
 * checkpoint.note against the tree recomputed from audit_events.csv, by verify-package's
 * rules (chain-evidence.ts); the note's Ed25519 signatures are checked first with
 * WebCrypto and handed to those rules as results.
 */
async function checkCheckpoint(
  leaves: ChainLeafCollector,
  manifest: Manifest,
  signerRaw: Buffer | null,
  readSmall: (name: string) => Promise<Uint8Array<ArrayBuffer> | null>,
  fail: (code: string, message: string, file?: string) => void,
): Promise<void> {
  const [note, vkey] = [await readSmall(PACKAGE_FILES.checkpoint), await readSmall(PACKAGE_FILES.vkey)];
  const noteText = note ? dec.decode(note) : null;
  const checked = checkPackageCheckpoint({
    note: noteText,
    vkey: vkey ? dec.decode(vkey) : null,
    signerPublicKeyRaw: signerRaw,
    leaves,
    origin: chainOrigin(manifest.source?.fingerprint ?? null, manifest.query.tenant, manifest.chain.table ?? ''),
    ed25519: noteText && signerRaw ? await precomputedEd25519(noteText, signerRaw) : undefined,
  });
  for (const f of checked.failures) fail(f.code, f.message, f.file);
}

/** The note's signatures by `publicKeyRaw`, verified with WebCrypto now and answered from these results when the note rules ask. */
async function precomputedEd25519(note: string, publicKeyRaw: Uint8Array): Promise<Ed25519Check> {
  const ok = new Set<string>();
  let parsed: ReturnType<typeof parseNote> | null = null;
  try {
    parsed = parseNote(note);
  } catch {
    parsed = null; // the rules name what is wrong with it
  }
  const key = await crypto.subtle.importKey('raw', new Uint8Array(publicKeyRaw), { name: 'Ed25519' }, false, ['verify']).catch(() => null);
  for (const s of parsed && key ? parsed.signatures : []) {
    if (s.signature.length !== 64) continue;
    if (await crypto.subtle.verify({ name: 'Ed25519' }, key!, new Uint8Array(s.signature), new TextEncoder().encode(parsed!.text)).catch(() => false)) ok.add(hex(s.signature));
  }
  const pubHex = hex(publicKeyRaw);
  return (pub, message, signature) => hex(pub) === pubHex && dec.decode(message) === parsed?.text && ok.has(hex(signature));
}

/** checkpoint.cosig and cosigner.pem, by the rules verify-package uses (cosignature-check.ts), checked with WebCrypto. */
async function checkCosignature(
  readSmall: (name: string) => Promise<Uint8Array<ArrayBuffer> | null>,
  checkpoint: Uint8Array<ArrayBuffer> | null,
  result: PageResult,
  fail: (code: string, message: string, file?: string) => void,
): Promise<void> {
  const [cosig, pem] = [await readSmall(PACKAGE_FILES.cosignature), await readSmall(PACKAGE_FILES.cosigner)];
  let cosigner: CosignerFacts | null = null;
  let cosignerProblem: string | null = null;
  if (pem) {
    try {
      const der = pemToDer(dec.decode(pem));
      if (!der) throw new Error('no PEM certificate');
      const facts = readCertificate(der);
      const spki = facts.spki;
      const publicKeyRaw = spki.length === 44 && hex(spki.subarray(0, 12)) === ED25519_SPKI_PREFIX ? spki.slice(12) : null;
      cosigner = { ...facts.subject, fingerprint: await sha256(der), publicKeyRaw };
    } catch (e) {
      cosignerProblem = (e as Error).message;
    }
  }
  const outcome = await checkCosignatureFiles({
    cosig,
    cosigner,
    cosignerProblem,
    checkpointNote: checkpoint ? dec.decode(checkpoint) : null,
    signerFingerprint: result.signer?.fingerprint ?? null,
    verifyEd25519: async (pub, message, signature) => {
      const key = await crypto.subtle.importKey('raw', new Uint8Array(pub), { name: 'Ed25519' }, false, ['verify']);
      return crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message)).catch(() => false);
    },
  });
  for (const f of outcome.failures) fail(f.code, f.message, f.file);
  result.cosignature = outcome.cosignature;
  if (outcome.cosignature) result.notes.push(cosignatureNote(outcome.cosignature));
}

function compareChain(result: PageResult, manifest: Manifest, verification: Uint8Array<ArrayBuffer> | null, fail: (code: string, message: string, file?: string) => void): void {
  const chain = result.chain!;
  const m = manifest.chain;
  const nBreaks = chain.breaks.length + chain.breaksOmitted;
  if (m.lastSeq !== chain.lastSeq || m.headHash !== chain.headHash || m.rows !== chain.rows) {
    fail('CHAIN_MISMATCH', `audit_events.csv ends at seq ${chain.lastSeq ?? '-'} (${chain.rows} rows); the manifest records head seq ${m.lastSeq ?? '-'} (${m.rows} rows)`, PACKAGE_FILES.events);
  }
  if (m.intact !== chain.intact || m.breaks !== nBreaks) {
    fail('CHAIN_MISMATCH', `the chain recomputed from audit_events.csv has ${nBreaks} break(s); the manifest records ${m.breaks}`, PACKAGE_FILES.events);
  }
  if (!verification) {
    if (manifest.files.some((f) => f.name === PACKAGE_FILES.verification)) return; // already reported as missing
    fail('VERIFICATION_MISSING', 'verification.json is missing', PACKAGE_FILES.verification);
    return;
  }
  try {
    const report = JSON.parse(dec.decode(verification)) as { tenants: IntegrityEntry[] };
    const found = report.tenants.find((t) => t.tenant === chain.tenant);
    const recorded = found && recordedEntry(found, chain);
    if (!recorded || !sameEntry(recorded, chain)) fail('CHAIN_MISMATCH', 'verification.json does not describe the chain found in audit_events.csv', PACKAGE_FILES.verification);
  } catch (e) {
    fail('CHAIN_MISMATCH', `verification.json cannot be read: ${(e as Error).message}`, PACKAGE_FILES.verification);
  }
  if (!chain.intact) result.notes.push(`the exported audit trail itself has ${nBreaks} hash-chain break(s) (a finding about the source data, not about this package)`);
}

function finish(r: PageResult): PageResult {
  r.verdict = r.failures.length ? 'invalid' : r.signer?.pinned ? 'valid' : 'unpinned';
  return r;
}
