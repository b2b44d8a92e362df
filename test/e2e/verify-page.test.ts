// verify.html, opened from the package itself in Debian Chromium as a reader would:
// the same verdict and failure codes as verify-package on a good package and on
// tampered copies, no request leaves the page, no console error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { copyOf, unzipAll, writeZip, type PackageFiles } from '../helpers/package-zip.js';
import { scratchDir } from '../helpers/scratch.js';
import { closeVerifyPageBrowser, runVerifyPage } from '../helpers/verify-page.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { SCREENSHOT_DIR } from './support/stack.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const dir = scratchDir('auditdesk-verify-page-');
let alice: LoadedIdentity;
let pkg: string;
let files: PackageFiles;
let page: string;

function flip(buf: Buffer): Buffer {
  const b = Buffer.from(buf);
  let j = Math.floor(b.length / 2);
  while (!/[A-Za-z0-9]/.test(String.fromCharCode(b[j]!))) j++;
  b[j] = b[j]! ^ 1;
  return b;
}

async function both(path: string, pin?: string) {
  const cli = await verifyPackage(path, pin ? { trust: pin } : {});
  const web = await runVerifyPage(path, { pin, page });
  assert.deepEqual(web.errors, [], 'console errors on the page');
  assert.deepEqual(web.requests, [], 'the page made a request');
  return { cli, web, cliCodes: [...new Set(cli.failures.map((f) => f.code))].sort() };
}

describe('the verify page inside a package', () => {
  before(async () => {
    const f = new CacheFixture(join(dir, 'cache.sqlite'));
    fillDemoLike(f, 'acme', 300);
    createIdentity({ name: 'Alice Auditor', org: 'Audit LLP', email: 'alice@audit.example', password: 'page-test-password', out: join(dir, 'alice.p12') });
    alice = loadIdentity(join(dir, 'alice.p12'), 'page-test-password');
    pkg = join(dir, 'pkg.zip');
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: alice, out: pkg, createdAt: '2026-11-01T10:00:00Z' });
    f.close();
    files = await unzipAll(pkg);
    // The reader opens the copy that came in the package.
    page = join(dir, 'verify.html');
    writeFileSync(page, files.get('verify.html')!);
  });
  after(() => closeVerifyPageBrowser());

  test('a good package: unpinned without the fingerprint, valid with it, like verify-package; the chain is recomputed', async () => {
    const open = await both(pkg);
    assert.equal(open.web.verdict, 'unpinned');
    assert.equal(open.cli.verdict, 'unpinned');
    assert.equal(open.web.dataIntact, true);
    assert.match(open.web.text, /300 rows, seq 1 to 300/);
    const pinned = await both(pkg, alice.info.fingerprint);
    assert.equal(pinned.cli.verdict, 'valid');
    assert.equal(pinned.web.verdict, 'valid');
    await runVerifyPage(pkg, { pin: alice.info.fingerprint, page, screenshot: join(SCREENSHOT_DIR, 'verify-page-valid.png') });
  });

  test('another fingerprint pinned: invalid on both, UNTRUSTED_SIGNER', async () => {
    const r = await both(pkg, 'ab'.repeat(32));
    assert.equal(r.web.verdict, 'invalid');
    assert.equal(r.cli.verdict, 'invalid');
    assert.ok(r.web.codes.includes('UNTRUSTED_SIGNER') && r.cliCodes.includes('UNTRUSTED_SIGNER'));
  });

  for (const [name, edit, code] of [
    ['a byte flipped in audit_events.csv', (m: PackageFiles) => m.set('audit_events.csv', flip(m.get('audit_events.csv')!)), 'HASH_MISMATCH'],
    ['a byte flipped in manifest.json', (m: PackageFiles) => m.set('manifest.json', flip(m.get('manifest.json')!)), 'SIGNATURE_INVALID'],
    ['a file the manifest does not name', (m: PackageFiles) => m.set('notes.txt', Buffer.from('hello')), 'UNEXPECTED_FILE'],
    ['reviews.csv removed', (m: PackageFiles) => m.delete('reviews.csv'), 'MISSING_FILE'],
    // Found by a flipped byte: a manifest read despite its bad signature crashed both verifiers.
    ['a manifest column without its type', (m: PackageFiles) => m.set('manifest.json', Buffer.from(m.get('manifest.json')!.toString().replace('"type":', '"tyqe":'))), 'MANIFEST_INVALID'],
  ] as const) {
    test(`${name}: invalid on both, ${code} named by both`, async () => {
      const path = await writeZip(join(dir, `${code}.zip`), copyOf(files, edit));
      const r = await both(path, alice.info.fingerprint);
      assert.equal(r.cli.verdict, 'invalid');
      assert.equal(r.web.verdict, 'invalid');
      assert.ok(r.cliCodes.includes(code), JSON.stringify(r.cliCodes));
      assert.ok(r.web.codes.includes(code), JSON.stringify(r.web.codes));
    });
  }

  test('a ZIP cut short: ZIP_UNREADABLE on both', async () => {
    const path = join(dir, 'cut.zip');
    const { readFileSync } = await import('node:fs');
    writeFileSync(path, readFileSync(pkg).subarray(0, 4000));
    const r = await both(path);
    assert.equal(r.web.verdict, 'invalid');
    assert.ok(r.web.codes.includes('ZIP_UNREADABLE') && r.cliCodes.includes('ZIP_UNREADABLE'), `${r.web.codes} / ${r.cliCodes}`);
  });
});
