// report.pdf's embedded CMS signature, checked in the page with WebCrypto as
// src-main/core/export/pdf-signature.ts checks it in Node: the /ByteRange covers the whole
// file but the /Contents hole; the CMS SignedData's messageDigest attribute is SHA-256 of
// those bytes; the signer's RSA signature over the signed attributes verifies with the
// certificate inside the CMS. And the binding of verify-package: that certificate issued
// signer.pem (same subject, its RSA signature over signer.pem's TBSCertificate), so a
// genuine PDF lifted into a package signed by someone else is refused.
// No library: the DER reader of x509.ts walks the few structures involved (RFC 5652 §5).
import { children, hex, readCertificate, tlv, type CertificateFacts, type Tlv } from './x509.js';

export interface PagePdfCheck {
  ok: boolean;
  reason: string | null;
  certFingerprint: string | null;
  cert: { der: Uint8Array<ArrayBuffer>; facts: CertificateFacts } | null;
}

const OID_SIGNED_DATA = '2a864886f70d010702';
const OID_MESSAGE_DIGEST = '2a864886f70d010904';
/** sha{256,384,512}WithRSAEncryption: what a signer certificate issued by the PDF's RSA key may be signed with */
const RSA_PKCS1_HASH: Record<string, string> = { '2a864886f70d01010b': 'SHA-256', '2a864886f70d01010c': 'SHA-384', '2a864886f70d01010d': 'SHA-512' };

const latin1 = new TextDecoder('latin1');

function fail(reason: string, extra: Partial<PagePdfCheck> = {}): PagePdfCheck {
  return { ok: false, reason, certFingerprint: null, cert: null, ...extra };
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

function fromHex(s: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function rsaVerify(spki: Uint8Array<ArrayBuffer>, hash: string, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
  return crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, signature, data);
}

interface SignerInfo {
  serialHex: string | null;
  signedAttrs: Tlv;
  signature: Uint8Array<ArrayBuffer>;
}

/** ContentInfo → SignedData → (certificates, the first SignerInfo). */
function readSignedData(der: Uint8Array<ArrayBuffer>): { certs: Tlv[]; signer: SignerInfo } {
  const [oid, explicit] = children(der, tlv(der, 0));
  if (!oid || hex(der.subarray(oid.start, oid.end)) !== OID_SIGNED_DATA || !explicit) throw new Error('not a CMS SignedData');
  const [signedData] = children(der, explicit);
  if (!signedData) throw new Error('empty SignedData');
  const parts = children(der, signedData);
  const certsField = parts.find((p) => p.tag === 0xa0);
  const signerInfos = parts[parts.length - 1];
  if (!signerInfos || signerInfos.tag !== 0x31) throw new Error('no signerInfos');
  const [info] = children(der, signerInfos);
  if (!info) throw new Error('no SignerInfo');
  const [, sid, , ...rest] = children(der, info);
  const signedAttrs = rest.find((p) => p.tag === 0xa0);
  const value = rest.find((p) => p.tag === 0x04);
  if (!sid || !signedAttrs || !value) throw new Error('the SignerInfo has no signed attributes or no signature value');
  // sid: IssuerAndSerialNumber (SEQUENCE) names the certificate by serial; [0] SubjectKeyIdentifier does not.
  const serial = sid.tag === 0x30 ? children(der, sid)[1] : undefined;
  return {
    certs: certsField ? children(der, certsField) : [],
    signer: { serialHex: serial ? hex(der.subarray(serial.start, serial.end)) : null, signedAttrs, signature: der.slice(value.start, value.end) },
  };
}

function messageDigestOf(der: Uint8Array, attrs: Tlv): string | null {
  for (const attr of children(der, attrs)) {
    const [oid, set] = children(der, attr);
    if (!oid || !set || hex(der.subarray(oid.start, oid.end)) !== OID_MESSAGE_DIGEST) continue;
    const [octets] = children(der, set);
    return octets ? hex(der.subarray(octets.start, octets.end)) : null;
  }
  return null;
}

export async function checkPdfSignature(pdf: Uint8Array<ArrayBuffer>): Promise<PagePdfCheck> {
  const text = latin1.decode(pdf);
  const at = text.lastIndexOf('/ByteRange');
  if (at < 0) return fail('the PDF has no embedded signature (/ByteRange not found)');
  const m = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(at, at + 200));
  if (!m) return fail('the signature /ByteRange is malformed');
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  if (a !== 0 || b <= 0 || c <= b || c + d !== pdf.length) return fail(`the signature does not cover the whole file (ByteRange [${a} ${b} ${c} ${d}], file ${pdf.length} bytes)`);
  const hole = text.slice(b, c);
  if (!/^<[0-9a-fA-F]*>$/.test(hole) || hole.length % 2 !== 0) return fail('the signature /Contents is not a hex string where /ByteRange says');
  const signed = new Uint8Array(b + d);
  signed.set(pdf.subarray(0, b), 0);
  signed.set(pdf.subarray(c, c + d), b);

  let cms: ReturnType<typeof readSignedData>;
  const der = fromHex(hole.slice(1, -1));
  try {
    cms = readSignedData(der);
  } catch (e) {
    return fail(`the embedded CMS cannot be parsed (${(e as Error).message})`);
  }
  const certs = cms.certs.map((t) => der.slice(t.at, t.end));
  let chosen: { der: Uint8Array<ArrayBuffer>; facts: CertificateFacts } | null = null;
  for (const certDer of certs) {
    try {
      const facts = readCertificate(certDer);
      if (!chosen) chosen = { der: certDer, facts };
      if (cms.signer.serialHex === null || facts.serialHex === cms.signer.serialHex) {
        chosen = { der: certDer, facts };
        break;
      }
    } catch {
      // an unreadable certificate cannot be the signer's
    }
  }
  if (!chosen) return fail('the CMS carries no signer certificate');
  const certFingerprint = await sha256Hex(chosen.der);
  const found = { certFingerprint, cert: chosen };
  if (messageDigestOf(der, cms.signer.signedAttrs) !== (await sha256Hex(signed))) return fail('the PDF bytes do not match the digest its signature covers (the PDF was changed after signing)', found);
  // The signature covers the signed attributes DER-encoded as a SET (tag 0x31), not as the [0] they are stored in.
  const attrs = der.slice(cms.signer.signedAttrs.at, cms.signer.signedAttrs.end);
  attrs[0] = 0x31;
  let good: boolean;
  try {
    good = await rsaVerify(chosen.facts.spki, 'SHA-256', cms.signer.signature, attrs);
  } catch (e) {
    return fail(`the signature value cannot be checked (${(e as Error).message})`, found);
  }
  if (!good) return fail('the CMS signature does not verify with the certificate it carries', found);
  return { ok: true, reason: null, ...found };
}

const sameBytes = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);

/** Null when signer.pem was issued by the certificate that signs report.pdf, for the same person; else why not. */
export async function bindingProblem(signer: CertificateFacts, pdf: CertificateFacts): Promise<string | null> {
  const hash = RSA_PKCS1_HASH[signer.signatureAlgorithm];
  let issued: boolean;
  try {
    issued = sameBytes(signer.issuerDer, pdf.subjectDer) && hash !== undefined && (await rsaVerify(pdf.spki, hash, signer.signature, signer.tbs));
  } catch {
    issued = false;
  }
  if (!issued) return 'the certificate that signs report.pdf did not issue signer.pem, so the two do not belong to one identity';
  const [s, p] = [signer.subject, pdf.subject];
  if (s.name !== p.name || s.org !== p.org || s.email !== p.email) return 'the certificate that signs report.pdf names another person than signer.pem';
  return null;
}
