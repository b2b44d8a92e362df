// Just enough DER to read a signer certificate in the page: the subject's name,
// organisation and email, the validity period and the SubjectPublicKeyInfo that
// WebCrypto imports. The signature over the manifest is what authenticates; this
// parser only finds the key and the names to print.

interface Tlv {
  tag: number;
  at: number; // first header byte
  start: number; // first content byte
  end: number; // one past the last content byte
}

function tlv(der: Uint8Array, at: number): Tlv {
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

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.start; p < parent.end; ) {
    const t = tlv(der, p);
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

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

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
}

export function pemToDer(pem: string): Uint8Array<ArrayBuffer> | null {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) return null;
  const bin = atob(m[1]!.replace(/\s+/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function readCertificate(der: Uint8Array<ArrayBuffer>): CertificateFacts {
  const cert = tlv(der, 0);
  const [tbs] = children(der, cert);
  if (!tbs) throw new Error('not a certificate');
  const f = children(der, tbs);
  const o = f[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const issuer = f[o + 2];
  const validity = f[o + 3];
  const subject = f[o + 4];
  const spki = f[o + 5];
  if (!issuer || !validity || !subject || !spki) throw new Error('the certificate lacks a field');
  const [nb, na] = children(der, validity);
  return {
    subject: readName(der, subject),
    issuer: readName(der, issuer),
    notBefore: nb ? readTime(der, nb) : '',
    notAfter: na ? readTime(der, na) : '',
    spki: der.slice(spki.at, spki.end),
  };
}
