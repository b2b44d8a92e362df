// The review's evidence inside a compliance package (docs/package-format.md#review):
//  - journal.jsonl: the WHOLE reviewer journal of the cache, one entry per line (every
//    tenant's actions: the journal is one chain, and a part of it could not be checked);
//  - journal-head.json: its last entry's hash signed with the auditor key;
//  - decisions.csv: every signed decision, with the exact signed text, signature and
//    certificate, so each row checks by hand with openssl.
// Writing and checking live together so the two cannot drift apart.
import type { CacheDb } from '../cache/open.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import { CsvRecordParser, csvLine, restoreCell } from '../util/csv.js';
import { journalEntries, journalHeadProblem, journalHeadText, signedIn, signJournalHead, verifyJournal, type JournalEntry, type SignedJournalHead } from '../journal/journal.js';
import { DECISION_SIGNED_FIELDS, signatureProblem, type Signed } from '../journal/signing.js';
import { verifyText } from '../identity/auditor-key.js';

/**
 * The two signature checks of the review files. verify-package runs them on node:crypto;
 * the verify page on WebCrypto (asynchronous), through the same rules below.
 */
export interface ReviewCrypto {
  /** a signed decision or completion: the problem, or null when it verifies */
  signatureProblem(signed: Signed): Promise<string | null>;
  /** a base64 Ed25519 signature over UTF-8 text by a base64 raw public key */
  verifyText(publicKeyRawBase64: string, text: string, signatureBase64: string): Promise<boolean>;
}

export const NODE_REVIEW_CRYPTO: ReviewCrypto = {
  signatureProblem: async (signed) => signatureProblem(signed),
  verifyText: async (pub, text, sig) => verifyText(pub, text, sig),
};

const signedKey = (s: Signed) => `${s.signedJson}\n${s.signature}\n${s.certificate}`;

export const REVIEW_PACKAGE_FILES = {
  journal: 'journal.jsonl',
  head: 'journal-head.json',
  decisions: 'decisions.csv',
} as const;

export const DECISION_COLUMNS = [
  'decision_id',
  'item_id',
  'kind',
  'tenant_id',
  'disposition',
  'meaning',
  'note',
  'reference',
  'signer_name',
  'signer_fingerprint',
  'signed_at',
  'supersedes',
  'evidence_hash',
  'signed_json',
  'signature',
  'certificate',
] as const;
/** Free text a spreadsheet could read as a formula; the signed text itself starts with "{". */
const NEUTRALISED = DECISION_COLUMNS.map((c) => c === 'tenant_id' || c === 'note' || c === 'reference' || c === 'signer_name');

export interface SmallFile {
  name: string;
  bytes: Buffer;
  mediaType: string;
}

/** The three files, ready to add to a package before its manifest is written. */
export function reviewPackageFiles(db: CacheDb, auditorKey: AuditorKey, now: Date): SmallFile[] {
  const entries = journalEntries(db);
  const out: SmallFile[] = [{ name: REVIEW_PACKAGE_FILES.journal, bytes: Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8'), mediaType: 'application/jsonl' }];
  // An empty journal has no head to sign (and verify-package expects none).
  const head = signJournalHead(db, auditorKey, now);
  if (head) out.push({ name: REVIEW_PACKAGE_FILES.head, bytes: Buffer.from(`${JSON.stringify(head, null, 2)}\n`, 'utf8'), mediaType: 'application/json' });
  const rows = db
    .prepare(`SELECT ${DECISION_COLUMNS.map((c) => (c === 'certificate' ? 'signer_cert AS certificate' : c === 'signature' ? 'signature' : c)).join(', ')} FROM review_decisions ORDER BY decision_id`)
    .all() as Record<string, string | number | null>[];
  let csv = csvLine([...DECISION_COLUMNS], []);
  for (const r of rows)
    csv += csvLine(
      DECISION_COLUMNS.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))),
      NEUTRALISED,
    );
  out.push({ name: REVIEW_PACKAGE_FILES.decisions, bytes: Buffer.from(csv, 'utf8'), mediaType: 'text/csv' });
  return out;
}

export type ReviewFailureCode = 'JOURNAL_BROKEN' | 'JOURNAL_HEAD_INVALID' | 'DECISION_SIGNATURE_INVALID';

/** What a signed decision row must say: the columns that repeat the signed text. */
/**
 * Re-verifies the review files of a package (read even when their manifest hash
 * failed, so the altered entry or decision is named, not only the file). Packages
 * made before the journal existed get a note, never a failure.
 */
export async function checkReviewFiles(
  read: (name: string) => Promise<Buffer | null>,
  fail: (code: ReviewFailureCode, message: string, file: string) => void,
  notes: string[],
  crypto: ReviewCrypto = NODE_REVIEW_CRYPTO,
): Promise<void> {
  const F = REVIEW_PACKAGE_FILES;
  const journalBytes = await read(F.journal);
  if (!journalBytes) {
    notes.push('this package carries no reviewer journal (made before issue 14): no review decisions were checked');
    return;
  }
  const entries: JournalEntry[] = [];
  const lines = journalBytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  for (const [i, line] of lines.entries()) {
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      fail('JOURNAL_BROKEN', `${F.journal} line ${i + 1} is not JSON`, F.journal);
      return;
    }
  }
  // Signatures first (the page's crypto is asynchronous), then the journal's rules over their results.
  const problems = new Map<string, string | null>();
  for (const e of entries) {
    const signed = e && typeof e === 'object' && e.details && typeof e.details === 'object' ? signedIn(e) : null;
    if (signed && !problems.has(signedKey(signed))) problems.set(signedKey(signed), await crypto.signatureProblem(signed));
  }
  const v = verifyJournal(entries, (signed) => problems.get(signedKey(signed)) ?? null);
  if (v.firstBreak) fail('JOURNAL_BROKEN', `${F.journal} entry ${v.firstBreak.seq}: ${v.firstBreak.problem}`, F.journal);
  for (const b of v.badSignatures) fail('DECISION_SIGNATURE_INVALID', `${F.journal} entry ${b.seq}: ${b.problem}`, F.journal);

  const headBytes = await read(F.head);
  if (headBytes) {
    let head: SignedJournalHead | null = null;
    try {
      head = JSON.parse(headBytes.toString('utf8')) as SignedJournalHead;
    } catch {
      fail('JOURNAL_HEAD_INVALID', `${F.head} is not JSON`, F.head);
    }
    // A head that is no object, or whose fields are no JSON text, simply does not verify.
    const headOk = head ? await (async () => crypto.verifyText(String(head!.publicKey), journalHeadText(head!), String(head!.signature)))().catch(() => false) : false;
    const problem = head ? journalHeadProblem(head, entries, () => headOk) : null;
    if (problem) fail('JOURNAL_HEAD_INVALID', problem, F.head);
    else if (head && head.seq !== entries.length) fail('JOURNAL_HEAD_INVALID', `${F.head} signs entry ${head.seq}, but ${F.journal} has ${entries.length} entries`, F.head);
    else if (head) notes.push(`reviewer journal: ${v.verdict}, ${v.entries} entries, ${v.signaturesChecked} signatures checked, head signed by auditor key ${head.keyId}`);
  } else if (entries.length) {
    // The manifest names every file, so a head removed after signing is MISSING_FILE; this package was written without one.
    notes.push(
      `reviewer journal: ${v.verdict}, ${v.entries} entries, ${v.signaturesChecked} signatures checked; its head is not signed with an auditor key in this package (the package signature covers ${F.journal})`,
    );
  } else notes.push('reviewer journal: empty (no action was journaled before this export)');

  const csv = await read(F.decisions);
  if (!csv) {
    if (v.signaturesChecked) fail('DECISION_SIGNATURE_INVALID', `${F.decisions} is missing although the journal holds signed decisions`, F.decisions);
    return;
  }
  const records = new CsvRecordParser().push(csv.toString('utf8'), true);
  const header = records.shift() ?? [];
  if (header.join(',') !== DECISION_COLUMNS.join(',')) {
    fail('DECISION_SIGNATURE_INVALID', `${F.decisions} does not have the columns ${DECISION_COLUMNS.join(', ')}`, F.decisions);
    return;
  }
  for (const rec of records) {
    const cell = (c: (typeof DECISION_COLUMNS)[number]) => {
      const i = DECISION_COLUMNS.indexOf(c);
      const v = rec[i] ?? null;
      return v !== null && NEUTRALISED[i] ? restoreCell(v) : v;
    };
    const name = `${F.decisions} decision #${cell('decision_id') ?? '?'} on ${cell('item_id') ?? '?'}`;
    const problem = await crypto.signatureProblem({ signedJson: cell('signed_json') ?? '', signature: cell('signature') ?? '', certificate: cell('certificate') ?? '' });
    if (problem) {
      fail('DECISION_SIGNATURE_INVALID', `${name}: ${problem}`, F.decisions);
      continue;
    }
    const doc = JSON.parse(cell('signed_json')!) as Record<string, unknown>;
    const differs = DECISION_SIGNED_FIELDS.find(([c, f]) => (cell(c) ?? null) !== (doc[f] ?? null));
    if (differs) fail('DECISION_SIGNATURE_INVALID', `${name}: its ${differs[0]} differs from the signed ${differs[1]}`, F.decisions);
  }
}
