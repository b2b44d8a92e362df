// What lets a later sync's verdict skip the payload hash of rows an earlier verdict already
// hashed (issue 17, goal 3): a statement, signed by the data folder's auditor key, that a
// chain's first N rows, whose content has a given SHA-256, each had a recomputed hash equal
// to its stored hash under a given profile and columns. The next read of the chain
// recomputes the content digest over the same rows and skips their payload hashes only
// when it matches (docs/verification.md, "Rows an earlier verdict hashed").
//
// The statement is true by construction: it is recorded only for rows whose links were
// each computed from their cached values and found equal. What it does not stand against is
// someone holding the auditor key; a statement that does not verify with that key (a cache
// received from someone else, a rewritten statement) is ignored and the chain hashed in full.
import { createHash, type Hash } from 'node:crypto';
import type { CacheDb } from '../cache/open.js';
import { signText, verifyText, type AuditorKey } from '../identity/auditor-key.js';
import type { MappedColumn } from '../cache/record-mapping.js';
import { rowText } from '../cache/row-text.js';

/** What a statement names of its chain (fetched-chain.ts's ChainSpec has this shape). */
export interface StatedChain {
  columns: readonly MappedColumn[];
  profileJson: string | null;
  label: string;
}

const STATEMENT_VERSION = 'auditdesk-chain-hashed-rows/1';

interface Statement {
  v: typeof STATEMENT_VERSION;
  table: string;
  tenant: string;
  columns: readonly MappedColumn[];
  profile: string | null;
  rows: number;
  content: string;
}

/** The rows an earlier verdict hashed: the first `rows` rows, and their content digest. */
export interface HashedRows {
  rows: number;
  content: string;
}

/** SHA-256 over a chain's rows in seq order, each its values written `len:text` ('-' for NULL), comma-joined, and prefixed by its byte length. */
export class ChainContentDigest {
  private readonly hash: Hash = createHash('sha256');

  /** `text`: the row as rowText writes it, when the caller already has it. */
  add(values: readonly (string | null)[], text = rowText(values)): void {
    this.hash.update(`${Buffer.byteLength(text, 'utf8')}:${text}`, 'utf8');
  }

  /** The digest of the rows added so far (more may be added after). */
  current(): string {
    return this.hash.copy().digest('hex');
  }
}

function statementOf(tenant: string, spec: StatedChain, rows: HashedRows): string {
  const s: Statement = { v: STATEMENT_VERSION, table: spec.label, tenant, columns: spec.columns, profile: spec.profileJson, rows: rows.rows, content: rows.content };
  return JSON.stringify(s);
}

/** The chain's recorded rows when their statement is signed by `key` and names this chain's table, tenant, columns and profile; else null. */
export function readHashedRows(db: CacheDb, tableId: number, tenant: string, spec: StatedChain, key: AuditorKey): HashedRows | null {
  const row = db.prepare('SELECT statement, key_id, signature FROM chain_hashed_rows WHERE table_id = ? AND tenant_id = ?').get(tableId, tenant) as
    { statement: string; key_id: string; signature: string } | undefined;
  if (!row || row.key_id !== key.keyId || !verifyText(key.publicKeyRaw, row.statement, row.signature)) return null;
  let s: Statement;
  try {
    s = JSON.parse(row.statement) as Statement;
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(s.rows) || s.rows < 1 || typeof s.content !== 'string') return null;
  // Compared as the whole signed text: any other table, tenant, column or profile is another statement.
  if (statementOf(tenant, spec, { rows: s.rows, content: s.content }) !== row.statement) return null;
  return { rows: s.rows, content: s.content };
}

/** Records (replacing the chain's earlier statement) that these rows each hashed as stored. */
export function recordHashedRows(db: CacheDb, tableId: number, tenant: string, spec: StatedChain, rows: HashedRows, key: AuditorKey): void {
  const statement = statementOf(tenant, spec, rows);
  db.prepare(
    `INSERT INTO chain_hashed_rows (table_id, tenant_id, statement, key_id, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (table_id, tenant_id) DO UPDATE SET statement = excluded.statement, key_id = excluded.key_id, signature = excluded.signature, created_at = excluded.created_at`,
  ).run(tableId, tenant, statement, key.keyId, signText(key, statement), new Date().toISOString());
}
