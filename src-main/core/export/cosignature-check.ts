// The rules for a package's cosignature (docs/tlog-evidence.md#cosignatures), shared by
// verify-package (node:crypto) and the verify page (WebCrypto): each front door parses
// cosigner.pem with its own reader and hands in the Ed25519 check; the rules and the
// words of every failure are here, so the two cannot disagree.
//
// checkpoint.cosig is the package's signed checkpoint.note, byte for byte, followed by
// exactly one C2SP tlog-cosignature/v1 line by the key of cosigner.pem, named
// auditdesk.local/cosigner/<first 16 hex of the cosigner's fingerprint>.
import { cosignedMessage, cosignerKeyId } from '../chain/cosignature.js';
import { PACKAGE_FILES } from './package-files.js';

export const COSIGNER_NAME_PREFIX = 'auditdesk.local/cosigner/';

export function cosignerNoteName(fingerprint: string): string {
  return `${COSIGNER_NAME_PREFIX}${fingerprint.slice(0, 16)}`;
}

export interface CosignerFacts {
  /** SHA-256 of cosigner.pem's DER */
  fingerprint: string;
  name: string;
  org: string;
  email: string;
  /** the raw 32-byte Ed25519 public key, or null when the certificate holds another kind of key */
  publicKeyRaw: Uint8Array | null;
}

export interface Cosignature {
  name: string;
  org: string;
  email: string;
  fingerprint: string;
  /** when the cosigner signed, as the cosignature states it (UTC, whole seconds) */
  time: string;
  /** the cosigner's note verifier key, for C2SP tools */
  keyName: string;
}

export type CosignatureOutcome = { failures: { code: 'COSIGNATURE_INVALID'; file: string; message: string }[]; cosignature: Cosignature | null };

const MAX_TIME = 2n ** 63n - 1n;

/**
 * Checks the cosignature entries of a package. `checkpointNote` is the package's
 * checkpoint.note only when its bytes are the signed ones (null otherwise). Returns no
 * failure and no cosignature when neither entry is present.
 */
export async function checkCosignatureFiles(args: {
  cosig: Uint8Array | null;
  cosigner: CosignerFacts | null;
  /** cosigner.pem is present but is no readable certificate (the reason) */
  cosignerProblem: string | null;
  checkpointNote: string | null;
  signerFingerprint: string | null;
  verifyEd25519: (publicKeyRaw: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
}): Promise<CosignatureOutcome> {
  const failures: CosignatureOutcome['failures'] = [];
  const refuse = (message: string, file: string = PACKAGE_FILES.cosignature): CosignatureOutcome => {
    failures.push({ code: 'COSIGNATURE_INVALID', file, message });
    return { failures, cosignature: null };
  };
  const hasPem = args.cosigner !== null || args.cosignerProblem !== null;
  if (!args.cosig && !hasPem) return { failures, cosignature: null };
  if (!args.cosig) return refuse('cosigner.pem comes without checkpoint.cosig', PACKAGE_FILES.cosigner);
  if (!hasPem) return refuse('checkpoint.cosig comes without cosigner.pem, so nothing says whose key signed it');
  if (args.cosignerProblem || !args.cosigner) return refuse(`cosigner.pem is not a usable certificate: ${args.cosignerProblem ?? 'unreadable'}`, PACKAGE_FILES.cosigner);
  const who = args.cosigner;
  if (!who.publicKeyRaw || who.publicKeyRaw.length !== 32) return refuse('cosigner.pem does not hold an Ed25519 key', PACKAGE_FILES.cosigner);
  if (args.checkpointNote === null) return refuse('checkpoint.cosig cosigns no signed checkpoint.note of this package (absent, or not as signed)');
  if (args.signerFingerprint && who.fingerprint === args.signerFingerprint) {
    return refuse("the cosigner is the package signer: a cosignature is a second person's check, made with another identity", PACKAGE_FILES.cosigner);
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(args.cosig);
  if (!text.startsWith(args.checkpointNote)) return refuse("checkpoint.cosig does not begin with this package's checkpoint.note: it cosigns another checkpoint");
  const added = text.slice(args.checkpointNote.length);
  const m = /^— (\S+) ([A-Za-z0-9+/]+={0,2})\n$/.exec(added);
  if (!m) return refuse('checkpoint.cosig must add exactly one signature line to checkpoint.note');
  const keyName = cosignerNoteName(who.fingerprint);
  if (m[1] !== keyName) return refuse(`the cosignature is by "${m[1]}", not by the key of cosigner.pem (${keyName})`);
  const raw = Buffer.from(m[2]!, 'base64');
  if (raw.length !== 4 + 8 + 64) return refuse('the cosignature is not a timestamped Ed25519 signature (cosignature/v1)');
  // DataView, not Buffer's readers: the verify page's Buffer polyfill lacks the 64-bit ones.
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  if (view.getUint32(0) !== cosignerKeyId(keyName, Buffer.from(who.publicKeyRaw))) return refuse("the cosignature's key ID is not that of cosigner.pem's key");
  const ts = view.getBigUint64(4);
  if (ts > MAX_TIME) return refuse('the cosignature time is out of range');
  // The note text is checkpoint.note up to its blank line (the signed-note rule).
  const noteText = args.checkpointNote.slice(0, args.checkpointNote.lastIndexOf('\n\n') + 1);
  if (!(await args.verifyEd25519(who.publicKeyRaw, cosignedMessage(noteText, ts), raw.subarray(12)))) {
    return refuse(`the cosignature by ${who.name || keyName} does not verify: the checkpoint, the time or the signature was altered`);
  }
  const time = new Date(Number(ts) * 1000).toISOString().replace('.000Z', 'Z');
  return { failures, cosignature: { name: who.name, org: who.org, email: who.email, fingerprint: who.fingerprint, time, keyName } };
}

/** What every front door says about a good cosignature: who, when, and that nothing pins the cosigner. */
export function cosignatureNote(c: Cosignature): string {
  return `checkpoint cosigned by ${c.name}, ${c.org} <${c.email}> at ${c.time} (cosigner fingerprint ${c.fingerprint}, from cosigner.pem; not pinned: compare it with the one the cosigner gave you)`;
}
