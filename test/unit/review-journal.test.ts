// The reviewer journal's chain names the first altered entry; a decision whose text was
// changed and whose chain was recomputed to hide it still fails its signature; and the
// signing session asks for the identity again after 15 minutes without a signature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache } from '../../src-main/core/cache/open.js';
import { appendJournal, journalEntries, verifyJournal, SigningSessionState, SIGNING_IDLE_MS, type JournalEntry } from '../../src-main/core/review/index.js';
import { journalHashOf } from '../../src-main/core/journal/journal.js';
import { signDocument, DECISION_FORMAT, type SignedDecision } from '../../src-main/core/journal/signing.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/identity.js';
import { scratchDir } from '../helpers/scratch.js';

let made: LoadedIdentity | undefined;
function selfIdentity(): LoadedIdentity {
  if (made) return made;
  const out = join(scratchDir('auditdesk-review-unit-'), 'una.p12');
  createIdentity({ name: 'Una Unit', org: 'Test', email: 'u@example.org', password: 'unit-test-pw', out });
  return (made = loadIdentity(out, 'unit-test-pw'));
}

function journalWithDecision(): JournalEntry[] {
  const db = openCache(':memory:');
  try {
    const id = selfIdentity();
    const doc: SignedDecision = {
      format: DECISION_FORMAT,
      itemId: 'anomaly:0123456789abcdef',
      evidenceHash: 'a'.repeat(64),
      disposition: 'false_positive',
      meaning: 'Dismissed as false positive',
      note: 'batch job',
      reference: null,
      signerName: 'Una Unit',
      signerFingerprint: id.info.fingerprint,
      signedAt: '2026-12-05T00:00:00.000Z',
      supersedes: null,
    };
    const s = signDocument(id, doc);
    appendJournal(db, 'sync', { source: 'demo', rows: 10, seals: 1 });
    appendJournal(db, 'decision', {
      itemId: doc.itemId,
      disposition: doc.disposition,
      meaning: doc.meaning,
      note: doc.note,
      signerName: doc.signerName,
      signedJson: s.signedJson,
      signature: s.signature,
      certificate: s.certificate,
    });
    appendJournal(db, 'export', { packageId: 'p', manifestHash: 'b'.repeat(64) });
    return journalEntries(db);
  } finally {
    db.close();
  }
}

test('an intact journal verifies with its decision signature checked', () => {
  const v = verifyJournal(journalWithDecision());
  assert.equal(v.verdict, 'intact');
  assert.equal(v.signaturesChecked, 1);
  assert.equal(v.entries, 3);
});

test('an altered entry is named by its seq', () => {
  const entries = journalWithDecision();
  entries[0] = { ...entries[0]!, details: { ...entries[0]!.details, rows: 9 } };
  const v = verifyJournal(entries);
  assert.equal(v.verdict, 'broken');
  assert.equal(v.firstBreak?.seq, 1);
  assert.match(v.firstBreak!.problem, /altered/);
  const dropped = journalWithDecision().filter((e) => e.seq !== 2);
  assert.equal(verifyJournal(dropped).firstBreak?.seq, 3);
});

test('a decision rewritten with the chain recomputed still fails: the signature names it', () => {
  const entries = journalWithDecision();
  const d = entries[1]!;
  const signedJson = String(d.details.signedJson).replace('"disposition":"false_positive"', '"disposition":"confirmed"');
  const forged = { ...d, details: { ...d.details, disposition: 'confirmed', signedJson } };
  const rechained: JournalEntry[] = [];
  let prev = entries[0]!.prev_hash;
  for (const e of [entries[0]!, forged, entries[2]!]) {
    const hash = journalHashOf(prev, e);
    rechained.push({ ...e, prev_hash: prev, hash });
    prev = hash;
  }
  const v = verifyJournal(rechained);
  assert.equal(v.firstBreak, null, 'the chain itself was recomputed');
  assert.equal(v.verdict, 'broken');
  assert.deepEqual(
    v.badSignatures.map((b) => b.seq),
    [2],
  );
  assert.match(v.badSignatures[0]!.problem, /decision on anomaly:0123456789abcdef: the signature does not verify/);
  // A visible note changed beside an intact signature is named too.
  const noteOnly = journalWithDecision();
  noteOnly[1] = { ...noteOnly[1]!, details: { ...noteOnly[1]!.details, note: 'something else' } };
  assert.ok(verifyJournal(noteOnly).badSignatures.some((b) => b.seq === 2 && /note differs/.test(b.problem)));
});

test('the signing session needs the identity first, then not, then again after 15 minutes idle', () => {
  const s = new SigningSessionState();
  const t0 = Date.parse('2026-12-05T10:00:00Z');
  assert.deepEqual(s.view(t0), { identity: null, needsIdentity: true, expiresAt: null });
  assert.equal(s.identityFor(undefined, t0), null);
  s.signed('f'.repeat(64), t0);
  assert.equal(s.view(t0 + 60_000).needsIdentity, false);
  assert.equal(s.identityFor(undefined, t0 + SIGNING_IDLE_MS - 1), 'f'.repeat(64));
  assert.equal(s.view(t0).expiresAt, '2026-12-05T10:15:00.000Z');
  assert.equal(s.view(t0 + SIGNING_IDLE_MS).needsIdentity, true);
  assert.equal(s.identityFor(undefined, t0 + SIGNING_IDLE_MS), null);
});
