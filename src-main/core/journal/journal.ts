// The reviewer journal: every action of the auditor in an engagement, appended to a
// hash chain of its own with the audit trails' profile (docs/hash-chain.md,
// jcs-sha256-v1): payload = JCS({seq, at, action, details}), hash =
// sha256(prev_hash + "\n" + payload), seq 1 chained to 64 zeros. Never rewritten
// (triggers in the migration); docs/review.md describes each action's details.
import type { CacheDb } from '../cache/open.js';
import { jcs, type JsonValue } from '../chain/canonical.js';
import { chainHash, genesisOf } from '../chain/hash.js';
import { JCS_SHA256_V1 } from '../chain/profile.js';
import { keyIdOf, signText, verifyText, type AuditorKey } from '../identity/auditor-key.js';
import type { JournalEntryView, JournalVerification } from '../contract/review.js';
import { signatureProblem, type Signed } from './signing.js';

export type JournalAction = JournalEntryView['action'];
export const JOURNAL_ACTIONS: readonly JournalAction[] = ['engagement_opened', 'sync', 'verification', 'decision', 'anchor_recorded', 'export', 'review_completed', 'cache_rebuilt'];

/** One journal entry as stored and as written to a package's journal.jsonl (one per line). */
export interface JournalEntry {
  seq: number;
  at: string;
  action: JournalAction;
  details: { [key: string]: JsonValue };
  prev_hash: string;
  hash: string;
}

export const JOURNAL_HEAD_FORMAT = 'auditdesk-journal-head-v1';

/** The journal's head, signed with the auditor key at each export (journal-head.json in a package). */
export interface SignedJournalHead {
  format: typeof JOURNAL_HEAD_FORMAT;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
  /** base64 raw Ed25519 public key of the auditor key */
  publicKey: string;
  /** base64 Ed25519 over UTF-8 of JCS of every field above */
  signature: string;
}

function payloadOf(e: Pick<JournalEntry, 'seq' | 'at' | 'action' | 'details'>): string {
  return jcs({ seq: e.seq, at: e.at, action: e.action, details: e.details });
}

export function journalHashOf(prevHash: string, e: Pick<JournalEntry, 'seq' | 'at' | 'action' | 'details'>): string {
  return chainHash(prevHash, payloadOf(e), JCS_SHA256_V1);
}

/**
 * Appends one entry. Runs inside the caller's transaction when there is one (a
 * decision and its journal entry are committed together), else in its own.
 */
export function appendJournal(db: CacheDb, action: JournalAction, details: { [key: string]: JsonValue }, now: Date = new Date()): JournalEntry {
  const write = () => {
    const last = db.prepare('SELECT seq, hash FROM review_journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const seq = (last?.seq ?? 0) + 1;
    const prev = last?.hash ?? genesisOf(JCS_SHA256_V1);
    const at = now.toISOString();
    const entry = { seq, at, action, details };
    const hash = journalHashOf(prev, entry);
    db.prepare('INSERT INTO review_journal (seq, at, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)').run(seq, at, action, jcs(details), prev, hash);
    return { ...entry, prev_hash: prev, hash };
  };
  return db.inTransaction ? write() : db.transaction(write)();
}

export function journalEntries(db: CacheDb): JournalEntry[] {
  const rows = db.prepare('SELECT seq, at, action, details, prev_hash, hash FROM review_journal ORDER BY seq').all() as {
    seq: number;
    at: string;
    action: JournalAction;
    details: string;
    prev_hash: string;
    hash: string;
  }[];
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as JournalEntry['details'] }));
}

/** One sentence per entry, for the journal list and the CLI. */
export function journalSummary(e: Pick<JournalEntry, 'action' | 'details'>): string {
  const d = e.details;
  const s = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : '');
  switch (e.action) {
    case 'engagement_opened':
      return `engagement opened${s('engagement') ? `: ${s('engagement')}` : ''}`;
    case 'sync':
      return `sync of ${s('source') || 'the source'}: ${s('rows')} rows, ${s('seals')} seals`;
    case 'verification':
      return `verification (${s('target')}): ${s('verdict')}, ${s('chains')} chains, ${s('breaks')} breaks`;
    case 'decision':
      return `decision on ${s('itemId')}: ${s('disposition')} (“${s('meaning')}”) signed by ${s('signerName')}`;
    case 'anchor_recorded':
      return `anchor recorded: ${s('label')}`;
    case 'export':
      return `export ${s('packageId')} (manifest ${s('manifestHash').slice(0, 16)}…)`;
    case 'review_completed':
      return `review completed by ${s('signerName')} with ${s('openItems')} open items`;
    case 'cache_rebuilt':
      return `cache rebuilt (the damaged file kept as ${s('aside')}): ${s('checkpointsCarried')} checkpoints carried${leftBehind(s('checkpointsLeftBehind'))}, ${
        d.reviewCarried === true ? `review work carried (${s('journalEntriesCarried')} journal entries)` : `review work left behind: ${s('reviewLeftBehind')}`
      }${driftCarried(s)}`;
  }
}

const leftBehind = (n: string) => (n && n !== '0' ? `, ${n} left behind` : '');

/** Entries written before drift findings were carried (cache schema 16) have no such counts: nothing is said. */
function driftCarried(s: (k: string) => string): string {
  if (s('driftFindingsUnreadable')) return `, drift findings not carried (${s('driftFindingsUnreadable')})`;
  if (!s('driftFindingsCarried')) return '';
  return `, ${s('driftFindingsCarried')} drift findings carried${leftBehind(s('driftFindingsLeftBehind'))}`;
}

export function toEntryView(e: JournalEntry): JournalEntryView {
  return { seq: e.seq, at: e.at, action: e.action, summary: journalSummary(e), hash: e.hash };
}

/** The signed document a decision or completion entry carries, when it has one. */
/** The signed decision or completion an entry carries, or null. */
export function signedIn(e: JournalEntry): Signed | null {
  const d = e.details;
  if ((e.action === 'decision' || e.action === 'review_completed') && typeof d.signedJson === 'string') {
    return { signedJson: d.signedJson, signature: String(d.signature ?? ''), certificate: String(d.certificate ?? '') };
  }
  return null;
}

/**
 * Re-verifies a journal: seqs 1..n, each prev_hash the previous hash, each hash
 * recomputed, and every decision/completion signature inside it. Shared by
 * journal.verify and verify-package (which reads the entries from journal.jsonl).
 */
export function verifyJournal(entries: readonly JournalEntry[], problemOf: (signed: Signed) => string | null = signatureProblem): JournalVerification {
  let prev = genesisOf(JCS_SHA256_V1);
  let firstBreak: JournalVerification['firstBreak'] = null;
  const badSignatures: JournalVerification['badSignatures'] = [];
  let signaturesChecked = 0;
  entries.forEach((e, i) => {
    const expectedSeq = i + 1;
    if (!firstBreak) {
      if (e.seq !== expectedSeq) firstBreak = { seq: e.seq, problem: `entry ${i + 1} has seq ${e.seq}, expected ${expectedSeq} (an entry is missing or out of order)` };
      else if (e.prev_hash !== prev) firstBreak = { seq: e.seq, problem: `prev_hash ${e.prev_hash} is not the hash of entry ${e.seq - 1} (${prev})` };
      else {
        const recomputed = journalHashOf(prev, e);
        if (recomputed !== e.hash) firstBreak = { seq: e.seq, problem: `its content does not give its hash: stored ${e.hash}, recomputed ${recomputed} (the entry was altered)` };
      }
    }
    prev = e.hash;
    const signed = signedIn(e);
    if (signed) {
      signaturesChecked++;
      const problem = problemOf(signed);
      if (problem) badSignatures.push({ seq: e.seq, problem: `${e.action === 'decision' ? `decision on ${String(e.details.itemId)}` : 'completion'}: ${problem}` });
      else {
        // The visible fields must be the signed ones: a note edited beside an intact signature is a tampered decision.
        const doc = JSON.parse(signed.signedJson) as Record<string, unknown>;
        for (const k of ['itemId', 'disposition', 'meaning', 'note', 'signerName']) {
          if (k in e.details && k in doc && e.details[k] !== doc[k]) {
            badSignatures.push({ seq: e.seq, problem: `decision on ${String(e.details.itemId)}: its ${k} differs from the signed ${k}` });
            break;
          }
        }
      }
    }
  });
  const verdict = entries.length === 0 ? 'empty' : firstBreak || badSignatures.length ? 'broken' : 'intact';
  return { verdict, entries: entries.length, firstBreak, signaturesChecked, badSignatures, head: entries.at(-1)?.hash ?? null };
}

/** The text a journal head's signature covers: the JCS of every other field. */
export function journalHeadText(h: Omit<SignedJournalHead, 'signature'>): string {
  return jcs({ format: h.format, seq: h.seq, hash: h.hash, signedAt: h.signedAt, keyId: h.keyId, publicKey: h.publicKey });
}

/** Signs the journal's current head with the auditor key; null for an empty journal. */
export function signJournalHead(db: CacheDb, key: AuditorKey, now: Date = new Date()): SignedJournalHead | null {
  const last = db.prepare('SELECT seq, hash FROM review_journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  if (!last) return null;
  const head = { format: JOURNAL_HEAD_FORMAT, seq: last.seq, hash: last.hash, signedAt: now.toISOString(), keyId: key.keyId, publicKey: key.publicKeyRaw } as const;
  return { ...head, signature: signText(key, journalHeadText(head)) };
}

/** The problem with a signed head against the entries, or null when it signs their last entry. */
export function journalHeadProblem(
  head: SignedJournalHead,
  entries: readonly JournalEntry[],
  signatureOk: (h: SignedJournalHead) => boolean = (h) => verifyText(h.publicKey, journalHeadText(h), h.signature),
): string | null {
  if (head.format !== JOURNAL_HEAD_FORMAT) return `journal-head.json has format ${String(head.format)}`;
  if (keyIdOf(head.publicKey) !== head.keyId) return 'journal-head.json names a key id that is not its public key';
  if (!signatureOk(head)) return 'the journal head signature does not verify';
  const at = entries.find((e) => e.seq === head.seq);
  if (!at) return `the signed head names entry ${head.seq}, which the journal lacks`;
  if (at.hash !== head.hash) return `the signed head names hash ${head.hash} for entry ${head.seq}, the journal has ${at.hash}`;
  return null;
}
