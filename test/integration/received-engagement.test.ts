// An engagement handed over (its archive unzipped and opened on another workstation) carries
// the verdicts its first auditor's runs stored. They are that auditor's word, not a check made
// here, so the receiving app must not show them as its own "intact": each says it was given
// with another auditor key, until a verification here gives this workstation's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { unzipAll } from '../helpers/package-zip.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { clientFor, finishedJob, saveConnection } from '../helpers/app-calls.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { runAuditdesk } from '../helpers/cli.js';

let demo: DemoDb;
let sender: AppContext;
let receiver: AppContext;
let senderKeyId: string;
let receivedDir: string;
let receiverIdentity: string;
const RECEIVER_PASSWORD = 'receiver-password-1';

before(async () => {
  demo = await startDemoDb();
  const root = scratchDir('auditdesk-received-');
  sender = new AppContext({ dataDir: join(root, 'sender'), frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  const api = clientFor(sender);
  const created = await api['engagements.create']({ name: 'Acme handover', client: 'Acme' });
  await saveConnection(sender, demo.url, { id: 'src-acme', name: 'Acme audit DB', tenants: demo.groundTruth.tenants }, { makeActive: true });
  await finishedJob(sender, 'sync.start', {});
  await finishedJob(sender, 'integrity.verify', { target: 'cache' });
  senderKeyId = loadOrCreateAuditorKey(sender.dataDir).keyId;

  // Handed over as the archive the sender writes, unpacked where the receiver keeps it.
  const zip = join(root, 'handover.zip');
  await api['engagements.archive']({ dir: created.dir, out: zip });
  const unpacked = join(root, 'received');
  for (const [name, bytes] of await unzipAll(zip)) {
    mkdirSync(dirname(join(unpacked, name)), { recursive: true });
    writeFileSync(join(unpacked, name), bytes);
  }
  receivedDir = join(unpacked, created.dir.split('/').pop()!);
  receiver = new AppContext({ dataDir: join(root, 'receiver'), frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  await clientFor(receiver)['engagements.open']({ dir: receivedDir });
});

after(async () => {
  await sender?.shutdown();
  await receiver?.shutdown();
  await demo?.stop();
});

test("the sender's own app shows its verdicts as its own", async () => {
  const report = await clientFor(sender)['integrity.report']({});
  assert.ok(report.chains.length >= 3);
  assert.deepEqual(
    report.chains.map((c) => c.notCheckedHere),
    report.chains.map(() => null),
  );
});

test('a received engagement names the other key on every stored verdict, on Integrity and in the list', async () => {
  const api = clientFor(receiver);
  const report = await api['integrity.report']({});
  assert.ok(report.chains.length >= 3, 'the stored verdicts came with the engagement');
  for (const c of report.chains)
    assert.deepEqual(c.notCheckedHere, { why: 'another-key', keyId: senderKeyId, words: `another auditor's verdict (key ${senderKeyId})` }, `${c.tenant}/${c.table}: given with the sender's key`);
  assert.equal(report.lastRun?.notCheckedHere?.keyId, senderKeyId, "the last run (and its notes) are named as the sender's");
  const listed = (await api['engagements.list']({})).engagements.find((e) => e.dir === receivedDir)!;
  assert.equal(listed.verdict?.notCheckedHere?.keyId, senderKeyId, "the list's latest verdict names the other key");
  const cli = await runAuditdesk(['engagement', 'list', '--data-dir', receiver.dataDir]);
  assert.match(cli.stdout, new RegExp(`not checked here[^\\n]*another auditor's verdict \\(key ${senderKeyId}\\): verify --engagement DIR gives your own`), cli.stdout + cli.stderr);
});

test("a received engagement's text reaches the terminal escaped in engagement list", async () => {
  // Whoever hands an engagement over writes its cache: a time with terminal escapes in it
  // must not move the cursor over the lines engagement list prints.
  const latest = receiver.cache().prepare('SELECT report_id, checked_at FROM verify_reports ORDER BY report_id DESC LIMIT 1').get() as { report_id: number; checked_at: string };
  const setTime = receiver.cache().prepare('UPDATE verify_reports SET checked_at = ? WHERE report_id = ?');
  setTime.run('2026-12-01T00:00:00Z\u001b[2A\u001b[2K\u202eintact', latest.report_id);
  const cli = await runAuditdesk(['engagement', 'list', '--data-dir', receiver.dataDir]);
  assert.equal(cli.code, 0, cli.stderr);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(cli.stdout.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control or bidi character reaches the terminal');
  assert.match(cli.stdout, /2026-12-01T00:00:00Z\\u\{1B\}\[2A/, 'the planted text is shown, escaped');
  assert.match(cli.stdout, /a verdict record whose signature does not match it \(changed since it was stored\)/, "and the edited record is not the sender's any more");
  setTime.run(latest.checked_at, latest.report_id);
});

test("the receiver cannot sign the review's completion over the sender's verdicts, and is told how to give their own", async () => {
  const identity = await clientFor(receiver)['identity.create']({ name: 'Rita Receiver', org: 'QA', email: 'rita@audit.example', password: RECEIVER_PASSWORD });
  receiverIdentity = identity.fingerprint;
  const refused = await dispatch(receiver, 'review.complete', { note: 'reviewed', acceptOpenItems: true, identity: receiverIdentity, password: RECEIVER_PASSWORD });
  assert.equal(refused.ok, false);
  if (refused.ok) return;
  assert.equal(refused.error.code, 'E_NOT_VERIFIED_HERE');
  assert.match(refused.error.message, new RegExp(`verdicts not checked here: \\d+ chain\\(s\\), first .* \\(another auditor's verdict \\(key ${senderKeyId}\\)\\)\\. The exceptions queue`));
  assert.match(refused.error.message, /Re-verify cache/, 'the way out is in the message');
  // The Review screen says so before anyone tries.
  const queue = await clientFor(receiver)['review.queue']({});
  assert.ok(queue.verifiedElsewhere.length >= 3);
  assert.ok(queue.verifiedElsewhere.every((c) => c.notCheckedHere.keyId === senderKeyId));
  const listed = await runAuditdesk(['review', 'list', '--engagement', receivedDir, '--data-dir', receiver.dataDir]);
  assert.equal(listed.code, 1, listed.stderr);
  assert.match(
    listed.stdout,
    new RegExp(`^NOT CHECKED HERE: the chain items below come from verdicts not checked on this workstation \\(\\d+ chain\\(s\\), first: another auditor's verdict \\(key ${senderKeyId}\\)`, 'm'),
  );
});

test("after the receiver verifies the cache, the verdicts are the receiver's own", async () => {
  await finishedJob(receiver, 'integrity.verify', { target: 'cache' });
  const report = await clientFor(receiver)['integrity.report']({});
  assert.deepEqual(
    report.chains.map((c) => c.notCheckedHere),
    report.chains.map(() => null),
  );
  assert.equal(report.lastRun?.notCheckedHere, null);
  const listed = (await clientFor(receiver)['engagements.list']({})).engagements.find((e) => e.dir === receivedDir)!;
  assert.equal(listed.verdict?.notCheckedHere, null);
  assert.deepEqual((await clientFor(receiver)['review.queue']({})).verifiedElsewhere, []);
  const queueListed = await runAuditdesk(['review', 'list', '--engagement', receivedDir, '--data-dir', receiver.dataDir]);
  assert.doesNotMatch(queueListed.stdout, /NOT CHECKED HERE/);
  const done = await clientFor(receiver)['review.complete']({ note: 'reviewed after verifying here', acceptOpenItems: true, identity: receiverIdentity, password: RECEIVER_PASSWORD });
  assert.equal(done.signature.signerName.startsWith('Rita Receiver'), true, "the completion is signed once the verdicts are this workstation's");
});
