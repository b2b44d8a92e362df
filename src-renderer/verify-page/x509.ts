// Just enough DER to read a signer certificate in the page: the subject's name,
// organisation and email, the validity period, the SubjectPublicKeyInfo that
// WebCrypto imports, and the signed part with its signature (to check who issued it).
// Signatures checked with WebCrypto are what authenticate; this parser only finds the
// bytes to check and the names to print.

export interface Tlv {
  tag: number;
  at: number; // first header byte
  start: number; // first content byte
  end: number; // one past the last content byte
}

export function tlv(der: Uint8Array, at: number): Tlv {
  if (at + 2 > der.length) throw new Error('DER runs past its end');
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('DER runs past its end');
  return { tag, at, start, end: start + len };
}

export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.start; p < parent.end;) {
    const t = tlv(der, p);
    if (t.end > parent.end) throw new Error('DER element runs past its parent');
    out.push(t);
    p = t.end;
  }
  return out;
}

const OID_NAMES: Record<string, 'name' | 'org' | 'email'> = {
  '550403': 'name',
  '55040a': 'org',
  '2a864886f70d010901': 'email',
};

export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function readName(der: Uint8Array, name: Tlv): { name: string; org: string; email: string } {
  const out = { name: '', org: '', email: '' };
  for (const rdn of children(der, name)) {
    for (const atv of children(der, rdn)) {
      const [oid, value] = children(der, atv);
      if (!oid || !value) continue;
      const key = OID_NAMES[hex(der.subarray(oid.start, oid.end))];
      if (key) out[key] = new TextDecoder('utf-8').decode(der.subarray(value.start, value.end));
    }
  }
  return out;
}

function readTime(der: Uint8Array, t: Tlv): string {
  const s = new TextDecoder('latin1').decode(der.subarray(t.start, t.end));
  // UTCTime YYMMDDHHMMSSZ (years 1950-2049) or GeneralizedTime YYYYMMDDHHMMSSZ
  const full = t.tag === 0x17 ? `${Number(s.slice(0, 2)) >= 50 ? '19' : '20'}${s}` : s;
  return `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)}Z`;
}

export interface CertificateFacts {
  subject: { name: string; org: string; email: string };
  issuer: { name: string; org: string; email: string };
  notBefore: string;
  notAfter: string;
  spki: Uint8Array<ArrayBuffer>;
  /** the DER of the issuer and subject Names, compared byte for byte to follow an issuance */
  issuerDer: Uint8Array<ArrayBuffer>;
  subjectDer: Uint8Array<ArrayBuffer>;
  serialHex: string;
  /** TBSCertificate, the bytes the issuer signed; the signature algorithm OID (hex) and value */
  tbs: Uint8Array<ArrayBuffer>;
  signatureAlgorithm: string;
  signature: Uint8Array<ArrayBuffer>;
}

export function pemToDer(pem: string): Uint8Array<ArrayBuffer> | null {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) return null;
  const bin = atob(m[1]!.replace(/\s+/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * Every constructed element holds exactly its children, down to the leaves, and the
 * certificate ends where the data ends: a certificate damaged anywhere in its structure
 * is refused as a whole, as OpenSSL (verify-package) refuses it, not read around.
 */
function checkWellFormed(der: Uint8Array, t: Tlv, depth = 0): void {
  if (depth > 32) throw new Error('DER nested too deeply');
  if ((t.tag & 0x1f) === 0x1f || t.tag === 0x00) throw new Error('unsupported DER tag');
  if (t.tag & 0x20) for (const c of children(der, t)) checkWellFormed(der, c, depth + 1);
}

export function readCertificate(der: Uint8Array<ArrayBuffer>): CertificateFacts {
  const cert = tlv(der, 0);
  if (cert.end !== der.length) throw new Error('data after the certificate');
  checkWellFormed(der, cert);
  const [tbs, sigAlg, sigValue] = children(der, cert);
  if (!tbs || !sigAlg || !sigValue || sigValue.tag !== 0x03) throw new Error('not a certificate');
  const [algOid] = children(der, sigAlg);
  const f = children(der, tbs);
  const o = f[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const serial = f[o];
  const issuer = f[o + 2];
  const validity = f[o + 3];
  const subject = f[o + 4];
  const spki = f[o + 5];
  if (!serial || !issuer || !validity || !subject || !spki || !algOid) throw new Error('the certificate lacks a field');
  const [nb, na] = children(der, validity);
  return {
    subject: readName(der, subject),
    issuer: readName(der, issuer),
    notBefore: nb ? readTime(der, nb) : '',
    notAfter: na ? readTime(der, na) : '',
    spki: der.slice(spki.at, spki.end),
    issuerDer: der.slice(issuer.at, issuer.end),
    subjectDer: der.slice(subject.at, subject.end),
    serialHex: hex(der.subarray(serial.start, serial.end)),
    tbs: der.slice(tbs.at, tbs.end),
    signatureAlgorithm: hex(der.subarray(algOid.start, algOid.end)),
    // BIT STRING: the first content byte counts unused bits (0 for a signature)
    signature: der.slice(sigValue.start + 1, sigValue.end),
  };
}
