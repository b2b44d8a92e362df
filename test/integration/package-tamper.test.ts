// A package that was changed in any way after signing is refused, and the report
// names what was changed: the tamper matrix of issue 5. The reference verifier
// docs/verify_package.py runs on every package here and must give the same verdict
// with the same failure codes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { unzipAll, writeZip } from '../helpers/package-zip.js';
import { createIdentity, loadIdentity, certPem, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import type { PackageVerification } from '../../src-main/core/export/verify-package.js';
// Every package of the matrix goes through verify-package, the Python reference verifier and
// verify.html in Chromium, which must agree (issues 18, 19).
import { closeVerifyPageBrowser, verifyWithAll } from '../helpers/verify-all.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const PASSWORD = 'tamper-test-password';
let dir: string;
let pkg: string;
let alice: LoadedIdentity;
let mallory: LoadedIdentity;
let original: Map<string, Buffer>;

let counter = 0;
const zipOf = (entries: Map<string, Buffer>) => writeZip(join(dir, `variant-${++counter}.zip`), entries);

function edited(edit: (m: Map<string, Buffer>) => void): Map<string, Buffer> {
  const copy = new Map([...original].map(([k, v]) => [k, Buffer.from(v)]));
  edit(copy);
  return copy;
}

function codes(r: PackageVerification, file?: string): string[] {
  return r.failures.filter((f) => file === undefined || f.file === file).map((f) => f.code);
}

function flipMiddle(buf: Buffer, at = Math.floor(buf.length / 2)): Buffer {
  const b = Buffer.from(buf);
  const i = at;
  // Stay printable ASCII so text files still parse: swap the lowest bit of a letter/digit.
  let j = i;
  while (j < b.length && !/[A-Za-z0-9]/.test(String.fromCharCode(b[j]!))) j++;
  b[j] = b[j]! ^ 0x01;
  return b;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-tamper-'));
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 400);
  createIdentity({ name: 'Alice Auditor', org: 'Audit LLP', email: 'alice@audit.example', password: PASSWORD, out: join(dir, 'alice.p12') });
  createIdentity({ name: 'Mallory', org: 'Forgers Inc', email: 'mallory@evil.example', password: PASSWORD, out: join(dir, 'mallory.p12') });
  alice = loadIdentity(join(dir, 'alice.p12'), PASSWORD);
  mallory = loadIdentity(join(dir, 'mallory.p12'), PASSWORD);
  pkg = join(dir, 'pkg.zip');
  await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: alice, out: pkg, createdAt: '2026-11-01T10:00:00Z' });
  f.close();
  original = await unzipAll(pkg);
});

after(async () => {
  await closeVerifyPageBrowser();
  rmSync(dir, { recursive: true, force: true });
});

describe('an untouched package', () => {
  test('is valid, and trusted when pinned to the signer fingerprint or certificate', async () => {
    const r = await verifyWithAll(pkg, { trust: alice.info.fingerprint });
    assert.deepEqual(r.failures, []);
    assert.equal(r.valid, true);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.signer?.trusted, true);
    assert.equal(r.chain?.intact, true);
    assert.equal(r.chain?.rows, 400);
    const byPem = await verifyWithAll(pkg, { trust: certPem(alice.signingCertDer) });
    assert.equal(byPem.valid, true);
  });

  test('without a pin is intact but "unpinned", never valid (issue 11)', async () => {
    const r = await verifyWithAll(pkg);
    assert.deepEqual(r.failures, []);
    assert.equal(r.verdict, 'unpinned');
    assert.equal(r.valid, false);
  });

  test('holds exactly the documented files', () => {
    assert.deepEqual(
      [...original.keys()],
      [
        'access_log.csv',
        'anomalies.csv',
        'audit_events.csv',
        'checkpoint.note',
        'conversation_logs.csv',
        'decisions.csv',
        'journal.jsonl',
        'manifest.json',
        'manifest.json.minisig',
        'manifest.minisign.pub',
        'manifest.sig',
        'report.pdf',
        'reviews.csv',
        'signer.pem',
        'signer.vkey',
        'verification.json',
        'verify.html',
      ],
    );
  });
});

describe('tamper matrix: each change is detected and named', () => {
  const dataFiles = ['access_log.csv', 'anomalies.csv', 'audit_events.csv', 'conversation_logs.csv', 'reviews.csv', 'verification.json', 'report.pdf', 'signer.pem'];
  for (const name of dataFiles) {
    test(`a byte flipped in ${name} → HASH_MISMATCH for ${name}`, async () => {
      const r = await verifyWithAll(await zipOf(edited((m) => m.set(name, flipMiddle(m.get(name)!)))));
      assert.equal(r.valid, false);
      assert.ok(codes(r, name).includes('HASH_MISMATCH'), JSON.stringify(r.failures));
    });
  }

  test('a byte flipped in report.pdf also breaks its embedded signature', async () => {
    // A byte in the signed part (the tail, after the /Contents hole), not in the hole's padding.
    const pdf = original.get('report.pdf')!;
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('report.pdf', flipMiddle(pdf, pdf.length - 3000)))));
    assert.ok(codes(r, 'report.pdf').includes('PDF_SIGNATURE_INVALID'), JSON.stringify(r.failures));
  });

  test('checkpoint.note with its tree size changed → HASH_MISMATCH and CHECKPOINT_INVALID, named by all three verifiers', async () => {
    const note = original.get('checkpoint.note')!.toString();
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('checkpoint.note', Buffer.from(note.replace('\n400\n', '\n401\n'))))));
    assert.deepEqual([...new Set(codes(r, 'checkpoint.note'))].sort(), ['CHECKPOINT_INVALID', 'HASH_MISMATCH']);
  });

  test('report.pdf replaced by a genuine, signed report of another package (same size) → HASH_MISMATCH, and PDF_SIGNER_MISMATCH when another person signed it', async () => {
    // Another package of the same rows by Mallory: its report.pdf verifies on its own, but not here.
    const other = join(dir, 'mallory.zip');
    const f = new CacheFixture(join(dir, 'mallory.sqlite'));
    fillDemoLike(f, 'acme', 400);
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: mallory, out: other, createdAt: '2026-11-01T10:00:00Z' });
    f.close();
    const lifted = (await unzipAll(other)).get('report.pdf')!;
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('report.pdf', lifted))), { trust: alice.info.fingerprint });
    assert.equal(r.verdict, 'invalid');
    const onPdf = codes(r, 'report.pdf');
    assert.ok(onPdf.includes('HASH_MISMATCH') || onPdf.includes('SIZE_MISMATCH'), JSON.stringify(r.failures));
    if (lifted.length === original.get('report.pdf')!.length) assert.ok(onPdf.includes('PDF_SIGNER_MISMATCH'), JSON.stringify(r.failures));
  });

  test('a byte flipped in audit_events.csv: HASH_MISMATCH, and the CSV is not parsed once its hash is wrong (issue 11)', async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('audit_events.csv', flipMiddle(m.get('audit_events.csv')!)))));
    assert.deepEqual(codes(r, 'audit_events.csv'), ['HASH_MISMATCH']);
    assert.ok(
      r.notes.some((n) => /audit_events\.csv was not parsed/.test(n)),
      JSON.stringify(r.notes),
    );
    assert.equal(r.chain, null);
  });

  test('a byte flipped in manifest.json → SIGNATURE_INVALID', async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('manifest.json', flipMiddle(m.get('manifest.json')!)))));
    assert.ok(codes(r).includes('SIGNATURE_INVALID') || codes(r).includes('MANIFEST_INVALID'), JSON.stringify(r.failures));
  });

  test('a byte flipped in manifest.sig → SIGNATURE_INVALID', async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('manifest.sig', flipMiddle(m.get('manifest.sig')!)))));
    assert.deepEqual(codes(r), ['SIGNATURE_INVALID']);
  });

  for (const name of ['audit_events.csv', 'report.pdf', 'signer.pem', 'manifest.sig', 'manifest.json']) {
    test(`${name} removed → named`, async () => {
      const r = await verifyWithAll(await zipOf(edited((m) => m.delete(name))));
      assert.equal(r.valid, false);
      const expected = { 'manifest.json': 'MANIFEST_MISSING', 'manifest.sig': 'SIGNATURE_MISSING', 'signer.pem': 'CERT_MISSING' }[name] ?? 'MISSING_FILE';
      assert.ok(codes(r).includes(expected), JSON.stringify(r.failures));
    });
  }

  test('a file added → UNEXPECTED_FILE', async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('readme.txt', Buffer.from('trust me')))));
    assert.deepEqual(codes(r), ['UNEXPECTED_FILE']);
    assert.equal(r.failures[0]!.file, 'readme.txt');
  });

  test('a manifest field edited (the tenant) → SIGNATURE_INVALID', async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('manifest.json', Buffer.from(m.get('manifest.json')!.toString().replace('"tenant": "acme"', '"tenant": "acmf"'))))));
    assert.ok(codes(r).includes('SIGNATURE_INVALID'), JSON.stringify(r.failures));
  });

  test('a manifest row count lowered to hide rows, re-signed by another key → SIGNER_MISMATCH, and UNTRUSTED_SIGNER when pinned', async () => {
    const variant = edited((m) => {
      const man = JSON.parse(m.get('manifest.json')!.toString());
      man.files.find((f: { name: string }) => f.name === 'audit_events.csv').rows -= 1;
      const bytes = Buffer.from(`${JSON.stringify(man, null, 2)}\n`);
      m.set('manifest.json', bytes);
      m.set('manifest.sig', sign(null, bytes, mallory.signingKey));
      m.set('signer.pem', Buffer.from(certPem(mallory.signingCertDer)));
    });
    const r = await verifyWithAll(await zipOf(variant), { trust: alice.info.fingerprint });
    const found = codes(r);
    for (const c of ['SIGNER_MISMATCH', 'UNTRUSTED_SIGNER', 'ROW_COUNT_MISMATCH', 'PDF_SIGNER_MISMATCH']) assert.ok(found.includes(c), `${c} in ${JSON.stringify(r.failures)}`);
    // Mallory's signer.pem is not the one the manifest records: its size or its hash is named.
    assert.ok(
      codes(r, 'signer.pem').some((c) => c === 'SIZE_MISMATCH' || c === 'HASH_MISMATCH'),
      JSON.stringify(r.failures),
    );
  });

  test("the signature replaced by another key's → SIGNATURE_INVALID", async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('manifest.sig', sign(null, m.get('manifest.json')!, mallory.signingKey)))));
    assert.deepEqual(codes(r), ['SIGNATURE_INVALID']);
  });

  test('the certificate swapped → SIGNATURE_INVALID, SIGNER_MISMATCH and SIZE_MISMATCH or HASH_MISMATCH on signer.pem', async () => {
    const r = await verifyWithAll(await zipOf(edited((m) => m.set('signer.pem', Buffer.from(certPem(mallory.signingCertDer))))));
    const found = codes(r);
    for (const c of ['SIGNATURE_INVALID', 'SIGNER_MISMATCH']) assert.ok(found.includes(c), `${c} in ${JSON.stringify(r.failures)}`);
    assert.ok(
      codes(r, 'signer.pem').some((c) => c === 'SIZE_MISMATCH' || c === 'HASH_MISMATCH'),
      JSON.stringify(r.failures),
    );
  });

  test('a ../ entry in the ZIP → UNSAFE_PATH naming the entry', async () => {
    // yazl refuses to write "../" names, so write a same-length name and patch the bytes.
    const path = await zipOf(edited((m) => m.set('AA/evil.txt', Buffer.from('x'))));
    const bytes = readFileSync(path);
    const from = Buffer.from('AA/evil.txt');
    const to = Buffer.from('../evil.txt');
    let at = bytes.indexOf(from);
    let patched = 0;
    while (at >= 0) {
      to.copy(bytes, at);
      patched++;
      at = bytes.indexOf(from, at + 1);
    }
    assert.equal(patched, 2); // local header + central directory
    writeFileSync(path, bytes);
    const r = await verifyWithAll(path);
    assert.ok(
      r.failures.some((f) => f.code === 'UNSAFE_PATH' && f.file === '../evil.txt'),
      JSON.stringify(r.failures),
    );
  });

  test('an absolute path entry → UNSAFE_PATH', async () => {
    const path = await zipOf(edited((m) => m.set('Xetc/passwd', Buffer.from('x'))));
    const bytes = readFileSync(path);
    let at = bytes.indexOf('Xetc/passwd');
    while (at >= 0) {
      bytes[at] = '/'.charCodeAt(0);
      at = bytes.indexOf('Xetc/passwd', at + 1);
    }
    writeFileSync(path, bytes);
    const r = await verifyWithAll(path);
    assert.ok(
      r.failures.some((f) => f.code === 'UNSAFE_PATH' && f.file === '/etc/passwd'),
      JSON.stringify(r.failures),
    );
  });

  test('a symbolic-link entry → UNSAFE_PATH', async () => {
    const path = join(dir, 'symlink.zip');
    const zip = new yazl.ZipFile();
    for (const [name, data] of original) zip.addBuffer(data, name, { mtime: new Date(2026, 0, 1) });
    zip.addBuffer(Buffer.from('/etc/passwd'), 'link', { mode: 0o120777, mtime: new Date(2026, 0, 1) });
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    writeFileSync(path, Buffer.concat(chunks));
    const r = await verifyWithAll(path);
    assert.ok(
      r.failures.some((f) => f.code === 'UNSAFE_PATH' && f.file === 'link'),
      JSON.stringify(r.failures),
    );
  });

  test('a truncated ZIP → ZIP_UNREADABLE', async () => {
    const bytes = readFileSync(pkg);
    for (const keep of [bytes.length - 10, Math.floor(bytes.length / 2), 100]) {
      const path = join(dir, `trunc-${keep}.zip`);
      writeFileSync(path, bytes.subarray(0, keep));
      const r = await verifyWithAll(path);
      assert.equal(r.valid, false);
      assert.deepEqual(codes(r), ['ZIP_UNREADABLE'], `cut at ${keep}`);
    }
  });
});
