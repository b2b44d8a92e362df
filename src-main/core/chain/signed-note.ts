// C2SP signed-note (c2sp.org/signed-note) with Ed25519 signatures (type 0x01), and the
// verifier-key text ("vkey") that Go's golang.org/x/mod/sumdb/note reads:
//   <name>+<8 hex digits of key ID>+<base64(0x01 || 32-byte public key)>
// Checkpoints written this way are checked by tools we did not write.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { UserError } from '../util/errors.js';

const ED25519 = 0x01;

export interface NoteVerifierKey {
  name: string;
  keyId: number;
  publicKey: Buffer;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Buffer;
}

/** Key names are non-empty and hold no Unicode space or '+' (so a vkey splits unambiguously). */
export function checkKeyName(name: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
  if (!name || /[\s+]/u.test(name) || /[\u0000-\u001f]/.test(name)) {
    throw new UserError(`"${name}" cannot name a note key: it must be non-empty, without spaces or '+'.`, 'E_INPUT');
  }
}

export function noteKeyId(name: string, publicKeyRaw: Buffer): number {
  const h = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519]))
    .update(publicKeyRaw)
    .digest();
  return h.readUInt32BE(0);
}

export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' }) as { x?: string; crv?: string };
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new UserError('a signed note needs an Ed25519 key.', 'E_INPUT');
  return Buffer.from(jwk.x, 'base64url');
}

export function verifierKeyText(name: string, publicKeyRaw: Buffer): string {
  checkKeyName(name);
  const id = noteKeyId(name, publicKeyRaw).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([ED25519]), publicKeyRaw]).toString('base64')}`;
}

export function parseVerifierKey(vkey: string): NoteVerifierKey {
  const bad = (why: string) => new UserError(`not a note verifier key (${why}).`, 'E_INPUT', 'Expected name+keyid+base64 as printed by AuditDesk.');
  // The base64 key may itself contain '+': split at the first two only (as Go's note does).
  const text = vkey.trim();
  const i = text.indexOf('+');
  const j = i < 0 ? -1 : text.indexOf('+', i + 1);
  if (i < 0 || j < 0) throw bad('expected name+keyid+key');
  const [name, idHex, keyB64] = [text.slice(0, i), text.slice(i + 1, j), text.slice(j + 1)];
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('key ID is not 8 hex digits');
  const key = Buffer.from(keyB64, 'base64');
  if (key.length !== 33 || key[0] !== ED25519) throw bad('only Ed25519 keys are supported');
  const publicKey = key.subarray(1);
  const keyId = parseInt(idHex, 16);
  if (noteKeyId(name, publicKey) !== keyId) throw bad('key ID does not match name and key');
  return { name, keyId, publicKey };
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new UserError('a note text must end with a newline.', 'E_INPUT');
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new UserError('a note text must not hold control characters other than newline.', 'E_INPUT');
}

/** Signs `text` (which ends in a newline) and returns the whole signed note. */
export function signNote(text: string, name: string, privateKey: KeyObject, extraSignatures: readonly string[] = []): string {
  checkText(text);
  checkKeyName(name);
  const pub = rawEd25519PublicKey(createPublicKey(privateKey));
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(noteKeyId(name, pub));
  return `${text}\n— ${name} ${Buffer.concat([id, sig]).toString('base64')}\n${extraSignatures.join('')}`;
}

/** Splits a signed note into its text and signature lines; malformed notes are refused. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (note.length > 1 << 20) throw new UserError('the signed note is larger than 1 MiB.', 'E_INPUT');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new UserError('not a signed note: no blank line before the signatures.', 'E_INPUT');
  const text = note.slice(0, split + 1);
  checkText(text);
  const signatures: NoteSignature[] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new UserError('not a signed note: a signature line is malformed.', 'E_INPUT');
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.length < 5) throw new UserError('not a signed note: a signature is too short.', 'E_INPUT');
    signatures.push({ name: m[1]!, keyId: raw.readUInt32BE(0), signature: raw.subarray(4) });
  }
  if (signatures.length === 0) throw new UserError('the note carries no signature.', 'E_INPUT');
  return { text, signatures };
}

export type NoteCheck = { ok: true; text: string; verifiedBy: string[] } | { ok: false; reason: string };

/** One Ed25519 check; node:crypto by default, precomputed WebCrypto results on the verify page. */
export type Ed25519Check = (publicKeyRaw: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export const nodeEd25519: Ed25519Check = (publicKeyRaw, message, signature) => {
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyRaw).toString('base64url') }, format: 'jwk' });
  return verify(null, message, pub, signature);
};

/**
 * The signed-note rule: signatures from unknown keys are ignored; a known key whose
 * signature fails rejects the note; at least one known key must verify.
 */
export function openNote(note: string, known: readonly NoteVerifierKey[], ed25519: Ed25519Check = nodeEd25519): NoteCheck {
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const verifiedBy: string[] = [];
  for (const s of parsed.signatures) {
    const key = known.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (!key) continue;
    if (s.signature.length !== 64 || !ed25519(key.publicKey, Buffer.from(parsed.text, 'utf8'), s.signature)) {
      return { ok: false, reason: `the signature of ${s.name} does not verify: the note was altered or signed by another key.` };
    }
    verifiedBy.push(s.name);
  }
  if (!verifiedBy.length) return { ok: false, reason: 'no signature from a trusted key.' };
  return { ok: true, text: parsed.text, verifiedBy };
}
