// report.pdf: poppler's pdfsig accepts its embedded signature, and the report
// shows what an auditor must see (findings, breaks, capped appendix, page numbers)
// without leaking a secret found in model_config.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFixture, editAsSynced, fillDemoLike, uuidOf } from '../helpers/cache-fixture.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPdfSignature } from '../../src-main/core/export/pdf-signature.js';
import { zipEntry } from '../helpers/package-zip.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const hasTool = (t: string) => spawnSync(t, ['-v']).error === undefined;
const PDFSIG = hasTool('pdfsig');
const PDFTOTEXT = hasTool('pdftotext');

let dir: string;
let id: LoadedIdentity;
let pdfPath: string;
let pdf: Buffer;

const entry = zipEntry;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-report-'));
  createIdentity({ name: 'Pdf Tester', org: 'QA Org', email: 'pdf@audit.example', password: 'pdf-test-password', out: join(dir, 'id.p12') });
  id = loadIdentity(join(dir, 'id.p12'), 'pdf-test-password');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  const { events } = fillDemoLike(f, 'acme', 260);
  // The auditor confirmed one anomaly above the threshold (score 0.91).
  const confirmed = f.db.prepare("SELECT source_key FROM anomalies WHERE score_text = '0.91' ORDER BY source_key LIMIT 1").pluck().get() as string;
  f.addReview('acme', confirmed, 'confirmed', 'night export by a service account');
  // Plant a chain break the report must list: row 41 changed without rehash.
  editAsSynced(f.db, () => f.db.prepare("UPDATE records SET user_id = 'Ωmega-Ревизор' WHERE kind = 'event' AND seq = 41").run());
  void events;
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['acme'] },
    identity: id,
    out: join(dir, 'pkg.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 100,
    approvedVersions: ['2024-08-06'],
  });
  f.close();
  pdf = await entry(join(dir, 'pkg.zip'), 'report.pdf');
  pdfPath = join(dir, 'report.pdf');
  writeFileSync(pdfPath, pdf);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('report.pdf', () => {
  test('pdfsig reports the embedded signature valid, covering the whole document', { skip: PDFSIG ? false : 'pdfsig (poppler-utils) is not installed; CI installs it' }, () => {
    const out = execFileSync('pdfsig', [pdfPath], { encoding: 'utf8' });
    assert.match(out, /Signature Validation: Signature is Valid\./);
    assert.match(out, /Total document signed/);
    assert.match(out, /Signer Certificate Common Name: Pdf Tester/);
    assert.match(out, /SHA-256/);
  });

  test('our own CMS check agrees and names the signing certificate', () => {
    const r = verifyPdfSignature(pdf);
    assert.equal(r.ok, true, r.reason ?? '');
    assert.equal(r.certFingerprint, id.info.pdfFingerprint);
  });

  test('a changed byte makes both pdfsig and our check refuse it', { skip: PDFSIG ? false : 'pdfsig not installed' }, () => {
    const bad = Buffer.from(pdf);
    const i = bad.length - 2500;
    bad[i] = bad[i]! ^ 0x20;
    const badPath = join(dir, 'bad.pdf');
    writeFileSync(badPath, bad);
    const res = spawnSync('pdfsig', [badPath], { encoding: 'utf8' });
    assert.doesNotMatch(res.stdout, /Signature is Valid/);
    assert.equal(verifyPdfSignature(bad).ok, false);
  });

  test('shows findings, every break, the capped appendix and page numbers, with the secret redacted', { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.match(text, /Compliance package/);
    assert.match(text, /Tenant\s+acme/);
    assert.match(text, /Ωmega-Ревизор/, 'Greek and Cyrillic print as written (embedded DejaVu font)');
    assert.match(text, /Hash chain BROKEN: 1 break/);
    assert.match(text, /seq 41 \(modified\)/);
    assert.match(text, /Temperature above 0\.8/);
    assert.match(text, /1\.4/);
    assert.match(text, /Relaxed safety mode/);
    assert.match(text, /outside the approved list/);
    assert.match(text, /REDACTED/);
    assert.doesNotMatch(text, /sk-live-1234567890abcdef/);
    assert.match(text, /The first 100 of 260 events are listed \(cap 100\)/);
    assert.match(text, /Page 1 of \d+/);
    assert.match(text, /Signature/);
    assert.match(text, new RegExp(id.info.fingerprint));
    assert.match(text, new RegExp(uuidOf('acme-cv-5')));
    assert.match(text, /confirmed/);
    assert.match(text, /open/);
  });
});

describe('report.pdf signed by an auditor whose name is not in a Latin script', () => {
  const name = 'Łukasz Żółć 李明';
  let worldPdf: Buffer;
  let worldId: LoadedIdentity;

  before(async () => {
    createIdentity({ name, org: 'Ревизия ООО', email: 'lz@audit.example', password: 'pdf-test-password', out: join(dir, 'world.p12') });
    worldId = loadIdentity(join(dir, 'world.p12'), 'pdf-test-password');
    const f = new CacheFixture(join(dir, 'world.sqlite'));
    fillDemoLike(f, 'acme', 30);
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: worldId, out: join(dir, 'world.zip'), createdAt: '2026-03-01T08:30:00Z' });
    f.close();
    worldPdf = await entry(join(dir, 'world.zip'), 'report.pdf');
    writeFileSync(join(dir, 'world.pdf'), worldPdf);
  });

  test('pdfsig matches the signer to its certificate and prints the name as written', { skip: PDFSIG ? false : 'pdfsig not installed' }, () => {
    const out = execFileSync('pdfsig', [join(dir, 'world.pdf')], { encoding: 'utf8' });
    assert.match(out, /Signature Validation: Signature is Valid\./);
    assert.match(out, new RegExp(`Signer Certificate Common Name: ${name}`));
  });

  test('our own CMS check names the same signer', () => {
    const r = verifyPdfSignature(worldPdf);
    assert.equal(r.ok, true, r.reason ?? '');
    assert.equal(r.signer, name);
    assert.equal(r.certFingerprint, worldId.info.pdfFingerprint);
  });
});

describe('report.pdf of a tenant whose name hides characters', () => {
  // Drawn as is, "globex-bank" + U+200B is "globex-bank" on the page, and a user id with
  // U+202E loses the mark that says it is not what it reads as.
  const tenant = 'globex-bank\u200b';
  let spoofPath: string;

  before(async () => {
    const f = new CacheFixture(join(dir, 'spoof.sqlite'));
    fillDemoLike(f, tenant, 30);
    editAsSynced(f.db, () => f.db.prepare("UPDATE records SET user_id = '\u202enimda' WHERE kind = 'event' AND seq = 3").run());
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: [tenant] }, identity: id, out: join(dir, 'spoof.zip'), createdAt: '2026-03-01T08:30:00Z' });
    f.close();
    spoofPath = join(dir, 'spoof.pdf');
    writeFileSync(spoofPath, await entry(join(dir, 'spoof.zip'), 'report.pdf'));
  });

  test('names them as the CLI and the app do, \\u{200B}', { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
    const text = execFileSync('pdftotext', ['-layout', spoofPath, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.match(text, /Tenant\s+globex-bank\\u\{200B\}/);
    assert.match(text, /\\u\{202E\}nimda/);
    assert.doesNotMatch(text, /[\u200b\u202e]/, 'no hidden character is left in the text');
  });
});

describe('report.pdf of a tenant whose name looks like another tenant of the cache', () => {
  // "glоbex-bank" with a Cyrillic о prints as "globex-bank": page 1 says which tenant it looks like.
  const lookAlike = 'gl\u043ebex-bank';
  let alikeText: string;
  let ordinaryText: string;

  before(async () => {
    const f = new CacheFixture(join(dir, 'alike.sqlite'));
    for (const tenant of [lookAlike, 'globex-bank', 'acme']) fillDemoLike(f, tenant, 30);
    for (const [tenant, name] of [
      [lookAlike, 'alike'],
      ['acme', 'ordinary'],
    ] as const) {
      await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: [tenant] }, identity: id, out: join(dir, `${name}.zip`), createdAt: '2026-03-01T08:30:00Z' });
      writeFileSync(join(dir, `${name}.pdf`), await entry(join(dir, `${name}.zip`), 'report.pdf'));
    }
    f.close();
    if (PDFTOTEXT) {
      const text = (name: string) => execFileSync('pdftotext', ['-layout', join(dir, `${name}.pdf`), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      alikeText = text('alike');
      ordinaryText = text('ordinary');
    }
  });

  test('names the other tenant beside it, both written out as the app writes them', { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
    assert.match(alikeText, /Tenant\s+gl\u043ebex-bank \(gl\\u\{43E\}bex-bank looks like globex-bank\)/);
  });

  test('a tenant like no other of the cache is named alone', { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
    assert.match(ordinaryText, /Tenant\s+acme[ \t]*$/m);
    assert.doesNotMatch(ordinaryText, /looks like/);
  });
});
