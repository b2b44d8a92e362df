// A chain's head as a C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint) inside a signed
// note, and one row's membership as a c2sp.org/tlog-proof@v1 file. The tree is the
// RFC 6962 tree of tlog-proofs.ts (leaf data = the row's stored hash bytes, rows in
// seq order, leaf index = position in that order). docs/hash-chain.md specifies it.
import { UserError } from '../util/errors.js';
import { openNote, type NoteVerifierKey } from './signed-note.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/** Origin characters kept as they are; anything else is %XX-escaped (UTF-8), so a tenant id can never add a line or a space. */
const escapeOriginPart = (s: string) =>
  Array.from(Buffer.from(s, 'utf8'), (b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/**
 * The origin line names the chain: source fingerprint (first 16 hex digits), tenant and
 * table. Two chains never share an origin, so a checkpoint cannot be passed off as
 * another chain's.
 */
export function chainOrigin(sourceFingerprint: string | null, tenant: string, table: string): string {
  const fp = sourceFingerprint ? sourceFingerprint.slice(0, 16) : 'unknown-source';
  return `auditdesk.local/chain/${escapeOriginPart(fp)}/${escapeOriginPart(tenant)}/${escapeOriginPart(table)}`;
}

export interface TreeHead {
  origin: string;
  size: bigint;
  root: Buffer;
}

export function checkpointText(head: TreeHead): string {
  if (head.root.length !== 32) throw new UserError('a checkpoint root must be a SHA-256 hash.', 'E_INPUT');
  if (/[\s+]/u.test(head.origin) || !head.origin) throw new UserError('a checkpoint origin must be non-empty, without spaces or "+".', 'E_INPUT');
  return `${head.origin}\n${head.size.toString()}\n${head.root.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): TreeHead {
  const lines = text.split('\n');
  const bad = (why: string) => new UserError(`not a tlog checkpoint (${why}).`, 'E_CHECKPOINT_FILE');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw bad('expected origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin) throw bad('empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw bad('the tree size is not a decimal without leading zeros');
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw bad('the root is not base64 of 32 bytes');
  for (const ext of lines.slice(3, -1)) if (!ext) throw bad('empty extension line');
  return { origin, size: BigInt(sizeText), root };
}

/** Opens a signed checkpoint with the given verifier keys: the head, or a reason to reject it. */
export function openCheckpoint(note: string, keys: readonly NoteVerifierKey[]): { ok: true; head: TreeHead; verifiedBy: string[] } | { ok: false; reason: string } {
  const opened = openNote(note, keys);
  if (!opened.ok) return opened;
  try {
    return { ok: true, head: parseCheckpointText(opened.text), verifiedBy: opened.verifiedBy };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export interface TlogProof {
  /** unauthenticated context (AuditDesk: JSON {"seq","id"} of the row) */
  extra: Buffer | null;
  index: bigint;
  path: Buffer[];
  /** the signed checkpoint, verbatim */
  checkpoint: string;
}

export function tlogProofText(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index.toString()}`);
  for (const h of p.path) lines.push(h.toString('base64'));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

export function parseTlogProof(text: string): TlogProof {
  const bad = (why: string) => new UserError(`not a ${TLOG_PROOF_HEADER} file (${why}).`, 'E_INPUT');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw bad('no blank line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  if (head.shift() !== TLOG_PROOF_HEADER) throw bad('first line');
  let extra: Buffer | null = null;
  if (head[0]?.startsWith('extra ')) extra = Buffer.from(head.shift()!.slice(6), 'base64');
  const m = /^index (0|[1-9][0-9]*)$/.exec(head.shift() ?? '');
  if (!m) throw bad('index line');
  const path = head.map((l) => {
    const h = Buffer.from(l, 'base64');
    if (h.length !== 32) throw bad('a proof line is not a SHA-256 hash');
    return h;
  });
  return { extra, index: BigInt(m[1]!), path, checkpoint: text.slice(blank + 2) };
}
