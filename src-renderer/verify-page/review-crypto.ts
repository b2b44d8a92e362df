// The review files' two signature checks (review/package-files.ts ReviewCrypto) on
// WebCrypto, so the page re-verifies journal.jsonl, journal-head.json and decisions.csv
// by the same rules and in the same words as verify-package.
import type { ReviewCrypto } from '../../src-main/core/review/package-files.js';
import { CERT_UNREADABLE, fingerprintProblem, SIGNATURE_FAILS, signedTextProblem } from '../../src-main/core/journal/signing.js';
import { readCertificate } from './x509.js';

const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

function base64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function ed25519Verifies(key: CryptoKey, text: string, signatureBase64: string): Promise<boolean> {
  const sig = base64(signatureBase64);
  return sig !== null && (await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, enc.encode(text)).catch(() => false));
}

export const PAGE_REVIEW_CRYPTO: ReviewCrypto = {
  async signatureProblem(signed) {
    const text = signedTextProblem(signed);
    if (typeof text === 'string') return text;
    const der = base64(signed.certificate);
    let key: CryptoKey;
    try {
      if (!der) throw new Error('not base64');
      key = await crypto.subtle.importKey('spki', readCertificate(der).spki, { name: 'Ed25519' }, false, ['verify']);
    } catch {
      return CERT_UNREADABLE;
    }
    const fp = hex(await crypto.subtle.digest('SHA-256', der));
    if (text.signerFingerprint !== fp) return fingerprintProblem(text.signerFingerprint, fp);
    return (await ed25519Verifies(key, signed.signedJson, signed.signature)) ? null : SIGNATURE_FAILS;
  },
  async verifyText(publicKeyRawBase64, text, signatureBase64) {
    const raw = base64(publicKeyRawBase64);
    if (!raw || raw.length !== 32) return false;
    const key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']).catch(() => null);
    return key !== null && ed25519Verifies(key, text, signatureBase64);
  },
};
