// Signed decisions and completions. The identity is opened (password checked) by the
// caller before anything here runs, so a wrong password records nothing; the decision
// row and its journal entry are written in one transaction.
import type { CacheDb } from '../cache/open.js';
import type { LoadedIdentity } from '../identity/identity.js';
import type { DecisionView, Disposition, ReviewCompletion, SignatureMeaning } from '../contract/review.js';
import { UserError } from '../util/errors.js';
import { REBUILD_HINT } from '../util/storage-errors.js';
import { openCacheDamage } from '../verify/cache-damage.js';
import { chainsVerifiedElsewhere } from '../verify/store.js';
import { appendJournal } from '../journal/journal.js';
import { coverageOf, deriveItems, findItem, latestCompletion, toCompletionView, toDecisionView, type QueueOptions } from './queue.js';
import { COMPLETION_FORMAT, DECISION_FORMAT, signDocument, signerNameOf, type SignedCompletion, type SignedDecision } from '../journal/signing.js';

export interface DecideInput {
  itemId: string;
  evidenceHash: string;
  disposition: Disposition;
  meaning: SignatureMeaning;
  note: string;
  reference?: string | undefined;
  anomalyThreshold?: number | undefined;
}

export function decide(db: CacheDb, identity: LoadedIdentity, input: DecideInput, now: Date = new Date()): DecisionView {
  const note = input.note.trim();
  if (!note) throw new UserError('a decision needs a note.', 'E_INPUT', 'Say why you decided so (--note TEXT).');
  const item = findItem(db, input.itemId, input.anomalyThreshold);
  if (!item) throw new UserError(`no exception ${input.itemId} in the queue.`, 'E_NOT_FOUND', 'List the queue (`auditdesk review list`) and copy the item id.');
  if (item.evidenceHash !== input.evidenceHash) {
    throw new UserError(
      `exception ${input.itemId} changed since it was shown (evidence ${input.evidenceHash.slice(0, 12)}…, now ${item.evidenceHash.slice(0, 12)}…).`,
      'E_STALE_ITEM',
      'Reload the queue, read the new evidence, then decide again.',
    );
  }
  const reference = input.reference?.trim() || null;
  const doc: SignedDecision = {
    format: DECISION_FORMAT,
    itemId: item.itemId,
    evidenceHash: item.evidenceHash,
    disposition: input.disposition,
    meaning: input.meaning,
    note,
    reference,
    signerName: signerNameOf(identity),
    signerFingerprint: identity.info.fingerprint,
    signedAt: now.toISOString(),
    supersedes: item.decision?.decisionId ?? null,
  };
  const signed = signDocument(identity, doc);
  return db.transaction(() => {
    const id = Number(
      db
        .prepare(
          `INSERT INTO review_decisions (item_id, kind, tenant_id, evidence_hash, disposition, meaning, note, reference, signer_name,
                                         signer_fingerprint, signer_cert, signed_at, supersedes, signed_json, signature)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          doc.itemId,
          item.kind,
          item.tenant,
          doc.evidenceHash,
          doc.disposition,
          doc.meaning,
          doc.note,
          doc.reference,
          doc.signerName,
          doc.signerFingerprint,
          signed.certificate,
          doc.signedAt,
          doc.supersedes,
          signed.signedJson,
          signed.signature,
        ).lastInsertRowid,
    );
    appendJournal(
      db,
      'decision',
      {
        decisionId: id,
        itemId: doc.itemId,
        kind: item.kind,
        tenant: item.tenant,
        disposition: doc.disposition,
        meaning: doc.meaning,
        note: doc.note,
        signerName: doc.signerName,
        signedJson: signed.signedJson,
        signature: signed.signature,
        certificate: signed.certificate,
      },
      now,
    );
    return toDecisionView({
      decision_id: id,
      item_id: doc.itemId,
      evidence_hash: doc.evidenceHash,
      disposition: doc.disposition,
      meaning: doc.meaning,
      note: doc.note,
      reference: doc.reference,
      signer_name: doc.signerName,
      signer_fingerprint: doc.signerFingerprint,
      signed_at: doc.signedAt,
      supersedes: doc.supersedes,
      signature: signed.signature,
    });
  })();
}

export interface CompleteInput {
  note: string;
  acceptOpenItems: boolean;
  /** the signing workstation's auditor key id (its data folder's; null when it has none yet) */
  auditorKeyId: string | null;
  anomalyThreshold?: QueueOptions['anomalyThreshold'];
}

/** Signs the review's completion; refused while items are open unless the signer accepts them, and then lists them. */
export function completeReview(db: CacheDb, identity: LoadedIdentity, input: CompleteInput, now: Date = new Date()): ReviewCompletion {
  const note = input.note.trim();
  if (!note) throw new UserError('a completion needs a note.', 'E_INPUT', 'Say what the review covered (--note TEXT).');
  // The chain items come from verdicts given before the damage was found: a completion
  // now would sign "every exception decided" over chains whose verdict nobody knows, and
  // accepting open items cannot cover exceptions the queue does not list.
  const [damage, ...moreDamage] = openCacheDamage(db);
  if (damage) {
    throw new UserError(
      `the review cannot be completed while damage to the cache is on record (${moreDamage.length + 1} ${moreDamage.length ? 'rows' : 'row'}): ${damage.message} The exceptions queue is derived from verdicts given before this damage, so it may miss breaks.`,
      'E_CACHE_CORRUPT',
      `${REBUILD_HINT} Then complete the review over the new cache's verdicts.`,
    );
  }
  // The chain items come from the stored verdicts: signing "reviewed" over verdicts another
  // auditor's run gave (a cache received from them), or over a record no key signed (written
  // into the file by something else), would attest to checks nobody made here.
  const elsewhere = chainsVerifiedElsewhere(db, input.auditorKeyId);
  if (elsewhere.length) {
    const c = elsewhere[0]!;
    throw new UserError(
      `the review cannot be completed over verdicts not checked here: ${elsewhere.length} chain(s), first ${c.tenant}/${c.table} (${c.notCheckedHere.words}). The exceptions queue is derived from them, and nothing here checked them.`,
      'E_NOT_VERIFIED_HERE',
      'Verify the cache on this workstation first (the app: Integrity, "Re-verify cache"; the CLI: auditdesk verify --engagement DIR), then complete the review.',
    );
  }
  const items = deriveItems(db, { anomalyThreshold: input.anomalyThreshold });
  const coverage = coverageOf(items);
  const open = items.filter((i) => i.status === 'open').map((i) => i.itemId);
  if (open.length && !input.acceptOpenItems) {
    throw new UserError(
      `${open.length} of ${coverage.total} exceptions are still open (first: ${open[0]}).`,
      'E_OPEN_ITEMS',
      'Decide them, or complete with open items acknowledged (--accept-open-items); the completion then lists them.',
    );
  }
  const doc: SignedCompletion = {
    format: COMPLETION_FORMAT,
    openItemIds: open,
    coverage: { total: coverage.total, decided: coverage.decided, open: coverage.open },
    note,
    meaning: 'Review completed',
    signerName: signerNameOf(identity),
    signerFingerprint: identity.info.fingerprint,
    signedAt: now.toISOString(),
  };
  const signed = signDocument(identity, doc);
  db.transaction(() => {
    db.prepare(
      `INSERT INTO review_completions (open_items_json, coverage_json, note, signer_name, signer_fingerprint, signer_cert, signed_at, signed_json, signature)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(JSON.stringify(open), JSON.stringify(coverage), note, doc.signerName, doc.signerFingerprint, signed.certificate, doc.signedAt, signed.signedJson, signed.signature);
    appendJournal(
      db,
      'review_completed',
      { openItems: open.length, total: coverage.total, note, signerName: doc.signerName, signedJson: signed.signedJson, signature: signed.signature, certificate: signed.certificate },
      now,
    );
  })();
  const stored = latestCompletion(db);
  if (!stored) throw new Error('completion not stored');
  return stored;
}

export { toCompletionView };
