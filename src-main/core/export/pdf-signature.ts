// Checks the embedded CMS signature of report.pdf without a PDF library: the
// /ByteRange must cover the whole file except the /Contents hole, the CMS
// messageDigest must equal SHA-256 of those bytes, and the signer's RSA signature
// over the signed attributes must verify with the certificate inside the CMS.
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { withTextNames } from '../identity/certs.js';

export interface PdfSignatureCheck {
  ok: boolean;
  reason: string | null;
  /** SHA-256 of the signer certificate DER found in the CMS. */
  certFingerprint: string | null;
  /** The signer certificate DER, so the caller can check it is bound to the manifest's certificate. */
  certDer: Buffer | null;
  signer: string | null;
}

const { asn1, pki } = forge;

function fail(reason: string, extra: Partial<PdfSignatureCheck> = {}): PdfSignatureCheck {
  return { ok: false, reason, certFingerprint: null, certDer: null, signer: null, ...extra };
}

export function verifyPdfSignature(pdf: Buffer): PdfSignatureCheck {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/ByteRange');
  if (at < 0) return fail('the PDF has no embedded signature (/ByteRange not found)');
  const m = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(at, at + 200));
  if (!m) return fail('the signature /ByteRange is malformed');
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  if (a !== 0 || b <= 0 || c <= b || c + d !== pdf.length) {
    return fail(`the signature does not cover the whole file (ByteRange [${a} ${b} ${c} ${d}], file ${pdf.length} bytes)`);
  }
  const hole = text.slice(b, c);
  if (!/^<[0-9a-fA-F]*>$/.test(hole)) return fail('the signature /Contents is not a hex string where /ByteRange says');
  const signed = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  const der = Buffer.from(hole.slice(1, -1), 'hex');

  let msg: forge.pkcs7.PkcsSignedData & { rawCapture?: Record<string, unknown> };
  try {
    msg = forge.pkcs7.messageFromAsn1(asn1.fromDer(der.toString('binary'), { parseAllBytes: false } as unknown as boolean)) as typeof msg;
  } catch (e) {
    return fail(`the embedded CMS cannot be parsed (${(e as Error).message})`);
  }
  const raw = msg.rawCapture as { authenticatedAttributes?: forge.asn1.Asn1[]; signature?: string; serial?: string } | undefined;
  if (!raw?.authenticatedAttributes || !raw.signature) return fail('the CMS has no signed attributes or no signature value');
  const cert = msg.certificates.find((x) => raw.serial === undefined || x.serialNumber === forge.util.bytesToHex(raw.serial)) ?? msg.certificates[0];
  if (!cert) return fail('the CMS carries no signer certificate');
  const certDer = Buffer.from(asn1.toDer(pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const certFingerprint = createHash('sha256').update(certDer).digest('hex');
  const signer = (withTextNames(cert).subject.getField('CN')?.value as string | undefined) ?? null;

  let digestAttr: string | null = null;
  for (const attr of raw.authenticatedAttributes) {
    const parts = attr.value as forge.asn1.Asn1[];
    if (asn1.derToOid(parts[0]!.value as string) === pki.oids.messageDigest) {
      const set = parts[1]!.value as forge.asn1.Asn1[];
      digestAttr = Buffer.from(set[0]!.value as string, 'binary').toString('hex');
    }
  }
  const actual = createHash('sha256').update(signed).digest('hex');
  if (digestAttr !== actual) return fail('the PDF bytes do not match the digest its signature covers (the PDF was changed after signing)', { certFingerprint, certDer, signer });

  const attrsDer = Buffer.from(asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, raw.authenticatedAttributes)).getBytes(), 'binary');
  let good: boolean;
  try {
    good = cryptoVerify('sha256', attrsDer, new X509Certificate(certDer).publicKey, Buffer.from(raw.signature, 'binary'));
  } catch (e) {
    return fail(`the signature value cannot be checked (${(e as Error).message})`, { certFingerprint, certDer, signer });
  }
  if (!good) return fail('the CMS signature does not verify with the certificate it carries', { certFingerprint, certDer, signer });
  return { ok: true, reason: null, certFingerprint, certDer, signer };
}
