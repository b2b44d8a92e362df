// The Review screen's API (issue 14) over the tampered demo tenant on real PostgreSQL:
// the exceptions queue lists every planted break with its evidence and coverage; a
// decision is signed with the auditor's PKCS#12 identity (identity + password first,
// then the password only), a wrong password records nothing, a stale item is refused,
// a new decision supersedes without erasing; the completion lists open items; and
// every step is in the hash-chained reviewer journal, whose signatures re-verify.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { IdentityView } from '../../src-main/core/contract/export.js';
import { clientFor, finishedJob } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';
import { signatureProblem } from '../../src-main/core/review/index.js';

let demo: DemoDb;
let ctx: AppContext;
let identity: IdentityView;
const PASSWORD = 'correct horse battery';

const api = () => clientFor(ctx);
async function refused(name: string, input: unknown): Promise<string> {
  const reply = await dispatch(ctx, name, input);
  assert.equal(reply.ok, false, `${name} should be refused`);
  return reply.ok ? '' : reply.error.code;
}

before(async () => {
  demo = await startDemoDb();
  ctx = await appOnDemo(demo, scratchDir('auditdesk-review-api-'), { synced: true });
  await finishedJob(ctx, 'integrity.verify', { target: 'cache' });
  identity = await api()['identity.create']({ name: 'Ada Auditor', org: 'Audit & Co', email: 'ada@example.org', password: PASSWORD, remember: false });
});

after(async () => {
  ctx?.close();
  await demo?.stop();
});

test('the queue holds each planted chain break of the tampered tenant, with readable evidence and coverage', async () => {
  const truth = demo.groundTruth;
  const queue = await api()['review.queue']({});
  const breaks = queue.items.filter((i) => i.kind === 'chain_break');
  assert.deepEqual(breaks.map((b) => b.evidence.find((f) => f.label === 'Break')!.value).sort(), ['deleted', 'modified']);
  assert.ok(breaks.every((b) => b.tenant === truth.tamperedTenant && b.status === 'open' && /^chain_break:[0-9a-f]{16}$/.test(b.itemId)));
  assert.ok(breaks.every((b) => /^[0-9a-f]{64}$/.test(b.evidenceHash) && b.title.includes(truth.tamperedTenant)));
  assert.ok(
    breaks.some((b) => b.rids.length > 0),
    'a modified row opens in the event drawer',
  );
  assert.ok(
    queue.items.some((i) => i.kind === 'anomaly'),
    'anomalies at or above 0.7 are exceptions',
  );
  assert.equal(queue.coverage.total, queue.items.length);
  assert.equal(queue.coverage.open + queue.coverage.decided, queue.coverage.total);
  assert.equal(queue.coverage.byKind.chain_break.total, 2);
  assert.equal(queue.completion, null);
  // The same cache read again gives the same ids and hashes: an item is stable.
  const again = await api()['review.queue']({});
  assert.deepEqual(
    again.items.map((i) => [i.itemId, i.evidenceHash]),
    queue.items.map((i) => [i.itemId, i.evidenceHash]),
  );
  const only = await api()['review.queue']({ kind: 'chain_break', tenant: truth.tamperedTenant });
  assert.equal(only.items.length, 2);
});

test('signing: identity and password first, a wrong password records nothing, then the password alone', async () => {
  const queue = await api()['review.queue']({ kind: 'chain_break' });
  const [first, second] = queue.items;
  const journalBefore = (await api()['journal.list']({})).length;
  const session = await api()['review.session']({});
  assert.equal(session.needsIdentity, true);
  const decision = {
    itemId: first!.itemId,
    evidenceHash: first!.evidenceHash,
    disposition: 'confirmed' as const,
    meaning: 'Confirmed as exception' as const,
    note: 'row 17 was edited after it was written',
    reference: 'CAPA-2026-01',
  };
  assert.equal(await refused('review.decide', { ...decision, password: PASSWORD }), 'E_IDENTITY_NEEDED');
  assert.equal(await refused('review.decide', { ...decision, identity: identity.fingerprint, password: 'not the password' }), 'E_PASSWORD');
  const untouched = await api()['review.queue']({ kind: 'chain_break' });
  assert.ok(
    untouched.items.every((i) => i.status === 'open' && i.decision === null),
    'a wrong password records no decision',
  );
  assert.equal((await api()['journal.list']({})).length, journalBefore, 'nor a journal entry');

  const signed = await api()['review.decide']({ ...decision, identity: identity.fingerprint, password: PASSWORD });
  assert.equal(signed.signature.signerName, 'Ada Auditor', 'the printed name comes from the certificate');
  assert.equal(signed.signature.signerFingerprint, identity.fingerprint);
  assert.equal(signed.signature.meaning, 'Confirmed as exception');
  assert.match(signed.signature.signedAt, /Z$/);
  assert.equal(signed.reference, 'CAPA-2026-01');
  const now = await api()['review.session']({});
  assert.equal(now.needsIdentity, false);
  assert.equal(now.identity, identity.fingerprint);

  const byPassword = await api()['review.decide']({
    itemId: second!.itemId,
    evidenceHash: second!.evidenceHash,
    disposition: 'escalated',
    meaning: 'Escalated',
    note: 'rows deleted after seq 40',
    password: PASSWORD,
  });
  assert.equal(byPassword.signature.signerName, 'Ada Auditor');
  const after = await api()['review.queue']({ kind: 'chain_break' });
  assert.ok(after.items.every((i) => i.status === 'decided'));
});

test('a decision on a changed item is refused, and a new decision supersedes the old one, both visible', async () => {
  const item = (await api()['review.queue']({ kind: 'chain_break' })).items[0]!;
  const stale = { itemId: item.itemId, evidenceHash: 'ab'.repeat(32), disposition: 'false_positive', meaning: 'Dismissed as false positive', note: 'n', password: PASSWORD };
  assert.equal(await refused('review.decide', stale), 'E_STALE_ITEM');
  const earlier = item.decision!;
  const newer = await api()['review.decide']({ ...stale, evidenceHash: item.evidenceHash, disposition: 'accepted_risk', meaning: 'Risk accepted', note: 'known migration fix, see ticket' });
  assert.equal(newer.supersedes, earlier.decisionId);
  const reread = (await api()['review.queue']({ kind: 'chain_break' })).items.find((i) => i.itemId === item.itemId)!;
  assert.equal(reread.decision!.decisionId, newer.decisionId);
  assert.deepEqual(
    reread.history.map((d) => d.decisionId),
    [earlier.decisionId],
  );
  assert.equal(reread.history[0]!.note, earlier.note);
  assert.throws(() => ctx.cache().prepare('UPDATE review_decisions SET note = ?').run('x'), /append-only/);
  assert.throws(() => ctx.cache().prepare('DELETE FROM review_decisions').run(), /append-only/);
});

test('completion is refused while items are open, and when accepted it lists them', async () => {
  const queue = await api()['review.queue']({});
  assert.ok(queue.coverage.open > 0);
  assert.equal(await refused('review.complete', { note: 'done', password: PASSWORD }), 'E_OPEN_ITEMS');
  const done = await api()['review.complete']({ note: 'chains reviewed; anomalies left to the client', acceptOpenItems: true, password: PASSWORD });
  assert.equal(done.openItemIds.length, queue.coverage.open);
  assert.deepEqual(new Set(done.openItemIds), new Set(queue.items.filter((i) => i.status === 'open').map((i) => i.itemId)));
  assert.equal(done.signature.meaning, 'Review completed');
  assert.equal(done.signature.signerName, 'Ada Auditor');
  assert.equal((await api()['review.queue']({})).completion!.completionId, done.completionId);
});

test('the reviewer journal chains every decision with its signature and re-verifies', async () => {
  const entries = await api()['journal.list']({});
  // The verification the app ran (integrity.verify) is journaled where it is stored.
  assert.deepEqual(
    entries.map((e) => e.action),
    ['verification', 'decision', 'decision', 'decision', 'review_completed'],
  );
  assert.deepEqual(
    entries.map((e) => e.seq),
    [1, 2, 3, 4, 5],
  );
  assert.match(entries[0]!.summary, /verification \(cache\): broken/);
  assert.match(entries[1]!.summary, /signed by Ada Auditor/);
  const v = await api()['journal.verify']({});
  assert.equal(v.verdict, 'intact');
  assert.equal(v.signaturesChecked, 4);
  assert.deepEqual(v.badSignatures, []);
  assert.equal(v.head, entries.at(-1)!.hash);
  const stored = ctx.cache().prepare('SELECT signed_json AS signedJson, signature, signer_cert AS certificate FROM review_decisions').all() as {
    signedJson: string;
    signature: string;
    certificate: string;
  }[];
  for (const s of stored) assert.equal(signatureProblem(s), null);
  // The signature covers the evidence hash: moved to another item's text, it fails.
  const moved = { ...stored[0]!, signedJson: stored[0]!.signedJson.replace(/"itemId":"[^"]+"/, '"itemId":"chain_break:0000000000000000"') };
  assert.match(signatureProblem(moved) ?? '', /does not verify/);
  assert.throws(() => ctx.cache().prepare('UPDATE review_journal SET at = ?').run('x'), /never rewritten/);
});
