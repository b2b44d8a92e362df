// A package's chain as transparency-log evidence (docs/tlog-evidence.md): a C2SP
// checkpoint of the exported chain signed with the identity's Ed25519 key (the key of
// signer.pem, published as a vkey), and, between two visits, an RFC 6962 consistency
// proof that the new tree extends the one exported last time. When it does not, the
// first range of rows that differ is named, from the two packages' own rows.
import type { KeyObject } from 'node:crypto';
import type { ChainLeafCollector } from '../chain/chain-leaves.js';
import { signNote, verifierKeyText, rawEd25519PublicKey, parseVerifierKey, openNote } from '../chain/signed-note.js';
import { checkpointText, parseCheckpointText, type TreeHead } from '../chain/tlog-checkpoint.js';
import { verifyConsistency } from '../chain/tlog-proofs.js';
import { createPublicKey } from 'node:crypto';

export const CONSISTENCY_FORMAT = 'auditdesk-consistency/1';

/** Key names carry the identity fingerprint so two auditors never share one. */
export function signerNoteName(fingerprint: string): string {
  return `auditdesk.local/signer/${fingerprint.slice(0, 16)}`;
}

export function signerVerifierKey(fingerprint: string, signingKey: KeyObject): string {
  return verifierKeyText(signerNoteName(fingerprint), rawEd25519PublicKey(createPublicKey(signingKey)));
}

export function packageCheckpoint(leaves: ChainLeafCollector, origin: string, fingerprint: string, signingKey: KeyObject): string {
  return signNote(checkpointText({ origin, size: BigInt(leaves.size), root: leaves.tree().root() }), signerNoteName(fingerprint), signingKey);
}

export interface OpenedCheckpoint {
  head: TreeHead;
}

/**
 * Opens a package's checkpoint with the vkey it ships, after checking that the vkey is
 * the key of signer.pem (so the checkpoint is bound to the identity that signed the
 * manifest, not to any key that came along in the ZIP).
 */
export function openPackageCheckpoint(note: string, vkey: string, signerPublicKeyRaw: Buffer): { ok: true; head: TreeHead } | { ok: false; reason: string } {
  let key;
  try {
    key = parseVerifierKey(vkey);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (!key.publicKey.equals(signerPublicKeyRaw)) return { ok: false, reason: 'signer.vkey is not the key of signer.pem.' };
  const opened = openNote(note, [key]);
  if (!opened.ok) return opened;
  try {
    return { ok: true, head: parseCheckpointText(opened.text) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export interface ConsistencyEvidence {
  previousPackageId: string;
  previous: TreeHead;
  path: Buffer[];
}

export function consistencyText(e: ConsistencyEvidence): string {
  return [
    CONSISTENCY_FORMAT,
    `previous-package ${e.previousPackageId}`,
    `previous-size ${e.previous.size.toString()}`,
    `previous-root ${e.previous.root.toString('base64')}`,
    ...e.path.map((h) => h.toString('base64')),
    '',
  ].join('\n');
}

export function parseConsistencyText(text: string, origin: string): ConsistencyEvidence {
  const lines = text.split('\n');
  const bad = (why: string) => new Error(`consistency.proof is malformed (${why})`);
  if (lines.shift() !== CONSISTENCY_FORMAT) throw bad('first line');
  const id = /^previous-package (\S+)$/.exec(lines.shift() ?? '');
  const size = /^previous-size (0|[1-9][0-9]*)$/.exec(lines.shift() ?? '');
  const root = /^previous-root (\S+)$/.exec(lines.shift() ?? '');
  if (!id || !size || !root) throw bad('header lines');
  if (lines.pop() !== '') throw bad('no final newline');
  const rootBytes = Buffer.from(root[1]!, 'base64');
  if (rootBytes.length !== 32) throw bad('previous root');
  const path = lines.map((l) => {
    const h = Buffer.from(l, 'base64');
    if (h.length !== 32) throw bad('a proof line is not a SHA-256 hash');
    return h;
  });
  return { previousPackageId: id[1]!, previous: { origin, size: BigInt(size[1]!), root: rootBytes }, path };
}

export function extendsPrevious(previous: TreeHead, current: TreeHead, path: readonly Buffer[]): boolean {
  return previous.origin === current.origin && verifyConsistency(previous.size, current.size, previous.root, current.root, path);
}

/**
 * The first run of rows whose stored hash differs between two exports of one chain
 * (by seq), or rows the earlier export has that the later one lacks. Null when the
 * earlier export is a prefix of the later one.
 */
export function firstDifferingRange(earlier: ChainLeafCollector, later: ChainLeafCollector): { fromSeq: bigint; toSeq: bigint; what: string } | null {
  const laterIndex = new Map<bigint, number>();
  later.seqs.forEach((s, i) => laterIndex.set(s, i));
  let from: bigint | null = null;
  let to: bigint | null = null;
  let missing = 0;
  let changed = 0;
  for (let i = 0; i < earlier.size; i++) {
    const seq = earlier.seqs[i]!;
    const j = laterIndex.get(seq);
    const differs = j === undefined || later.storedHash(j) !== earlier.storedHash(i);
    if (differs) {
      if (from === null) from = seq;
      to = seq;
      if (j === undefined) missing++;
      else changed++;
    } else if (from !== null) break;
  }
  if (from === null || to === null) return null;
  const parts = [changed ? `${changed} row(s) rewritten` : '', missing ? `${missing} row(s) removed` : ''].filter(Boolean).join(' and ');
  return { fromSeq: from, toSeq: to, what: parts };
}
