// A package verdict names what was proven (issue 11): "valid" only when the signer is
// pinned, "unpinned" (exit 3) when everything checks but anyone could have signed it,
// "invalid" (exit 1) for any failure. Each attack here was a forged VALID before.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { copyOf, unzipAll, writeZip, type PackageFiles } from '../helpers/package-zip.js';
import { createIdentity, loadIdentity, certPem, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { makeEd25519Certificate, selfIssuer } from '../../src-main/core/identity/certs.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
const PASSWORD = 'verdict-test-password';
const UNPINNED_WORDS = 'every file is as signed, but the signer is not pinned; anyone can make such a package';
let dir: string;
let alicePkg: string;
let malloryPkg: string;
let alice: LoadedIdentity;
let mallory: LoadedIdentity;
let aliceFiles: PackageFiles;
let malloryFiles: PackageFiles;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'verify-package', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let n = 0;
const variant = (files: PackageFiles) => writeZip(join(dir, `variant-${++n}.zip`), files);

/** A manifest edited and signed again by `by` (with `by`'s certificate as signer.pem). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an attacker edits any field of the manifest, typed or not
function resigned(files: PackageFiles, by: { key: Parameters<typeof sign>[2]; certDer: Buffer }, edit: (m: Record<string, any>) => void): PackageFiles {
  return copyOf(files, (m) => {
    const man = JSON.parse(m.get('manifest.json')!.toString());
    const pem = Buffer.from(certPem(by.certDer));
    m.set('signer.pem', pem);
    const signerEntry = man.files.find((f: { name: string }) => f.name === 'signer.pem');
    if (signerEntry) {
      signerEntry.size = pem.length;
      signerEntry.sha256 = sha256Hex(pem);
    }
    edit(man);
    const bytes = Buffer.from(`${JSON.stringify(man, null, 2)}\n`);
    m.set('manifest.json', bytes);
    m.set('manifest.sig', sign(null, bytes, by.key));
  });
}

before(async () => {
  dir = scratchDir('auditdesk-verdict-');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 120);
  createIdentity({ name: 'Alice Auditor', org: 'Audit LLP', email: 'alice@audit.example', password: PASSWORD, out: join(dir, 'alice.p12') });
  createIdentity({ name: 'Mallory', org: 'Forgers Inc', email: 'mallory@evil.example', password: PASSWORD, out: join(dir, 'mallory.p12') });
  alice = loadIdentity(join(dir, 'alice.p12'), PASSWORD);
  mallory = loadIdentity(join(dir, 'mallory.p12'), PASSWORD);
  alicePkg = join(dir, 'alice.zip');
  malloryPkg = join(dir, 'mallory.zip');
  await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: alice, out: alicePkg, createdAt: '2026-11-01T10:00:00Z' });
  await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: mallory, out: malloryPkg, createdAt: '2026-11-01T10:00:00Z' });
  f.close();
  aliceFiles = await unzipAll(alicePkg);
  malloryFiles = await unzipAll(malloryPkg);
});

describe('verify-package exit codes and verdicts', () => {
  test('no --trust: exit 3, "unpinned", the fingerprint to pin, never VALID', () => {
    const r = cli([alicePkg]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(UNPINNED_WORDS), r.stdout);
    assert.doesNotMatch(r.stdout, /\bVALID\b/);
    assert.ok(r.stdout.replace(/:/g, '').includes(alice.info.fingerprint), 'prints the fingerprint to pin');
    const json = cli([alicePkg, '--json']);
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).verdict, 'unpinned');
  });

  test('--trust with the signer fingerprint or certificate: exit 0, "valid", naming the pin', () => {
    const pem = join(dir, 'alice.pem');
    writeFileSync(pem, certPem(alice.signingCertDer));
    for (const trust of [alice.info.fingerprint, pem]) {
      const r = cli([alicePkg, '--trust', trust, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const v = JSON.parse(r.stdout);
      assert.equal(v.verdict, 'valid');
      assert.match(v.signer.pinnedBy, /--trust/);
    }
  });

  test('another signer pinned: exit 1, "invalid"', () => {
    const r = cli([alicePkg, '--trust', mallory.info.fingerprint, '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).verdict, 'invalid');
  });

  test('a package that is not there: exit 2 with one line', () => {
    const r = cli([join(dir, 'nope.zip')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});

describe('forged packages are never intact', () => {
  test('only manifest.json, manifest.sig and signer.pem (signed by anyone) → MISSING_FILE for every required file', async () => {
    const bare = resigned(
      new Map([...malloryFiles].filter(([k]) => ['manifest.json', 'manifest.sig', 'signer.pem'].includes(k))),
      { key: mallory.signingKey, certDer: mallory.signingCertDer },
      (man) => {
        man.files = man.files.filter((f: { name: string }) => f.name === 'signer.pem');
      },
    );
    const r = await verifyPackage(await variant(bare));
    assert.equal(r.verdict, 'invalid');
    const missing = r.failures
      .filter((f) => f.code === 'MISSING_FILE')
      .map((f) => f.file)
      .sort();
    assert.deepEqual(missing, ['anomalies.csv', 'audit_events.csv', 'conversation_logs.csv', 'report.pdf', 'reviews.csv', 'verification.json']);
  });

  test('a name typed into the manifest is not printed: the certificate speaks, and the mismatch fails', async () => {
    const forged = resigned(malloryFiles, { key: mallory.signingKey, certDer: mallory.signingCertDer }, (man) => {
      man.signer.name = 'Alice Auditor';
      man.signer.org = 'Audit LLP';
      man.signer.email = 'alice@audit.example';
    });
    const r = await verifyPackage(await variant(forged), { trust: mallory.info.fingerprint });
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.signer?.name, 'Mallory');
    assert.equal(r.signer?.org, 'Forgers Inc');
    assert.ok(
      r.failures.some((f) => f.code === 'SIGNER_MISMATCH' && /name/.test(f.message)),
      JSON.stringify(r.failures),
    );
  });

  test("a genuine PDF lifted into another signer's package → PDF_SIGNER_MISMATCH", async () => {
    const pdf = aliceFiles.get('report.pdf')!;
    const lifted = resigned(
      copyOf(malloryFiles, (m) => m.set('report.pdf', pdf)),
      { key: mallory.signingKey, certDer: mallory.signingCertDer },
      (man) => {
        const entry = man.files.find((f: { name: string }) => f.name === 'report.pdf');
        entry.size = pdf.length;
        entry.sha256 = sha256Hex(pdf);
        man.signer.pdfCertificateFingerprint = alice.info.pdfFingerprint;
      },
    );
    const r = await verifyPackage(await variant(lifted), { trust: mallory.info.fingerprint });
    assert.equal(r.verdict, 'invalid');
    assert.ok(
      r.failures.some((f) => f.code === 'PDF_SIGNER_MISMATCH'),
      JSON.stringify(r.failures),
    );
  });

  test('control characters and bidi overrides from a package are printed escaped (CLI text and JSON)', async () => {
    const hostile = { name: 'Eve\u001b[2A\u001b[2K\u202eAlice\u0085', org: 'Org\u0007', email: 'eve@evil.example' };
    const pair = generateKeyPairSync('ed25519');
    const now = Date.now();
    const certDer = makeEd25519Certificate(hostile, pair.publicKey, { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000) }, selfIssuer(hostile, pair.privateKey));
    const forged = resigned(malloryFiles, { key: pair.privateKey, certDer }, (man) => {
      man.signer.name = hostile.name;
      man.files.push({ name: 'x\u001b]0;pwned\u0007.csv', sha256: '0'.repeat(64), size: 1, rows: null, mediaType: 'text/csv' });
    });
    const path = await variant(forged);
    for (const args of [[path], [path, '--json']]) {
      const r = cli(args);
      const out = r.stdout + r.stderr;
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(out));
      assert.match(out, /Eve/);
      assert.match(out, /\\u\{?0*1b\}?|\\x1b|\\u001b/i, 'the escape is shown, not dropped');
    }
  });
});
