// minisign signatures (https://jedisct1.github.io/minisign/) made with the identity's
// Ed25519 key, so a third party can check a package's manifest with Debian's
// `minisign -V` instead of our code. The "ED" (prehashed) algorithm: Ed25519 over
// BLAKE2b-512 of the file; the global signature covers signature || trusted comment.
// Key ids are the first 8 bytes of SHA-256 of the raw public key, so the same identity
// always publishes the same minisign key id.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { rawEd25519PublicKey } from '../chain/signed-note.js';

function keyIdOf(publicKeyRaw: Buffer): Buffer {
  return createHash('sha256').update(publicKeyRaw).digest().subarray(0, 8);
}

/** Text of a minisign public key file for this Ed25519 key. */
export function minisignPublicKeyFile(publicKey: KeyObject): string {
  const raw = rawEd25519PublicKey(publicKey);
  const id = keyIdOf(raw);
  const keyIdText = Buffer.from(id).reverse().toString('hex').toUpperCase();
  return `untrusted comment: minisign public key ${keyIdText}\n${Buffer.concat([Buffer.from('Ed'), id, raw]).toString('base64')}\n`;
}

/** Text of a `.minisig` file for `data`; the trusted comment is signed too (one line, no control characters). */
export function minisignSignature(data: Buffer, privateKey: KeyObject, trustedComment: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
  if (/[\u0000-\u001f\u007f]/.test(trustedComment)) throw new Error('a minisign trusted comment must be one line without control characters');
  const raw = rawEd25519PublicKey(createPublicKey(privateKey));
  const digest = createHash('blake2b512').update(data).digest();
  const signature = sign(null, digest, privateKey);
  const globalSignature = sign(null, Buffer.concat([signature, Buffer.from(trustedComment, 'utf8')]), privateKey);
  return [
    'untrusted comment: signature from AuditDesk (Ed25519 identity key)',
    Buffer.concat([Buffer.from('ED'), keyIdOf(raw), signature]).toString('base64'),
    `trusted comment: ${trustedComment}`,
    globalSignature.toString('base64'),
    '',
  ].join('\n');
}

/** Our own check of a .minisig against a public key file (what `minisign -V` does), for verify-package. */
export function checkMinisign(data: Buffer, signatureFile: string, publicKeyFile: string): { ok: true; trustedComment: string } | { ok: false; reason: string } {
  const sigLines = signatureFile.split('\n');
  const keyLine = publicKeyFile.split('\n')[1] ?? '';
  const key = Buffer.from(keyLine, 'base64');
  const sig = Buffer.from(sigLines[1] ?? '', 'base64');
  if (key.length !== 42 || key.subarray(0, 2).toString() !== 'Ed') return { ok: false, reason: 'the minisign public key is malformed' };
  if (sig.length !== 74 || sig.subarray(0, 2).toString() !== 'ED') return { ok: false, reason: 'the minisign signature is malformed or not prehashed' };
  if (!sig.subarray(2, 10).equals(key.subarray(2, 10))) return { ok: false, reason: 'the minisign signature was made with another key' };
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.subarray(10).toString('base64url') }, format: 'jwk' });
  if (!verify(null, createHash('blake2b512').update(data).digest(), pub, sig.subarray(10))) return { ok: false, reason: 'the minisign signature does not match the file' };
  const tc = sigLines[2] ?? '';
  if (!tc.startsWith('trusted comment: ')) return { ok: false, reason: 'the minisign trusted comment is missing' };
  const trustedComment = tc.slice('trusted comment: '.length);
  const global = Buffer.from(sigLines[3] ?? '', 'base64');
  if (!verify(null, Buffer.concat([sig.subarray(10), Buffer.from(trustedComment, 'utf8')]), pub, global)) return { ok: false, reason: 'the minisign trusted comment was altered' };
  return { ok: true, trustedComment };
}
