// A rebuild starts a new cache from the source as it is now. The signed checkpoints are
// what shows a history rewritten since an earlier visit (a bare hash chain re-chained
// from the rewritten row reads intact), so a rebuild that dropped them would turn
// "rewritten" into "intact": anyone able to flip one byte of the cache file could erase
// that evidence by making the auditor rebuild. The checkpoints of the damaged file are
// carried into the new one, each only if it was signed by the auditor key and its signature
// still verifies over what its row says (verifyCheckpointSignature): damage that touched a
// checkpoint, or a head someone signed with a key of their own, is not carried.
//
// The review work (reviewer journal, signed decisions and completions) is the auditor's
// record of what they did (21 CFR Part 11 audit trail): a rebuild that left it behind broke
// the trail at every rebuild. It is carried whole, or not at all: only when the journal's
// chain verifies from its first entry and every decision and completion's signature does
// over the fields the queue shows. The rebuild is then the next journal entry
// (`cache_rebuilt`: where the old file went and what was carried), so the trail says it.
//
// The drift findings are the only evidence of a change made at the source to a table
// without a hash chain (a conversation edited, an anomaly deleted): the new cache is filled
// from the source as it is now, so without them the change would vanish from every verdict
// and package. Each is carried (migration 016, marked with the file it came from) when its
// values still give its digests over the columns its table had; one that does not was
// damaged with the file and is left behind, counted.
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { asideNameIfDamaged, openCache, rebuildingPath, rebuiltPath, swapInRebuilt, type CacheDb } from '../cache/open.js';
import { renameSync, rmSync } from 'node:fs';
import { listCheckpoints, storeCheckpoint } from './checkpoints.js';
import { appendJournal, verifyJournal, type JournalEntry } from '../journal/journal.js';
import { DECISION_SIGNED_FIELDS, signatureProblem } from '../journal/signing.js';
import { valuesGiveDigest } from '../sync/drift.js';
import type { ColumnType } from '../chain/canonical.js';
import { CACHE_TABLE } from '../cache/cache-tables.js';
import type { DriftChange } from '../contract/verify-report.js';

export interface CarriedCheckpoints {
  /** the file the damaged cache was moved to */
  aside: string;
  carried: number;
  /** unsigned, signed by another key, or no longer verifying: not carried */
  leftBehind: number;
  /** why the damaged file's checkpoints could not be read at all, when they could not */
  unreadable: string | null;
  /** the review work carried over with them (carryOverReview) */
  review: CarriedReview;
  /** drift findings carried over, those left behind (damaged with the file: digests or shape), and why none could be read */
  drift: { carried: number; leftBehind: number; unreadable: string | null };
}

export interface CarriedReview {
  journalEntries: number;
  decisions: number;
  completions: number;
  /** why none of it was carried (it stays in the file set aside), or null when it was */
  leftBehind: string | null;
}

const REVIEW_TABLES = {
  journal: 'seq, at, action, details, prev_hash, hash',
  decisions: 'decision_id, item_id, kind, tenant_id, evidence_hash, disposition, meaning, note, reference, signer_name, signer_fingerprint, signer_cert, signed_at, supersedes, signed_json, signature',
  completions: 'completion_id, open_items_json, coverage_json, note, signer_name, signer_fingerprint, signer_cert, signed_at, signed_json, signature',
};

type Row = Record<string, string | number | null>;

/** Copies rows read from the old file as they are: `columns` is a fixed list of this module's, never input. */
function insertRows(db: CacheDb, table: string, columns: string, rows: readonly Row[]): void {
  const names = columns.split(', ');
  const stmt = db.prepare(`INSERT INTO ${table} (${columns}) VALUES (${names.map(() => '?').join(', ')})`);
  for (const r of rows) stmt.run(...names.map((n) => r[n] ?? null));
}

/** Why a stored decision or completion is not the one its signer signed, or null. */
function signedRowProblem(r: Row, shown: readonly (readonly [column: string, signedField: string])[]): string | null {
  const signed = { signedJson: String(r.signed_json), signature: String(r.signature), certificate: String(r.signer_cert) };
  const problem = signatureProblem(signed);
  if (problem) return problem;
  const doc = JSON.parse(signed.signedJson) as Record<string, unknown>;
  const differs = shown.find(([column, field]) => (r[column] ?? null) !== (doc[field] ?? null));
  return differs ? `its ${differs[0]} differs from the signed ${differs[1]}` : null;
}

/** Reads the old file's review work and says what can be carried: all of it or none (see the header); `write` copies it into the new cache. */
function reviewToCarry(old: Database.Database): { review: CarriedReview; write: (db: CacheDb) => void } {
  const read = (table: string, columns: string, order: string) => old.prepare(`SELECT ${columns} FROM ${table} ORDER BY ${order}`).all() as Row[];
  const journal = read('review_journal', REVIEW_TABLES.journal, 'seq');
  const decisions = read('review_decisions', REVIEW_TABLES.decisions, 'decision_id');
  const completions = read('review_completions', REVIEW_TABLES.completions, 'completion_id');
  const none = (why: string) => ({ review: { journalEntries: 0, decisions: 0, completions: 0, leftBehind: why }, write: () => undefined });

  let entries: JournalEntry[];
  try {
    entries = journal.map((r) => ({ ...(r as unknown as JournalEntry), details: JSON.parse(String(r.details)) as JournalEntry['details'] }));
  } catch (e) {
    return none(`its journal does not verify (an entry's details are not JSON: ${(e as Error).message})`);
  }
  const v = verifyJournal(entries);
  if (v.firstBreak) return none(`its journal does not verify (entry ${v.firstBreak.seq}: ${v.firstBreak.problem})`);
  if (v.badSignatures.length) return none(`its journal does not verify (entry ${v.badSignatures[0]!.seq}: ${v.badSignatures[0]!.problem})`);
  for (const d of decisions) {
    const problem = signedRowProblem(d, DECISION_SIGNED_FIELDS);
    if (problem) return none(`decision #${String(d.decision_id)} does not verify (${problem})`);
  }
  for (const c of completions) {
    const problem = signedRowProblem(c, [
      ['note', 'note'],
      ['signer_name', 'signerName'],
      ['signer_fingerprint', 'signerFingerprint'],
      ['signed_at', 'signedAt'],
    ]);
    if (problem) return none(`completion #${String(c.completion_id)} does not verify (${problem})`);
  }
  return {
    review: { journalEntries: journal.length, decisions: decisions.length, completions: completions.length, leftBehind: null },
    write: (db) => {
      insertRows(db, 'review_journal', REVIEW_TABLES.journal, journal);
      insertRows(db, 'review_decisions', REVIEW_TABLES.decisions, decisions);
      insertRows(db, 'review_completions', REVIEW_TABLES.completions, completions);
    },
  };
}

const CARRIED_DRIFT_COLUMNS =
  'carried_from, carried_at, finding_id, detected_sync_id, source_fingerprint, table_kind, schema_name, table_name, columns_json, tenant_id, source_key, change, detected_at, earlier_digest, later_digest, earlier_values, later_values';

const TABLE_KINDS = new Set(Object.keys(CACHE_TABLE));
const CHANGES = new Set<DriftChange>(['modified', 'deleted', 'added']);

/**
 * A finding read from the damaged file that the new cache can hold as evidence: the shape its
 * table's checks ask for, and values that still give its digests over the columns it names.
 * One that does not is left behind alone; it does not stop the others.
 */
function carriable(f: Row): boolean {
  const text = (v: string | number | null | undefined) => (v === null || v === undefined ? null : String(v));
  try {
    if (!TABLE_KINDS.has(String(f.table_kind)) || !CHANGES.has(String(f.change) as DriftChange)) return false;
    if ([f.tenant_id, f.source_key, f.detected_at, f.schema_name, f.table_name, f.source_fingerprint].some((v) => v === null || v === undefined)) return false;
    if ((f.change !== 'added' && f.earlier_digest === null) || (f.change !== 'deleted' && f.later_digest === null)) return false;
    const columns = JSON.parse(String(f.columns_json)) as unknown;
    if (!Array.isArray(columns) || !columns.every((c) => c && typeof c === 'object' && typeof (c as ColumnType).name === 'string')) return false;
    return valuesGiveDigest(columns as ColumnType[], text(f.earlier_values), text(f.earlier_digest)) && valuesGiveDigest(columns as ColumnType[], text(f.later_values), text(f.later_digest));
  } catch {
    return false;
  }
}

/** The old file's drift findings, its own and those an earlier rebuild carried into it, as rows of drift_findings_carried. */
function driftToCarry(old: Database.Database, aside: string, carriedAt: string): { drift: CarriedCheckpoints['drift']; write: (db: CacheDb) => void } {
  const own = old
    .prepare(
      `SELECT ? AS carried_from, ? AS carried_at, d.finding_id, d.detected_sync_id, s.fingerprint AS source_fingerprint, t.kind AS table_kind,
              t.schema_name, t.table_name, t.columns_json, d.tenant_id, d.source_key, d.change, d.detected_at,
              d.earlier_digest, d.later_digest, d.earlier_values, d.later_values
         FROM drift_findings d JOIN source_tables t ON t.table_id = d.table_id JOIN sources s ON s.source_id = t.source_id
        ORDER BY d.finding_id`,
    )
    .all(basename(aside), carriedAt) as Row[];
  const hasCarried = old.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'drift_findings_carried'`).get() !== undefined;
  const earlier = hasCarried ? (old.prepare(`SELECT ${CARRIED_DRIFT_COLUMNS} FROM drift_findings_carried ORDER BY carried_id`).all() as Row[]) : [];
  const sound = [...earlier, ...own].filter(carriable);
  return {
    drift: { carried: sound.length, leftBehind: earlier.length + own.length - sound.length, unreadable: null },
    write: (db) => {
      insertRows(db, 'drift_findings_carried', CARRIED_DRIFT_COLUMNS, sound);
    },
  };
}

/** Carries what can be carried from the damaged file at `damaged` into `db`; `aside` is where that file goes (named in the journal and on each carried finding). */
export function carryOverCheckpoints(damaged: string, db: CacheDb, auditorKey: string | null, aside = damaged): CarriedCheckpoints {
  let found;
  let carry: ReturnType<typeof reviewToCarry>;
  let drift: ReturnType<typeof driftToCarry>;
  try {
    const old = new Database(damaged, { readonly: true, fileMustExist: true });
    try {
      found = listCheckpoints(old, { limit: 1_000_000 }, auditorKey);
      try {
        carry = reviewToCarry(old);
      } catch (e) {
        carry = { review: { journalEntries: 0, decisions: 0, completions: 0, leftBehind: `it could not be read (${(e as Error).message})` }, write: () => undefined };
      }
      try {
        drift = driftToCarry(old, aside, new Date().toISOString());
      } catch (e) {
        drift = { drift: { carried: 0, leftBehind: 0, unreadable: (e as Error).message }, write: () => undefined };
      }
    } finally {
      old.close();
    }
  } catch (e) {
    const unreadable = (e as Error).message;
    const r: CarriedCheckpoints = {
      aside,
      carried: 0,
      leftBehind: 0,
      unreadable,
      review: { journalEntries: 0, decisions: 0, completions: 0, leftBehind: `it could not be read (${unreadable})` },
      drift: { carried: 0, leftBehind: 0, unreadable },
    };
    journalRebuild(db, r);
    return r;
  }
  const sound = found.filter((c) => c.signatureStatus === 'valid');
  const r: CarriedCheckpoints = { aside, carried: sound.length, leftBehind: found.length - sound.length, unreadable: null, review: carry.review, drift: drift.drift };
  // One transaction: the new cache holds all that is carried and the entry that says so, or none of it.
  db.transaction(() => {
    carry.write(db);
    for (const c of sound) storeCheckpoint(db, c);
    drift.write(db);
    journalRebuild(db, r);
  })();
  return r;
}

/** The rebuild as the journal's next entry: after the carried entries, or the first of a new journal. */
function journalRebuild(db: CacheDb, r: CarriedCheckpoints): void {
  appendJournal(db, 'cache_rebuilt', {
    aside: r.aside,
    checkpointsCarried: r.carried,
    checkpointsLeftBehind: r.leftBehind,
    reviewCarried: r.review.leftBehind === null,
    journalEntriesCarried: r.review.journalEntries,
    decisionsCarried: r.review.decisions,
    completionsCarried: r.review.completions,
    reviewLeftBehind: r.review.leftBehind,
    driftFindingsCarried: r.drift.carried,
    driftFindingsLeftBehind: r.drift.leftBehind,
    driftFindingsUnreadable: r.drift.unreadable,
  });
}

/** What a rebuild tells the auditor: where the old file is, and what the new cache took from it. */
export function rebuiltMessage(r: CarriedCheckpoints): string {
  const kept = r.unreadable
    ? `Its checkpoints could not be read (${r.unreadable}): a history rewritten since them is not found by this cache; compare with a package or anchor saved earlier (--previous, --checkpoint).`
    : `${r.carried} signed checkpoint(s) carried into the new cache, so a history rewritten since them is still found${r.leftBehind ? `; ${r.leftBehind} left behind (unsigned, signed by another key, or their signature no longer verifies)` : ''}.`;
  const review = r.review.leftBehind
    ? `Its review work (journal, decisions, completions) was not carried: ${r.review.leftBehind}; it stays in the file set aside, and the new journal starts with this rebuild.`
    : `Its reviewer journal (${r.review.journalEntries} entries), ${r.review.decisions} signed decision(s) and ${r.review.completions} completion(s) were carried over, their chain and signatures verified; the rebuild is the journal's next entry.`;
  const d = r.drift;
  const leftBehind = d.leftBehind ? `; ${d.leftBehind} left behind, damaged with the file (values that no longer give the digests beside them, or not what a sync records)` : '';
  const drift =
    d.unreadable && !r.unreadable
      ? ` Its drift findings could not be read (${d.unreadable}): changes recorded there are not in the new cache; they stay in the file set aside.`
      : d.carried || d.leftBehind
        ? ` ${d.carried} drift finding(s) carried over, each marked as carried from the file set aside${leftBehind}.`
        : '';
  return `the damaged cache was moved aside to ${r.aside} (kept for inspection). ${kept} ${review}${drift}`;
}

/**
 * --rebuild: a cache that cannot be used as it is is replaced by a new one that takes what
 * can be carried from it; the damaged file goes aside (cache/open.ts). A sound cache is opened
 * as it is (`carried` null). The new cache is built beside the damaged one and swapped in only
 * once the carry is committed: a kill at any point leaves either the damaged file in place (the
 * next rebuild starts over) or the new one complete, never an empty cache without the carry.
 */
export function openRebuilt(path: string, auditorKey: string | null): { db: CacheDb; carried: CarriedCheckpoints | null } {
  const aside = asideNameIfDamaged(path);
  if (!aside) return { db: openCache(path), carried: null };
  const building = rebuildingPath(path);
  for (const stale of [building, `${building}-wal`, `${building}-shm`, rebuiltPath(path)]) rmSync(stale, { force: true });
  const fresh = openCache(building);
  let carried: CarriedCheckpoints;
  try {
    carried = carryOverCheckpoints(path, fresh, auditorKey, aside);
    // One file to rename: what the carry committed leaves the -wal for the file itself.
    fresh.pragma('journal_mode = DELETE');
  } finally {
    fresh.close();
  }
  renameSync(building, rebuiltPath(path));
  swapInRebuilt(path, aside);
  return { db: openCache(path), carried };
}
