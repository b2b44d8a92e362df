// A recorded checkpoint in the public form: a C2SP tlog-checkpoint inside a signed note
// (docs/tlog-evidence.md), signed with the auditor key that signs the JSON body. The
// cache keeps both forms side by side (cache migration 010), so earlier tools keep
// reading the JSON and tools we did not write read the note.
import { createPublicKey } from 'node:crypto';
import { signNote, verifierKeyText, parseVerifierKey } from '../chain/signed-note.js';
import { chainOrigin, checkpointText, openCheckpoint, type TreeHead } from '../chain/tlog-checkpoint.js';
import { keyIdOf, type AuditorKey } from '../identity/auditor-key.js';

import type { ChainTree } from '../chain/chain-leaves.js';

export type { ChainTree };

/** Key names carry the key id so two auditors' keys never share a name. */
export function auditorNoteName(keyId: string): string {
  return `auditdesk.local/auditor/${keyId}`;
}

/** The vkey that checks notes signed with the auditor key whose raw public key is given (base64). */
export function auditorVerifierKeyOf(publicKeyRawBase64: string): string {
  return verifierKeyText(auditorNoteName(keyIdOf(publicKeyRawBase64)), Buffer.from(publicKeyRawBase64, 'base64'));
}

export function signCheckpointNote(key: AuditorKey, origin: string, tree: ChainTree): string {
  return signNote(checkpointText({ origin, size: tree.size, root: tree.root }), auditorNoteName(key.keyId), key.privateKey);
}

/** The note of a recorded checkpoint, for the chain it was recorded for. */
export function chainCheckpointNote(key: AuditorKey, chain: { sourceFingerprint: string | null; tableName: string; tenantId: string }, tree: ChainTree): string {
  return signCheckpointNote(key, chainOrigin(chain.sourceFingerprint, chain.tenantId, chain.tableName), tree);
}

/**
 * Opens a stored note with the checkpoint row's own public key and checks that it names
 * the row's chain: the head, or why the note cannot be trusted.
 */
export function openStoredNote(c: {
  note: string;
  publicKey: string;
  sourceFingerprint: string | null;
  tableName: string;
  tenantId: string;
}): { ok: true; head: TreeHead } | { ok: false; reason: string } {
  let vkey;
  try {
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(c.publicKey, 'base64').toString('base64url') }, format: 'jwk' });
    vkey = parseVerifierKey(auditorVerifierKeyOf(c.publicKey));
  } catch {
    return { ok: false, reason: 'the checkpoint names no usable public key.' };
  }
  const opened = openCheckpoint(c.note, [vkey]);
  if (!opened.ok) return opened;
  const origin = chainOrigin(c.sourceFingerprint, c.tenantId, c.tableName);
  if (opened.head.origin !== origin) return { ok: false, reason: `the note names ${opened.head.origin}, not ${origin}.` };
  return { ok: true, head: opened.head };
}
