// What lets a later sync's verdict skip the payload hash of rows an earlier verdict already
// hashed (issue 17, goal 3): a statement, signed by the data folder's auditor key, that a
// chain's first N rows, whose content has a given SHA-256, each had a recomputed hash equal
// to its stored hash under a given profile and columns, except the rows it lists with the
// recomputed hash they had (a modified row, the rows a rewrite left). The next read of the
// chain recomputes the content digest over the same rows and skips their payload hashes
// only when it matches (docs/verification.md, "Rows an earlier verdict hashed").
//
// The statement is true by construction: it is recorded only for rows whose links were
// each computed from their cached values (a later sync's recheck read), or from the values
// a first fill fetched and cached unchanged but for their form (times in UTC: the payload
// is the cached form's, as every digest check relies on), and says what each computation
// gave, over the content as cached. What it
// does not stand against is someone holding the auditor key; a statement that does not verify with that key (a cache
// received from someone else, a rewritten statement) is ignored and the chain hashed in full.
import { createHash, type Hash } from 'node:crypto';
import type { CacheDb } from '../cache/open.js';
import { signText, verifyText, type AuditorKey } from '../identity/auditor-key.js';
import type { MappedColumn } from '../cache/record-mapping.js';
import { rowText } from '../cache/row-text.js';
import type { UnprotectedKind } from '../chain/exact-json.js';

/** What a statement names of its chain (fetched-chain.ts's ChainSpec has this shape). */
export interface StatedChain {
  columns: readonly MappedColumn[];
  profileJson: string | null;
  label: string;
}

const STATEMENT_VERSION = 'auditdesk-chain-hashed-rows/3';

/**
 * Rows of a statement whose recomputed hash was not their stored one (or that held a value
 * the profile cannot protect) listed at most: a chain damaged on more rows than this is
 * recorded up to the first row past the limit (a statement of ~100 bytes a row).
 */
export const HASH_EXCEPTIONS_LIMIT = 1000;

interface Statement {
  v: typeof STATEMENT_VERSION;
  table: string;
  tenant: string;
  columns: readonly MappedColumn[];
  profile: string | null;
  rows: number;
  content: string;
  exceptions: HashException[];
  asStored: boolean;
}

/** A row (by its place in seq order, from 0) whose link was not the usual one: the hash recomputed from its cached values, and what it held that the profile cannot protect. */
export interface HashException {
  row: number;
  computed: string | null;
  unprotected?: UnprotectedKind[];
}

/** The rows an earlier verdict hashed: the first `rows` rows, their content digest, and those whose recomputed hash was not the stored one (in row order). */
export interface HashedRows {
  rows: number;
  content: string;
  exceptions: HashException[];
  /**
   * Whether each of these rows, its values and digest, is known to be what the sync stored:
   * a first fill's rows as it stored them, or rows a later verdict found matching their
   * digests (a broken chain's rows are checked so, cache-damage.ts). While the content
   * digest still matches, such rows need no digest check.
   */
  asStored: boolean;
}

/** Bytes of rows a content digest holds before hashing them. */
const PENDING_BYTES = 65_536;

/**
 * SHA-256 over a chain's rows in seq order, each its values written `len:text` ('-' for
 * NULL), comma-joined, and prefixed by its byte length, then the digest the sync stored
 * with the row, prefixed by its length the same way.
 */
export class ChainContentDigest {
  private readonly hash: Hash = createHash('sha256');
  /**
   * Rows not yet hashed, as UTF-8: one update per ~64 KB instead of one per row (the call
   * cost a third of the digest beside a short row's bytes; issue 17, goal 3). Written into
   * bytes, not joined into one string: a joined string of rows with non-ASCII text made
   * each update several times slower than one a row (measured: 8-9 µs against 1.6-2.7 µs
   * a 750-byte row; into bytes 1.5 µs). The bytes hashed are the same, so is the digest.
   */
  private readonly pending = Buffer.allocUnsafe(PENDING_BYTES);
  private used = 0;

  /** `text`: the row as rowText writes it, when the caller already has it. */
  add(values: readonly (string | null)[], digest: string, text = rowText(values)): void {
    const row = `${Buffer.byteLength(text, 'utf8')}:${text}${Buffer.byteLength(digest, 'utf8')}:${digest}`;
    // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4).
    if (this.used + row.length * 3 > PENDING_BYTES) this.flush();
    if (row.length * 3 > PENDING_BYTES) this.hash.update(row, 'utf8');
    else this.used += this.pending.write(row, this.used, 'utf8');
  }

  /** The digest of the rows added so far (more may be added after). */
  current(): string {
    this.flush();
    return this.hash.copy().digest('hex');
  }

  private flush(): void {
    if (this.used) this.hash.update(this.pending.subarray(0, this.used));
    this.used = 0;
  }
}

function statementOf(tenant: string, spec: StatedChain, rows: HashedRows): string {
  const s: Statement = {
    v: STATEMENT_VERSION,
    table: spec.label,
    tenant,
    columns: spec.columns,
    profile: spec.profileJson,
    rows: rows.rows,
    content: rows.content,
    exceptions: rows.exceptions,
    asStored: rows.asStored,
  };
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
  if (!Number.isSafeInteger(s.rows) || s.rows < 1 || typeof s.content !== 'string' || !Array.isArray(s.exceptions) || typeof s.asStored !== 'boolean') return null;
  const exceptions: HashException[] = [];
  for (const e of s.exceptions as unknown[]) {
    const x = e as Partial<HashException>;
    const prior = exceptions.at(-1)?.row ?? -1;
    if (!Number.isSafeInteger(x.row) || x.row! <= prior || x.row! >= s.rows || (x.computed !== null && typeof x.computed !== 'string')) return null;
    if (x.unprotected !== undefined && !(Array.isArray(x.unprotected) && x.unprotected.every((k) => k === 'number_precision' || k === 'duplicate_key'))) return null;
    exceptions.push(x.unprotected ? { row: x.row!, computed: x.computed!, unprotected: x.unprotected } : { row: x.row!, computed: x.computed! });
  }
  // Compared as the whole signed text: any other table, tenant, column, profile or field is another statement.
  const stated: HashedRows = { rows: s.rows, content: s.content, exceptions, asStored: s.asStored };
  if (statementOf(tenant, spec, stated) !== row.statement) return null;
  return stated;
}

/** Records (replacing the chain's earlier statement) how these rows hashed: as stored, but for the exceptions listed. */
export function recordHashedRows(db: CacheDb, tableId: number, tenant: string, spec: StatedChain, rows: HashedRows, key: AuditorKey): void {
  const statement = statementOf(tenant, spec, rows);
  db.prepare(
    `INSERT INTO chain_hashed_rows (table_id, tenant_id, statement, key_id, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (table_id, tenant_id) DO UPDATE SET statement = excluded.statement, key_id = excluded.key_id, signature = excluded.signature, created_at = excluded.created_at`,
  ).run(tableId, tenant, statement, key.keyId, signText(key, statement), new Date().toISOString());
}
