// The auditor's signing identity: one password-protected PKCS#12 file holding
//  - an Ed25519 key + X.509 certificate that signs manifest.json (the package signature), and
//  - an RSA-2048 key + certificate for the PDF's embedded CMS signature, because
//    PDF tooling (and @signpdf's signers, built on node-forge) only do RSA.
// Both certificates carry the same subject, and the RSA certificate issues the
// Ed25519 one: that issuance binds the two keys to one identity, so a verifier can
// tell a genuine PDF lifted into someone else's package (issue 11). The Ed25519
// certificate's SHA-256 fingerprint is THE identity fingerprint; the manifest also
// names the RSA certificate's fingerprint.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { buildP12, readP12, P12PasswordError } from './p12.js';
import { certMatchesKey, certPem, fingerprintOf, makeEd25519Certificate, makeRsaIdentity, forgeCertificate, rsaIssuer, subjectOf, type Subject } from './certs.js';

// The contract owns the shape (the renderer reads it as a type only).
export type { IdentityInfo } from '../contract/export.js';
import type { IdentityInfo } from '../contract/export.js';

export interface LoadedIdentity {
  info: IdentityInfo;
  signingKey: KeyObject;
  signingCertDer: Buffer;
  pdfKey: forge.pki.rsa.PrivateKey;
  pdfCert: forge.pki.Certificate;
  pdfCertDer: Buffer;
  /** Further certificates from the p12 (an organisation's CA chain), embedded in the PDF signature. */
  chain: forge.pki.Certificate[];
}

export interface CreateIdentityOptions extends Subject {
  password: string;
  out: string;
  /** Validity in days from now (default 3 years). */
  days?: number;
  now?: Date;
}

const FRIENDLY_MANIFEST = 'auditdesk manifest (Ed25519)';
const FRIENDLY_PDF = 'auditdesk pdf (RSA)';

function checkPassword(password: string): void {
  if (password.length < 8) {
    throw new UserError('the identity password must have at least 8 characters.', 'E_PASSWORD', 'Choose a longer password.');
  }
}

function validSubject(s: Subject): void {
  for (const [k, v] of Object.entries(s)) {
    if (!v || !v.trim()) throw new UserError(`identity ${k} is empty.`, 'E_INPUT', `Pass --${k}.`);
    if (v.length > 200) throw new UserError(`identity ${k} is longer than 200 characters.`, 'E_INPUT');
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f-\u009f]/.exec(v);
    if (control) {
      throw new UserError(
        `identity ${k} contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}).`,
        'E_INPUT',
        `Type --${k} as plain text on one line.`,
      );
    }
  }
  if (!/^[^@\s]+@[^@\s]+$/.test(s.email)) throw new UserError(`"${s.email}" is not an email address.`, 'E_INPUT', 'Pass --email name@example.org.');
  // The certificate's emailAddress is an IA5String: ASCII only.
  if (/[^\x21-\x7e]/.test(s.email)) {
    throw new UserError(
      `email address "${s.email}" has characters beyond ASCII, which a certificate's email field cannot hold.`,
      'E_INPUT',
      'Pass the ASCII form of the address (an IDN domain in its xn-- form).',
    );
  }
}

/** Creates a new self-signed identity and writes it as a PKCS#12 file (temp + rename). */
export function createIdentity(opts: CreateIdentityOptions): IdentityInfo {
  const subject = { name: opts.name.trim(), org: opts.org.trim(), email: opts.email.trim() };
  validSubject(subject);
  checkPassword(opts.password);
  if (existsSync(opts.out)) {
    throw new UserError(`${opts.out} already exists.`, 'E_EXISTS', 'Choose another --out path; identities are never overwritten.');
  }
  const now = opts.now ?? new Date();
  const validity = { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + (opts.days ?? 1095) * 86_400_000) };
  const rsa = makeRsaIdentity(subject, validity);
  const ed = generateKeyPairSync('ed25519');
  const rsaKey = createPrivateKey({ key: rsa.keyPkcs8Der, format: 'der', type: 'pkcs8' });
  const edCertDer = makeEd25519Certificate(subject, ed.publicKey, validity, rsaIssuer(rsa.certDer, rsaKey));
  const p12 = buildP12(
    [
      { pkcs8Der: ed.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer, certDer: edCertDer, friendlyName: FRIENDLY_MANIFEST },
      { pkcs8Der: rsa.keyPkcs8Der, certDer: rsa.certDer, friendlyName: FRIENDLY_PDF },
    ],
    opts.password,
  );
  writeFileAtomic(opts.out, p12, 0o600);
  return describe(edCertDer, rsa.certDer);
}

function describe(edCertDer: Buffer, rsaCertDer: Buffer): IdentityInfo {
  const x = new X509Certificate(edCertDer);
  const rsa = new X509Certificate(rsaCertDer);
  const s = subjectOf(edCertDer);
  return {
    ...s,
    fingerprint: fingerprintOf(edCertDer),
    pdfFingerprint: fingerprintOf(rsaCertDer),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    // No organisation involved: the RSA certificate is its own issuer and no CA (an
    // organisation's is issued by its CA, or is one). An identity made before the two
    // keys were bound has a self-signed Ed25519 certificate.
    selfSigned: x.verify(x.publicKey) || (rsa.verify(rsa.publicKey) && !rsa.ca),
  };
}

function readIdentityFile(file: string, password: string) {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read identity ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, 'E_IDENTITY', 'Check the --identity path.');
  }
  try {
    return readP12(data, password);
  } catch (e) {
    if (e instanceof P12PasswordError) {
      throw new UserError(`wrong password for identity ${file}.`, 'E_PASSWORD', 'Set AUDITDESK_P12_PASSWORD or pipe it with --password-stdin.');
    }
    throw new UserError(`identity ${file} is ${(e as Error).message}.`, 'E_IDENTITY', 'Pass a PKCS#12 (.p12) file made by `auditdesk identity create` or issued by your organisation.');
  }
}

interface Pair {
  key: KeyObject;
  certDer: Buffer;
}

/** Pairs each key with its certificate: by localKeyId first, else by public key. */
function pairKeys(contents: ReturnType<typeof readP12>): { ed?: Pair; rsa?: Pair; others: Buffer[]; unsupported: string[] } {
  const used = new Set<Buffer>();
  let ed: Pair | undefined;
  let rsa: Pair | undefined;
  const unsupported: string[] = [];
  for (const k of contents.keys) {
    const key = createPrivateKey({ key: k.pkcs8Der, format: 'der', type: 'pkcs8' });
    const cert = contents.certs.find((c) => k.localKeyId && c.localKeyId === k.localKeyId && certMatchesKey(c.der, key)) ?? contents.certs.find((c) => certMatchesKey(c.der, key));
    if (!cert) continue;
    used.add(cert.der);
    if (key.asymmetricKeyType === 'ed25519' && !ed) ed = { key, certDer: cert.der };
    else if (key.asymmetricKeyType === 'rsa' && !rsa) rsa = { key, certDer: cert.der };
    else unsupported.push(key.asymmetricKeyType ?? 'unknown');
  }
  const others = contents.certs.filter((c) => !used.has(c.der)).map((c) => c.der);
  return { ed, rsa, others, unsupported };
}

/** Opens an identity for signing. */
export function loadIdentity(file: string, password: string): LoadedIdentity {
  const { ed, rsa, others } = pairKeys(readIdentityFile(file, password));
  if (!ed || !rsa) {
    throw new UserError(
      `identity ${file} lacks ${!ed ? 'an Ed25519' : 'an RSA'} key with its certificate.`,
      'E_IDENTITY',
      'Create one with `auditdesk identity create`, or bring an organisation p12 in with `auditdesk identity import`.',
    );
  }
  const toForge = forgeCertificate;
  const pdfKey = forge.pki.privateKeyFromPem(rsa.key.export({ type: 'pkcs8', format: 'pem' }) as string) as forge.pki.rsa.PrivateKey;
  const chain: forge.pki.Certificate[] = [];
  for (const der of others) {
    try {
      chain.push(toForge(der));
    } catch {
      // forge reads RSA certificates only; other chain members stay out of the PDF signature.
    }
  }
  return {
    info: describe(ed.certDer, rsa.certDer),
    signingKey: ed.key,
    signingCertDer: ed.certDer,
    pdfKey,
    pdfCert: toForge(rsa.certDer),
    pdfCertDer: rsa.certDer,
    chain,
  };
}

export interface ImportIdentityOptions {
  /** Password of the organisation's p12. */
  password: string;
  /** Where the AuditDesk identity is written. */
  out: string;
  /** Password for the written identity (default: the same). */
  newPassword?: string;
  now?: Date;
}

/**
 * Brings an organisation-issued p12 in. Its RSA key and certificate (and chain) sign
 * the PDF. When it has no Ed25519 key, a new one is generated and its certificate is
 * issued BY the organisation certificate, so the manifest key chains to the same
 * organisation identity. The original file is never changed.
 */
export function importIdentity(file: string, opts: ImportIdentityOptions): IdentityInfo {
  const { ed, rsa, others, unsupported } = pairKeys(readIdentityFile(file, opts.password));
  if (!rsa) {
    const what = unsupported.length ? `only ${unsupported.join(', ')} keys` : 'no RSA key with a matching certificate';
    throw new UserError(`${file} has ${what}; the PDF signature needs an RSA key.`, 'E_IDENTITY', 'Ask your PKI team for an RSA signing certificate, or create one with `auditdesk identity create`.');
  }
  const password = opts.newPassword ?? opts.password;
  checkPassword(password);
  if (existsSync(opts.out)) throw new UserError(`${opts.out} already exists.`, 'E_EXISTS', 'Choose another output path.');
  let edPair = ed;
  if (!edPair) {
    const subject = subjectOf(rsa.certDer);
    const x = new X509Certificate(rsa.certDer);
    const now = opts.now ?? new Date();
    const validity = { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(Math.max(now.getTime() + 86_400_000, Date.parse(x.validTo))) };
    const pair = generateKeyPairSync('ed25519');
    const certDer = makeEd25519Certificate(
      { name: subject.name || 'AuditDesk auditor', org: subject.org || '-', email: subject.email || 'unknown@invalid' },
      pair.publicKey,
      validity,
      rsaIssuer(rsa.certDer, rsa.key),
    );
    edPair = { key: pair.privateKey, certDer };
  }
  const p12 = buildP12(
    [
      { pkcs8Der: edPair.key.export({ type: 'pkcs8', format: 'der' }) as Buffer, certDer: edPair.certDer, friendlyName: FRIENDLY_MANIFEST },
      { pkcs8Der: rsa.key.export({ type: 'pkcs8', format: 'der' }) as Buffer, certDer: rsa.certDer, friendlyName: FRIENDLY_PDF },
    ],
    password,
    others,
  );
  writeFileAtomic(opts.out, p12, 0o600);
  return describe(edPair.certDer, rsa.certDer);
}

/** Identities kept in the app's data folder (`<dataDir>/identities/*.p12`), each with a `.pem` of its manifest certificate. */
export function listIdentities(dir: string): (IdentityInfo & { file: string })[] {
  if (!existsSync(dir)) return [];
  const out: (IdentityInfo & { file: string })[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, f), 'utf8')) as IdentityInfo & { file: string };
      out.push(meta);
    } catch {
      // a half-written or foreign file is not an identity
    }
  }
  return out;
}

/** Writes the sidecar that lets the app list an identity without its password. */
export function recordIdentity(dir: string, p12File: string, info: IdentityInfo): void {
  writeFileAtomic(join(dir, `${info.fingerprint}.json`), `${JSON.stringify({ ...info, file: p12File }, null, 2)}\n`, 0o600);
}

/** The p12 password from AUDITDESK_P12_PASSWORD or the given stdin text; never from a flag value. */
export function passwordFrom(env: NodeJS.ProcessEnv, stdinText?: string): string {
  const p = stdinText ?? env.AUDITDESK_P12_PASSWORD;
  if (p === undefined || p === '') {
    throw new UserError('no identity password given.', 'E_PASSWORD', 'Set AUDITDESK_P12_PASSWORD or pipe it with --password-stdin.');
  }
  return p;
}

export { certPem, fingerprintOf };
