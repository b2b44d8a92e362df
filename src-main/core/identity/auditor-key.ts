// The auditor's checkpoint key: an Ed25519 pair that signs every checkpoint a sync or
// verification records, so a later visit can tell its own records from edited ones.
// Created on first use in the data folder (private key PKCS#8 PEM, mode 0600); the
// export work adds full identities with certificates on top.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { ensurePrivateDir } from '../util/private-files.js';
import { UserError } from '../util/errors.js';

export const AUDITOR_KEY_FILE = 'auditor-key.pem';

export interface AuditorKey {
  /** first 16 hex digits of sha256(raw public key): names the key in checkpoints */
  keyId: string;
  /** base64 of the 32-byte raw Ed25519 public key */
  publicKeyRaw: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  path: string;
  /** true when this call created the key */
  created: boolean;
}

export function loadOrCreateAuditorKey(dataDir: string): AuditorKey {
  const path = join(dataDir, AUDITOR_KEY_FILE);
  let created = false;
  if (!existsSync(path)) {
    ensurePrivateDir(dataDir);
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    created = true;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(
      `the auditor key ${path} cannot be read (${(e as Error).message}).`,
      'E_AUDITOR_KEY',
      'Restore it from a backup, or move it aside to create a new key (earlier checkpoints then show as signed by another key).',
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new UserError(`the auditor key ${path} is not an Ed25519 key.`, 'E_AUDITOR_KEY', 'Move it aside to create a new key.');
  }
  // A key readable by others is not a secret any more; tighten it rather than refuse.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const publicKey = createPublicKey(privateKey);
  const publicKeyRaw = rawPublicKey(publicKey).toString('base64');
  return { keyId: keyIdOf(publicKeyRaw), publicKeyRaw, publicKey, privateKey, path, created };
}

/** The data folder's auditor key id, or null when it has no key yet (none is created). */
export function existingAuditorKeyId(dataDir: string): string | null {
  return existsSync(join(dataDir, AUDITOR_KEY_FILE)) ? loadOrCreateAuditorKey(dataDir).keyId : null;
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' }) as { x?: string };
  if (!jwk.x) throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyIdOf(publicKeyRawBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyRawBase64, 'base64')).digest('hex').slice(0, 16);
}

/** base64 Ed25519 signature over the UTF-8 bytes of `text`. */
export function signText(key: AuditorKey, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
}

/** Checks a base64 signature with a base64 raw Ed25519 public key; false on any malformed input. */
export function verifyText(publicKeyRawBase64: string, text: string, signatureBase64: string): boolean {
  try {
    const raw = Buffer.from(publicKeyRawBase64, 'base64');
    if (raw.length !== 32) return false;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    return verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
