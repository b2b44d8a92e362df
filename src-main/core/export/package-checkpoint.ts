// A package's checkpoint.note checked against the tree recomputed from its
// audit_events.csv. Apart from the rest of the chain evidence so the verify page can
// bundle it (no ZIP, PDF or file access here); the Ed25519 check is injectable.
import type { ChainLeafCollector } from '../chain/chain-leaves.js';
import { openNote, parseVerifierKey, type Ed25519Check } from '../chain/signed-note.js';
import { parseCheckpointText, type TreeHead } from '../chain/tlog-checkpoint.js';
import type { Cosignature } from './cosignature-check.js';

/**
 * Opens a package's checkpoint with the vkey it ships, after checking that the vkey is
 * the key of signer.pem (so the checkpoint is bound to the identity that signed the
 * manifest, not to any key that came along in the ZIP).
 */
export function openPackageCheckpoint(note: string, vkey: string, signerPublicKeyRaw: Buffer, ed25519?: Ed25519Check): { ok: true; head: TreeHead } | { ok: false; reason: string } {
  let key;
  try {
    key = parseVerifierKey(vkey);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (!key.publicKey.equals(signerPublicKeyRaw)) return { ok: false, reason: 'signer.vkey is not the key of signer.pem.' };
  const opened = openNote(note, [key], ed25519);
  if (!opened.ok) return opened;
  try {
    return { ok: true, head: parseCheckpointText(opened.text) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** What a package's chain evidence proved, for the report and for a later --previous. */
export interface PackageTlog {
  head: TreeHead;
  note: string;
  leaves: ChainLeafCollector;
}

export type EvidenceFailure = { code: 'CHECKPOINT_INVALID' | 'MINISIGN_INVALID' | 'HISTORY_REWRITTEN' | 'PREVIOUS_INVALID'; file: string; message: string };

/**
 * Checks checkpoint.note against the tree recomputed from audit_events.csv: signed by
 * the key of signer.pem (through signer.vkey), naming this chain, with the recomputed
 * size and root. A whole-chain package written since #18 always carries it.
 */
export function checkPackageCheckpoint(args: {
  note: string | null;
  vkey: string | null;
  signerPublicKeyRaw: Buffer | null;
  leaves: ChainLeafCollector;
  origin: string;
  /** the note's signature check (node:crypto unless given: the verify page passes WebCrypto's results) */
  ed25519?: Ed25519Check;
}): { tlog: PackageTlog | null; failures: EvidenceFailure[] } {
  const f = (message: string): { tlog: null; failures: EvidenceFailure[] } => ({ tlog: null, failures: [{ code: 'CHECKPOINT_INVALID', file: 'checkpoint.note', message }] });
  if (args.note === null || args.vkey === null) return f('the package has no signed chain checkpoint (checkpoint.note and signer.vkey)');
  if (!args.signerPublicKeyRaw) return f('the checkpoint cannot be checked without a usable signer.pem');
  const opened = openPackageCheckpoint(args.note, args.vkey, args.signerPublicKeyRaw, args.ed25519);
  if (!opened.ok) return f(`checkpoint.note: ${opened.reason}`);
  const head = opened.head;
  const root = args.leaves.tree().root();
  if (head.origin !== args.origin) return f(`checkpoint.note names the chain ${head.origin}, not this package's ${args.origin}`);
  if (head.size !== BigInt(args.leaves.size) || !head.root.equals(root)) {
    return f(`checkpoint.note records ${head.size} rows with root ${head.root.toString('base64')}; audit_events.csv gives ${args.leaves.size} rows with root ${root.toString('base64')}`);
  }
  return { tlog: { head, note: args.note, leaves: args.leaves }, failures: [] };
}

/** The package of an earlier visit, verified, with the chain it exported. */
export interface PreviousPackage {
  packageId: string | null;
  createdAt: string | null;
  tlog: PackageTlog;
  /** its QA cosignature, when it carries one that verifies (auditdesk cosign) */
  cosignature: Cosignature | null;
}
