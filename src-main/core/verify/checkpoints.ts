// Signed chain heads. Every sync and verification records one per chain; later
// verifications compare the chain with all of them, which is what reveals a tail
// that was rewritten consistently (a bare hash chain cannot). External anchors (a
// head published by the tenant, or saved on an earlier visit) are read from a file.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseNote, parseVerifierKey, type NoteVerifierKey } from '../chain/signed-note.js';
import { openCheckpoint } from '../chain/tlog-checkpoint.js';
import type { CacheDb } from '../cache/open.js';
import { jcs, type JsonValue } from '../chain/canonical.js';
import { signText, verifyText, keyIdOf, type AuditorKey } from '../identity/auditor-key.js';
import { UserError } from '../util/errors.js';
import { anchorFileSchema } from '../contract/integrity.js';
import type { Anchor } from './types.js';
import { chainCheckpointNote, openStoredNote, type ChainTree } from './checkpoint-note.js';
import { seqJson } from '../chain/seq.js';
// Re-exported: it was defined here before it moved to chain/seq.ts.
export { seqJson };

export const CHECKPOINT_FORMAT = 'auditdesk-checkpoint-v1';

export interface CheckpointInput {
  origin: 'sync' | 'verify' | 'external';
  sourceFingerprint: string | null;
  tableName: string;
  tenantId: string;
  lastSeq: bigint;
  headHash: string;
  merkleRoot: string | null;
  rowCount: number | null;
  /** defaults to now */
  createdAt?: string;
  /**
   * The chain's RFC 6962 tree up to lastSeq (leaf data = stored hashes): when given, the
   * checkpoint is also written as a signed note. A head hash alone (an external anchor) has none.
   */
  tree?: ChainTree | null;
}

/**
 * 'valid': signed by the auditor key that reads it (the only checkpoints compared with a
 * chain); 'other-key': the signature verifies, but under a key of another data folder, so
 * it is that key holder's word, not evidence of what this auditor saw; 'invalid': the
 * signature does not verify over what the row says (edited); 'unsigned'.
 */
export type SignatureStatus = 'valid' | 'invalid' | 'unsigned' | 'other-key';

/** A checkpoint as the cache holds it: what was recorded, plus the signature over it. */
export interface StoredCheckpoint extends Required<Omit<CheckpointInput, 'tree'>> {
  checkpointId: number;
  /** the exact bytes that were signed (JCS) */
  bodyJson: string;
  signature: string | null;
  publicKey: string | null;
  keyId: string | null;
  /** the same head as a C2SP signed-note checkpoint (null before cache version 10, and for anchors) */
  note: string | null;
  signatureStatus: SignatureStatus;
}

function bodyOf(input: CheckpointInput, createdAt: string, key: AuditorKey): string {
  const body: Record<string, JsonValue> = {
    format: CHECKPOINT_FORMAT,
    origin: input.origin,
    source_fingerprint: input.sourceFingerprint,
    table: input.tableName,
    tenant: input.tenantId,
    last_seq: seqJson(input.lastSeq),
    head_hash: input.headHash,
    merkle_root: input.merkleRoot,
    row_count: input.rowCount,
    created_at: createdAt,
    key_id: key.keyId,
    public_key: key.publicKeyRaw,
  };
  return jcs(body);
}

/** Signs and stores one checkpoint (its own transaction). */
export function recordCheckpoint(db: CacheDb, key: AuditorKey, input: CheckpointInput): StoredCheckpoint {
  const createdAt = input.createdAt ?? new Date().toISOString();
  const bodyJson = bodyOf(input, createdAt, key);
  const row: CheckpointRecord = {
    origin: input.origin,
    sourceFingerprint: input.sourceFingerprint,
    tableName: input.tableName,
    tenantId: input.tenantId,
    lastSeq: input.lastSeq,
    headHash: input.headHash,
    merkleRoot: input.merkleRoot,
    rowCount: input.rowCount,
    createdAt,
    bodyJson,
    signature: signText(key, bodyJson),
    publicKey: key.publicKeyRaw,
    note: input.tree ? chainCheckpointNote(key, input, input.tree) : null,
  };
  return { ...row, checkpointId: storeCheckpoint(db, row), keyId: key.keyId, signatureStatus: 'valid' };
}

/** A checkpoint's row as stored, signature included. */
export type CheckpointRecord = Omit<StoredCheckpoint, 'checkpointId' | 'keyId' | 'signatureStatus'>;

/** Stores a checkpoint row exactly as given (signed here, or carried from another cache); returns its id. */
export function storeCheckpoint(db: CacheDb, c: CheckpointRecord): number {
  const info = db
    .prepare(
      `INSERT INTO checkpoints (origin, source_fingerprint, table_name, tenant_id, last_seq, head_hash, merkle_root, row_count, created_at, body_json, signature, public_key, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(c.origin, c.sourceFingerprint, c.tableName, c.tenantId, c.lastSeq, c.headHash, c.merkleRoot, c.rowCount, c.createdAt, c.bodyJson, c.signature, c.publicKey, c.note ?? null);
  return Number(info.lastInsertRowid);
}

interface CheckpointRow {
  checkpoint_id: bigint;
  origin: 'sync' | 'verify' | 'external';
  source_fingerprint: string | null;
  table_name: string;
  tenant_id: string;
  last_seq: bigint;
  head_hash: string;
  merkle_root: string | null;
  row_count: bigint | null;
  created_at: string;
  body_json: string;
  signature: string | null;
  public_key: string | null;
  note: string | null;
}

export interface CheckpointFilter {
  tableName?: string;
  tenantId?: string;
  /** checkpoints of this source only (and those recorded without one) */
  sourceFingerprint?: string | null;
  limit?: number;
}

/**
 * The checkpoints of a cache, each with its signature checked now. `trustedKey` (base64 raw
 * Ed25519, the reading data folder's auditor key; null when none is known) decides which
 * are 'valid': a cache can be written by anyone who can write the file, and a head they
 * signed themselves must not count as the auditor's.
 */
export function listCheckpoints(db: CacheDb, filter: CheckpointFilter, trustedKey: string | null): StoredCheckpoint[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.tableName !== undefined) {
    where.push('table_name = ?');
    params.push(filter.tableName);
  }
  if (filter.tenantId !== undefined) {
    where.push('tenant_id = ?');
    params.push(filter.tenantId);
  }
  if (filter.sourceFingerprint) {
    where.push('(source_fingerprint = ? OR source_fingerprint IS NULL)');
    params.push(filter.sourceFingerprint);
  }
  params.push(filter.limit ?? 10_000);
  const rows = db
    .prepare(`SELECT * FROM checkpoints ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seq, checkpoint_id LIMIT ?`)
    .safeIntegers(true)
    .all(...params) as CheckpointRow[];
  return rows.map((r) => {
    const c: StoredCheckpoint = {
      checkpointId: Number(r.checkpoint_id),
      origin: r.origin,
      sourceFingerprint: r.source_fingerprint,
      tableName: r.table_name,
      tenantId: r.tenant_id,
      lastSeq: r.last_seq,
      headHash: r.head_hash,
      merkleRoot: r.merkle_root,
      rowCount: r.row_count === null ? null : Number(r.row_count),
      createdAt: r.created_at,
      bodyJson: r.body_json,
      signature: r.signature,
      publicKey: r.public_key,
      keyId: r.public_key ? keyIdOf(r.public_key) : null,
      note: r.note,
      signatureStatus: 'unsigned',
    };
    c.signatureStatus = verifyCheckpointSignature(c, trustedKey);
    return c;
  });
}

/**
 * 'valid' only when the signature covers body_json AND body_json says what the
 * row's columns say (so editing last_seq or head_hash in the table is caught), the
 * signed note, when there is one, opens with the same key for the same chain, AND that
 * key is `trustedKey`; a checkpoint sound in every other way is 'other-key'.
 */
export function verifyCheckpointSignature(
  c: Pick<StoredCheckpoint, 'bodyJson' | 'signature' | 'publicKey' | 'tableName' | 'tenantId' | 'lastSeq' | 'headHash'> & Partial<Pick<StoredCheckpoint, 'note' | 'sourceFingerprint'>>,
  trustedKey: string | null,
): SignatureStatus {
  if (!c.signature || !c.publicKey) return 'unsigned';
  if (!verifyText(c.publicKey, c.bodyJson, c.signature)) return 'invalid';
  if (c.note && !openStoredNote({ note: c.note, publicKey: c.publicKey, sourceFingerprint: c.sourceFingerprint ?? null, tableName: c.tableName, tenantId: c.tenantId }).ok) return 'invalid';
  try {
    const body = JSON.parse(c.bodyJson) as Record<string, unknown>;
    const sameSeq = String(body.last_seq) === c.lastSeq.toString();
    if (body.table !== c.tableName || body.tenant !== c.tenantId || !sameSeq || body.head_hash !== c.headHash || body.public_key !== c.publicKey) {
      return 'invalid';
    }
  } catch {
    return 'invalid';
  }
  return c.publicKey === trustedKey ? 'valid' : 'other-key';
}

/** Notes named per chain at most: the rest are counted. */
const NOT_COMPARED_NAMED = 5;

/**
 * One note per stored checkpoint that was not compared with the chain (every status but
 * 'valid'), saying why and what to do, so a head left out is never left out silently.
 */
export function notComparedNotes(checkpoints: readonly StoredCheckpoint[], tenant: string, key: Pick<AuditorKey, 'keyId'> | null): string[] {
  const left = checkpoints.filter((c) => c.signatureStatus !== 'valid');
  const notes = left.slice(0, NOT_COMPARED_NAMED).map((c) => `checkpoint #${c.checkpointId} (${c.origin}, ${c.createdAt}) of ${tenant} was not compared: ${whyNotCompared(c, key)}`);
  if (left.length > NOT_COMPARED_NAMED)
    notes.push(`${left.length - NOT_COMPARED_NAMED} more checkpoint(s) of ${tenant} were not compared, for the same reasons (the Integrity screen's checkpoint history lists them).`);
  return notes;
}

function whyNotCompared(c: StoredCheckpoint, key: Pick<AuditorKey, 'keyId'> | null): string {
  switch (c.signatureStatus) {
    case 'other-key':
      return (
        `it is signed by key ${c.keyId}, not by ${key ? `this data folder's auditor key ${key.keyId}` : 'an auditor key this run was given'}. ` +
        `A checkpoint signed elsewhere is its key holder's word, not a record of what you saw: to compare the chain with it anyway, ` +
        `pass the anchor file its key holder saved ("Save head") with --checkpoint FILE (in the app: Integrity, External anchor).`
      );
    case 'invalid':
      return 'its signature does not verify over what it says: it was edited in the cache after it was signed, so it is no evidence either way.';
    default:
      return 'it carries no signature, and AuditDesk signs every checkpoint it records: something else wrote it into the cache.';
  }
}

/** A stored checkpoint as the chain verifier compares it: only the auditor's own ('valid') ones are. */
export function anchorFromCheckpoint(c: StoredCheckpoint & { signatureStatus: 'valid' }): Anchor {
  return {
    label: `checkpoint #${c.checkpointId} (${c.origin}, ${c.createdAt})`,
    origin: c.origin,
    checkpointId: c.checkpointId,
    lastSeq: c.lastSeq,
    headHash: c.headHash,
    createdAt: c.createdAt,
    signature: c.signatureStatus,
  };
}

/** An external anchor for one chain, read from a file. */
export interface ExternalAnchor extends Anchor {
  tenant: string;
  table: string;
}

/**
 * Reads an anchor file: one head `{tenant, table, last_seq, head_hash, …}`, an array
 * of them, or `{"anchors": [...]}`. A checkpoint exported by AuditDesk (its body with
 * `signature` and `public_key`) is checked; a plain head is taken as unsigned.
 */
export function loadAnchorFile(path: string, knownKeys: readonly NoteVerifierKey[] = []): ExternalAnchor[] {
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the checkpoint file ${path} (${(e as Error).message}).`, 'E_CHECKPOINT_FILE', 'Check the path.');
  }
  if (!/^\s*[[{]/.test(text)) return [noteAnchor(path, text, knownKeys)];
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(
      `cannot read the checkpoint file ${path} (${(e as Error).message}).`,
      'E_CHECKPOINT_FILE',
      'It must be JSON: {"tenant": "…", "table": "audit_logs", "last_seq": 1234, "head_hash": "<64 hex>"}.',
    );
  }
  // The contract's schema, so the CLI and the app accept and refuse the same files.
  const parsed = anchorFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [head, ...field] = issue?.path ?? [];
    const where = typeof head === 'number' ? ` (head #${head + 1}${field.length ? `, ${field.join('.')}` : ''})` : '';
    throw new UserError(
      `checkpoint file ${path} is not an anchor file${where}: ${issue?.message ?? 'invalid'}.`,
      'E_CHECKPOINT_FILE',
      'Each head needs tenant, table, last_seq and head_hash (docs/verification.md).',
    );
  }
  const list = parsed.data;
  return list.map((item, i) => parseAnchor(item, `${basename(path)}${list.length > 1 ? ` #${i + 1}` : ''}`, `checkpoint file ${path}: `));
}

/**
 * A C2SP signed-note checkpoint as an anchor (#18): refused unless a signature by a key
 * it names verifies. The keys are the .vkey files beside it (a package's signer.vkey
 * beside its checkpoint.note) and `knownKeys` (the auditor key of this data folder).
 */
function noteAnchor(path: string, text: string, knownKeys: readonly NoteVerifierKey[]): ExternalAnchor {
  const name = basename(path);
  let signatures;
  try {
    signatures = parseNote(text).signatures;
  } catch (e) {
    throw new UserError(
      `${name} is neither an anchor JSON nor a signed note: ${(e as Error).message}`,
      'E_CHECKPOINT_FILE',
      'Pass a JSON head {tenant, table, last_seq, head_hash} or a checkpoint note with its signature line (checkpoint.note of a package).',
    );
  }
  const keys = [...knownKeys, ...vkeysBeside(path)];
  const known = keys.filter((k) => signatures.some((s) => s.name === k.name && s.keyId === k.keyId));
  if (!known.length) {
    throw new UserError(
      `${name} is signed by ${signatures.map((s) => s.name).join(', ')}, whose verifier key is not beside it.`,
      'E_CHECKPOINT_FILE',
      "Put the signer's verifier key (signer.vkey of the package, or the vkey auditdesk prove printed) in a .vkey file in the same folder as the note.",
    );
  }
  const opened = openCheckpoint(text, known);
  if (!opened.ok)
    throw new UserError(`${name}: ${opened.reason.replace(/\.$/, '')} (it does not verify).`, 'E_ANCHOR_SIGNATURE', 'Use the checkpoint as it was handed over; an altered one proves nothing.');
  const m = /^auditdesk\.local\/chain\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(opened.head.origin);
  if (!m) throw new UserError(`${name} is a checkpoint of ${opened.head.origin}, not of an AuditDesk chain.`, 'E_CHECKPOINT_FILE', 'Pass a checkpoint AuditDesk wrote (auditdesk.local/chain/…).');
  const [tenant, table] = [decodeURIComponent(m[2]!), decodeURIComponent(m[3]!)];
  return {
    tenant,
    table,
    label: `signed checkpoint ${name} (${opened.head.size} rows, signed by ${opened.verifiedBy.join(', ')})`,
    origin: 'external',
    checkpointId: null,
    lastSeq: opened.head.size,
    headHash: '',
    createdAt: null,
    signature: 'valid',
    tree: { size: opened.head.size.toString(), root: opened.head.root.toString('base64'), source: decodeURIComponent(m[1]!) },
  };
}

/** Every readable verifier key in a .vkey file in the note's folder. */
function vkeysBeside(path: string): NoteVerifierKey[] {
  const dir = dirname(path);
  const out: NoteVerifierKey[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.vkey'))) {
    try {
      out.push(parseVerifierKey(readFileSync(join(dir, f), 'utf8')));
    } catch {
      // not a key we can use: the note is then refused by name if it needed this one
    }
  }
  return out;
}

/** One external head given as a JSON object (an anchor file's entry, or the app's input). */
export function parseAnchor(item: unknown, label: string, context = ''): ExternalAnchor {
  const bad = (what: string) => new UserError(`${context}${label} ${what}.`, 'E_CHECKPOINT_FILE', 'Each head needs tenant, table, last_seq and head_hash.');
  if (!item || typeof item !== 'object') throw bad('is not a JSON object');
  const o = item as Record<string, unknown>;
  const tenant = o.tenant;
  const table = o.table;
  const lastSeqRaw = o.last_seq;
  const headHash = o.head_hash;
  if (typeof tenant !== 'string' || !tenant) throw bad('has no tenant');
  if (typeof table !== 'string' || !table) throw bad('has no table');
  if (typeof headHash !== 'string' || !/^[0-9a-f]{64}([0-9a-f]{64})?$/.test(headHash)) throw bad('has no head_hash of 64 (or 128) lowercase hex characters');
  let lastSeq: bigint;
  try {
    if (typeof lastSeqRaw === 'number' && !Number.isSafeInteger(lastSeqRaw)) throw new Error('unsafe');
    if (typeof lastSeqRaw !== 'number' && typeof lastSeqRaw !== 'string') throw new Error('missing');
    lastSeq = BigInt(lastSeqRaw);
  } catch {
    throw bad('has no integer last_seq (write seqs above 2^53 as strings)');
  }
  let signature: Anchor['signature'] = 'unsigned';
  if (typeof o.signature === 'string' && typeof o.public_key === 'string') {
    const { signature: sig, ...body } = o;
    signature = verifyText(o.public_key, jcs(body as JsonValue), sig as string) ? 'valid' : 'invalid';
  }
  const createdAt = typeof o.created_at === 'string' ? o.created_at : null;
  return {
    tenant,
    table,
    label: `anchor ${label}${createdAt ? ` (${createdAt})` : ''}`,
    origin: 'external',
    checkpointId: null,
    lastSeq,
    headHash,
    createdAt,
    signature,
  };
}

/** A stored checkpoint as a self-contained anchor file another visit can pass to --checkpoint. */
export function checkpointAsAnchor(c: StoredCheckpoint): Record<string, JsonValue> {
  const body = JSON.parse(c.bodyJson) as Record<string, JsonValue>;
  return c.signature ? { ...body, signature: c.signature } : body;
}
