// Who signed a package, and whether the reader pinned them (issue 11).
//
// Two facts are proven here, each with its own reason when it fails:
//  - binding: the manifest's Ed25519 certificate was issued by the RSA certificate that
//    signs report.pdf, with the same name, organisation and email. The issuance is made
//    when the identity is created (or imported), so a genuine PDF lifted into a package
//    signed by someone else names a certificate that never issued that package's key.
//  - pin: the signer is the certificate or fingerprint the reader passed, an identity the
//    user marked trusted in the app, or a certificate issued (directly, or through the
//    bound PDF certificate) by an organisation CA the reader passed: basicConstraints
//    CA, keyCertSign when keyUsage is present, and valid at the package's createdAt.
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { fingerprintOf, subjectOf, type Subject } from '../identity/certs.js';
import { UserError } from '../util/errors.js';

export interface TrustedSigner {
  fingerprint: string;
  label: string;
}

export interface PinResult {
  /** null: nothing was pinned, so nothing about WHO signed is proven. */
  trusted: boolean | null;
  /** What pinned the signer, in words; null when not pinned. */
  pinnedBy: string | null;
  /** Why a pin the reader passed does not hold. */
  reason: string | null;
}

export function normaliseFingerprint(s: string): string | null {
  const hex = s.trim().replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

export function pemToDer(pem: string): Buffer | null {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
}

function sameSubject(a: Subject, b: Subject): boolean {
  return a.name === b.name && a.org === b.org && a.email === b.email;
}

/** A certificate authority's issuance: OpenSSL's check (names, key identifiers, the parent's keyUsage) and the signature. */
function issued(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * The identity's own binding: the PDF certificate is an end-entity certificate
 * (no keyCertSign, which OpenSSL's checkIssued demands), so the names and the
 * signature are compared directly.
 */
function signedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.issuer === parent.subject && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** Null when the manifest certificate is bound to the PDF certificate, else why not. */
export function bindingProblem(signerDer: Buffer, pdfDer: Buffer): string | null {
  const signer = new X509Certificate(signerDer);
  const pdf = new X509Certificate(pdfDer);
  if (!signedBy(signer, pdf)) return 'the certificate that signs report.pdf did not issue signer.pem, so the two do not belong to one identity';
  if (!sameSubject(subjectOf(signerDer), subjectOf(pdfDer))) return 'the certificate that signs report.pdf names another person than signer.pem';
  return null;
}

/** A certificate's extensions by name, whatever its key type (forge parses whole certificates with RSA keys only). */
function extensionsOf(der: Buffer): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const cert = forge.asn1.fromDer(der.toString('binary'));
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  const holder = tbs.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  for (const e of ((holder?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value as forge.asn1.Asn1[] | undefined) ?? []) {
    const parsed = (forge.pki as unknown as { certificateExtensionFromAsn1(e: forge.asn1.Asn1): { name?: string } }).certificateExtensionFromAsn1(e);
    if (parsed.name) out.set(parsed.name, parsed);
  }
  return out;
}

function validAt(x: X509Certificate, at: number): boolean {
  return at >= Date.parse(x.validFrom) && at <= Date.parse(x.validTo);
}

/** Why `ca` cannot anchor the signer at `createdAt`; null when it does. */
function caProblem(caDer: Buffer, signerDer: Buffer, pdfDer: Buffer | null, createdAt: number): string | null {
  const ca = new X509Certificate(caDer);
  // Read from the extensions themselves: node's x509.ca is false for a CA whose keyUsage lacks keyCertSign, which would hide the real reason.
  const ext = extensionsOf(caDer);
  const constraints = ext.get('basicConstraints') as { cA?: boolean } | undefined;
  if (!constraints?.cA) return "the --trust certificate is not a CA (basicConstraints CA is not set), and it is not the signer's own certificate";
  const keyUsage = ext.get('keyUsage') as { keyCertSign?: boolean } | undefined;
  if (keyUsage && !keyUsage.keyCertSign) return 'the --trust CA may not sign certificates (its keyUsage lacks keyCertSign)';
  if (Number.isNaN(createdAt)) return "the package's createdAt is not a date, so the CA's validity cannot be checked";
  if (!validAt(ca, createdAt)) return `the --trust CA was not valid at the package's createdAt (${new Date(createdAt).toISOString()}; valid ${ca.validFrom} to ${ca.validTo})`;
  const signer = new X509Certificate(signerDer);
  if (issued(signer, ca)) return null;
  if (pdfDer && bindingProblem(signerDer, pdfDer) === null) {
    const pdf = new X509Certificate(pdfDer);
    if (issued(pdf, ca)) return validAt(pdf, createdAt) ? null : "the PDF certificate the CA issued was not valid at the package's createdAt";
  }
  return 'the signer certificate was not issued by the --trust CA';
}

/**
 * The pin for this signer. `trust` is what the reader passed (a fingerprint or a PEM);
 * `trustedSigners` the identities marked trusted in the app.
 */
export function pinSigner(signerDer: Buffer, pdfDer: Buffer | null, createdAt: string | null, trust: string | undefined, trustedSigners: readonly TrustedSigner[]): PinResult {
  const fp = fingerprintOf(signerDer);
  if (trust !== undefined) {
    const pinned = normaliseFingerprint(trust);
    if (pinned) {
      return pinned === fp
        ? { trusted: true, pinnedBy: 'the fingerprint passed with --trust', reason: null }
        : { trusted: false, pinnedBy: null, reason: `the package is signed by ${fp}, not by the fingerprint passed with --trust` };
    }
    const trustDer = pemToDer(trust);
    if (!trustDer) throw new UserError('--trust is neither a certificate PEM nor a SHA-256 fingerprint.', 'E_INPUT', 'Pass a .pem file or 64 hex digits.');
    if (fingerprintOf(trustDer) === fp) return { trusted: true, pinnedBy: 'the certificate passed with --trust', reason: null };
    let problem: string | null;
    try {
      problem = caProblem(trustDer, signerDer, pdfDer, createdAt === null ? Number.NaN : Date.parse(createdAt));
    } catch (e) {
      throw new UserError(
        `--trust holds no readable certificate (${(e as Error).message}).`,
        'E_INPUT',
        'Pass the PEM file of the signer certificate or of the organisation CA, or the 64-hex-digit fingerprint.',
      );
    }
    return problem === null
      ? { trusted: true, pinnedBy: `the organisation CA passed with --trust (${subjectOf(trustDer).name || fingerprintOf(trustDer)})`, reason: null }
      : { trusted: false, pinnedBy: null, reason: `${problem} (signer ${fp})` };
  }
  const marked = trustedSigners.find((t) => t.fingerprint === fp);
  if (marked) return { trusted: true, pinnedBy: `marked trusted in this app as "${marked.label}"`, reason: null };
  return { trusted: null, pinnedBy: null, reason: null };
}
