// C2SP tlog-cosignature/v1 with Ed25519 (signature type 0x04): a second person (a QA
// approver, the four-eyes review) states that, at a given time, this checkpoint is the
// chain head they checked. The signed message is
//   "cosignature/v1\ntime <POSIX seconds>\n" || the checkpoint's note text
// and the signature is u64 big-endian timestamp || 64-byte Ed25519 signature.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { UserError } from '../util/errors.js';
import { checkKeyName, parseNote, rawEd25519PublicKey } from './signed-note.js';

const COSIGNATURE_V1 = 0x04;

export function cosignerKeyId(name: string, publicKeyRaw: Buffer): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, COSIGNATURE_V1]))
    .update(publicKeyRaw)
    .digest()
    .readUInt32BE(0);
}

/** vkey of a cosigner: name+keyid+base64(0x04 || public key). */
export function cosignerVerifierKey(name: string, publicKeyRaw: Buffer): string {
  checkKeyName(name);
  return `${name}+${cosignerKeyId(name, publicKeyRaw).toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.from([COSIGNATURE_V1]), publicKeyRaw]).toString('base64')}`;
}

/** The bytes a cosignature/v1 signs: its header lines, then the checkpoint's note text. */
export function cosignedMessage(text: string, timestamp: bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp.toString()}\n${text}`, 'utf8');
}

/** Adds a cosignature line to a signed checkpoint note; the note's text is unchanged. */
export function cosignCheckpoint(note: string, name: string, privateKey: KeyObject, at: Date): string {
  checkKeyName(name);
  const { text } = parseNote(note);
  const ts = BigInt(Math.floor(at.getTime() / 1000));
  if (ts < 0n) throw new UserError('a cosignature time must be after 1970.', 'E_INPUT');
  const pub = rawEd25519PublicKey(createPublicKey(privateKey));
  const body = Buffer.alloc(4 + 8);
  body.writeUInt32BE(cosignerKeyId(name, pub), 0);
  body.writeBigUInt64BE(ts, 4);
  const sig = sign(null, cosignedMessage(text, ts), privateKey);
  return `${note}— ${name} ${Buffer.concat([body, sig]).toString('base64')}\n`;
}

export type CosignatureCheck = { ok: true; time: string } | { ok: false; reason: string };

/** Checks the cosignature of one known cosigner (name and raw public key) on a note. */
export function checkCosignature(note: string, name: string, publicKeyRaw: Buffer): CosignatureCheck {
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const id = cosignerKeyId(name, publicKeyRaw);
  const line = parsed.signatures.find((s) => s.name === name && s.keyId === id);
  if (!line) return { ok: false, reason: `the checkpoint carries no cosignature by ${name}.` };
  if (line.signature.length !== 72) return { ok: false, reason: `the cosignature by ${name} is not a timestamped Ed25519 signature.` };
  const ts = line.signature.readBigUInt64BE(0);
  if (ts > 2n ** 63n - 1n) return { ok: false, reason: 'the cosignature time is out of range.' };
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyRaw.toString('base64url') }, format: 'jwk' });
  if (!verify(null, cosignedMessage(parsed.text, ts), key, line.signature.subarray(8))) {
    return { ok: false, reason: `the cosignature by ${name} does not verify: the checkpoint or its time was altered.` };
  }
  return { ok: true, time: new Date(Number(ts) * 1000).toISOString().replace('.000Z', 'Z') };
}
