// A package carries the reviewer journal, its head signed with the auditor key, and
// the signed decisions (issue 14); verify-package re-verifies all three and, when one
// journal entry or one decision is altered inside the package, names each. The
// reference verifier docs/verify_package.py runs beside it and must agree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { unzipAll, writeZip, type PackageFiles } from '../helpers/package-zip.js';
import { scratchDir } from '../helpers/scratch.js';
import { runPythonVerifier } from '../helpers/python-verifier.js';
// Every variant goes through verify-package, verify_package.py and verify.html, which must agree (#18).
import { closeVerifyPageBrowser, verifyWithAll } from '../helpers/verify-all.js';
import { runVerifyPage } from '../helpers/verify-page.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { decide, deriveItems, journalEntries } from '../../src-main/core/review/index.js';
import { CsvRecordParser, csvLine } from '../../src-main/core/util/csv.js';

let dir: string;
let original: PackageFiles;
let itemId: string;
let journalAfterExport: string[];
let manifestHashJournaled: unknown;

before(async () => {
  dir = scratchDir('auditdesk-package-review-');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 300, { conversations: 40 });
  createIdentity({ name: 'Rita Reviewer', org: 'Audit LLP', email: 'rita@audit.example', password: 'review-pw-123', out: join(dir, 'rita.p12') });
  const rita: LoadedIdentity = loadIdentity(join(dir, 'rita.p12'), 'review-pw-123');
  const item = deriveItems(f.db).find((i) => i.kind === 'anomaly')!;
  itemId = item.itemId;
  decide(f.db, rita, { itemId, evidenceHash: item.evidenceHash, disposition: 'false_positive', meaning: 'Dismissed as false positive', note: '=batch job at night', reference: 'TICKET-9' });
  const pkg = join(dir, 'pkg.zip');
  await writePackage({ db: f.db, filter: { tenant: ['acme'] }, identity: rita, out: pkg, createdAt: '2026-11-01T10:00:00Z', auditorKey: loadOrCreateAuditorKey(join(dir, 'data')) });
  const entries = journalEntries(f.db);
  journalAfterExport = entries.map((e) => e.action);
  manifestHashJournaled = entries.at(-1)?.details.manifestHash;
  f.close();
  original = await unzipAll(pkg);
});

after(async () => {
  await closeVerifyPageBrowser();
});

let n = 0;
async function variant(edit: (m: PackageFiles) => void) {
  const copy: PackageFiles = new Map([...original].map(([k, v]) => [k, Buffer.from(v)]));
  edit(copy);
  const path = await writeZip(join(dir, `variant-${++n}.zip`), copy);
  return Object.assign(await verifyWithAll(path), { path });
}

test('the package holds the journal, its signed head and the signed decisions, and they verify', async () => {
  assert.ok(original.has('journal.jsonl') && original.has('journal-head.json') && original.has('decisions.csv'));
  const lines = original.get('journal.jsonl')!.toString('utf8').trim().split('\n');
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { action: string }).action),
    ['decision'],
    'the journal up to the export',
  );
  const head = JSON.parse(original.get('journal-head.json')!.toString('utf8')) as { seq: number; hash: string; signedAt: string };
  assert.equal(head.seq, 1);
  assert.equal(head.hash, (JSON.parse(lines[0]!) as { hash: string }).hash);
  const [header, row] = new CsvRecordParser().push(original.get('decisions.csv')!.toString('utf8'), true);
  const cell = (c: string) => row![header!.indexOf(c)];
  assert.equal(cell('signer_name'), 'Rita Reviewer');
  assert.equal(cell('meaning'), 'Dismissed as false positive');
  assert.equal(cell('note'), "'=batch job at night", 'a note that reads as a formula is neutralised like every CSV cell');
  assert.equal(cell('disposition'), 'false_positive');
  assert.equal(cell('reference'), 'TICKET-9');
  assert.match(cell('signed_at')!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'the time carries its zone (UTC)');
  const r = await verifyWithAll(join(dir, 'pkg.zip'));
  assert.deepEqual(r.failures, []);
  // The page shows the same journal verdict as verify-package.
  const page = await runVerifyPage(join(dir, 'pkg.zip'));
  assert.match(page.text, /reviewer journal: intact, 1 entries, 1 signatures checked, head signed by auditor key [0-9a-f]{16}/);
  assert.ok(
    r.notes.some((x) => /^reviewer journal: intact, 1 entries, 1 signatures checked, head signed by auditor key [0-9a-f]{16}$/.test(x)),
    r.notes.join('\n'),
  );
  // The export itself is journaled after the package, with the manifest's hash.
  assert.deepEqual(journalAfterExport, ['decision', 'export']);
  assert.equal(manifestHashJournaled, createHash('sha256').update(original.get('manifest.json')!).digest('hex'));
});

test('an altered journal entry is named by its seq, and the decision inside it by its item', async () => {
  const r = await variant((m) => {
    const e = JSON.parse(m.get('journal.jsonl')!.toString('utf8')) as { details: { note: string } };
    // Same length: the reference verifier reads no file whose size differs from the manifest's.
    e.details.note = 'harmless job at 9am';
    m.set('journal.jsonl', Buffer.from(`${JSON.stringify(e)}\n`));
  });
  assert.equal(r.verdict, 'invalid');
  const journal = r.failures.filter((f) => f.file === 'journal.jsonl').map((f) => `${f.code}: ${f.message}`);
  assert.ok(
    journal.some((x) => /^JOURNAL_BROKEN: journal\.jsonl entry 1: its content does not give its hash/.test(x)),
    journal.join('\n'),
  );
  assert.ok(
    journal.some((x) => x === `DECISION_SIGNATURE_INVALID: journal.jsonl entry 1: decision on ${itemId}: its note differs from the signed note`),
    journal.join('\n'),
  );
  assert.ok(runPythonVerifier(r.path).codes.includes('JOURNAL_BROKEN'), 'the reference verifier checks the journal chain too');
});

test('an altered decision is named by its id and item, whether its text or its signed JSON changed', async () => {
  const edit = (change: (row: (string | null)[], header: (string | null)[]) => void) => (m: PackageFiles) => {
    const [header, ...rows] = new CsvRecordParser().push(m.get('decisions.csv')!.toString('utf8'), true);
    change(rows[0]!, header!);
    m.set('decisions.csv', Buffer.from([header!, ...rows].map((r) => csvLine(r, [])).join('')));
  };
  const noted = await variant(edit((row, h) => (row[h.indexOf('disposition')] = 'confirmed')));
  assert.ok(
    noted.failures.some((f) => f.code === 'DECISION_SIGNATURE_INVALID' && f.message === `decisions.csv decision #1 on ${itemId}: its disposition differs from the signed disposition`),
    JSON.stringify(noted.failures),
  );
  const resigned = await variant(
    edit((row, h) => {
      const i = h.indexOf('signed_json');
      row[i] = row[i]!.replace('"disposition":"false_positive"', '"disposition":"confirmed"');
      row[h.indexOf('disposition')] = 'confirmed';
    }),
  );
  assert.ok(
    resigned.failures.some((f) => f.code === 'DECISION_SIGNATURE_INVALID' && f.message === `decisions.csv decision #1 on ${itemId}: the signature does not verify over the signed text`),
    JSON.stringify(resigned.failures),
  );
});
