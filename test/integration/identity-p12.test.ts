// Signing identities: a created p12 opens with its password only, holds an Ed25519
// and an RSA key with certificates that standard tools read, shows the same
// fingerprint OpenSSL computes, and an organisation-issued RSA p12 can be imported
// (its certificate then issues the Ed25519 manifest certificate, so --trust with the
// organisation certificate accepts the auditor's packages).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity, importIdentity, loadIdentity, certPem } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';

const OPENSSL = spawnSync('openssl', ['version']).error === undefined;
const PW = 'identity-password';
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-identity-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('identity create', () => {
  let p12: string;
  before(() => {
    p12 = join(dir, 'ada.p12');
    createIdentity({ name: 'Ada Auditor', org: 'Audit LLP', email: 'ada@audit.example', password: PW, out: p12 });
  });

  test('opens with its password and holds an Ed25519 manifest key and an RSA PDF key', () => {
    const id = loadIdentity(p12, PW);
    assert.equal(id.signingKey.asymmetricKeyType, 'ed25519');
    const x = new X509Certificate(id.signingCertDer);
    assert.equal(x.publicKey.asymmetricKeyType, 'ed25519');
    assert.ok(x.verify(x.publicKey), 'self-signed Ed25519 certificate verifies');
    assert.match(x.subject, /CN=Ada Auditor/);
    assert.equal(id.info.email, 'ada@audit.example');
    assert.equal(id.pdfKey.n.bitLength(), 2048);
    assert.notEqual(id.info.fingerprint, id.info.pdfFingerprint);
  });

  test('refuses a wrong password by name', () => {
    assert.throws(() => loadIdentity(p12, 'not-it'), (e: Error & { code?: string }) => e.code === 'E_PASSWORD' && /wrong password/.test(e.message));
  });

  test('refuses to overwrite an existing file and a short password', () => {
    assert.throws(() => createIdentity({ name: 'A', org: 'B', email: 'a@b.c', password: PW, out: p12 }), /already exists/);
    assert.throws(() => createIdentity({ name: 'A', org: 'B', email: 'a@b.c', password: 'short', out: join(dir, 'x.p12') }), /at least 8/);
  });

  test('keeps names in any script exactly (UTF8String), and refuses control characters and non-ASCII email by name', () => {
    const zoe = join(dir, 'zoe.p12');
    createIdentity({ name: 'Zoë Müller', org: 'Prüfung GmbH', email: 'zoe@audit.example', password: PW, out: zoe });
    assert.equal(loadIdentity(zoe, PW).info.name, 'Zoë Müller');
    const world = join(dir, 'world.p12');
    const name = 'Łukasz Żółć 李明 Ελένη 👩‍⚖️';
    const org = 'Ревизия ООО · مراجعة';
    createIdentity({ name, org, email: 'lz@audit.example', password: PW, out: world });
    const id = loadIdentity(world, PW);
    assert.equal(id.info.name, name);
    assert.equal(id.info.org, org);
    assert.equal(id.pdfCert.subject.getField('CN').value, name, 'the PDF signer certificate reads back as text');
    assert.equal(id.pdfCert.issuer.getField('O').value, org);
    assert.throws(
      () => createIdentity({ name: 'Ada\nLovelace', org: 'B', email: 'a@b.c', password: PW, out: join(dir, 'nl.p12') }),
      (e: Error & { code?: string }) => e.code === 'E_INPUT' && /control character \(U\+000A\)/.test(e.message),
    );
    assert.throws(
      () => createIdentity({ name: 'A', org: 'B', email: 'zoë@prüfung.example', password: PW, out: join(dir, 'em.p12') }),
      (e: Error & { code?: string }) => e.code === 'E_INPUT' && /beyond ASCII/.test(e.message),
    );
    assert.equal(existsSync(join(dir, 'nl.p12')) || existsSync(join(dir, 'em.p12')), false);
  });

  test('OpenSSL reads a name in any script as written', { skip: OPENSSL ? false : 'openssl not installed' }, () => {
    const world = join(dir, 'world.p12');
    const id = loadIdentity(world, PW);
    const pem = join(dir, 'world-pdf.pem');
    writeFileSync(pem, certPem(id.pdfCertDer));
    const subject = execFileSync('openssl', ['x509', '-in', pem, '-noout', '-subject', '-nameopt', 'utf8,sep_multiline'], { encoding: 'utf8' });
    assert.match(subject, /CN=Łukasz Żółć 李明 Ελένη 👩‍⚖️/);
    assert.match(subject, /O=Ревизия ООО · مراجعة/);
    const verify = spawnSync('openssl', ['verify', '-CAfile', pem, pem], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });

  test('is a PKCS#12 OpenSSL reads, with the fingerprint OpenSSL prints', { skip: OPENSSL ? false : 'openssl not installed' }, () => {
    const info = spawnSync('openssl', ['pkcs12', '-info', '-in', p12, '-noout', '-passin', `pass:${PW}`], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stderr + info.stdout, /MAC: sha256/);
    const id = loadIdentity(p12, PW);
    const pem = join(dir, 'ada-signer.pem');
    writeFileSync(pem, certPem(id.signingCertDer));
    const fp = execFileSync('openssl', ['x509', '-in', pem, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    assert.equal(fp.trim().split('=')[1]!.replace(/:/g, '').toLowerCase(), id.info.fingerprint);
    const verify = spawnSync('openssl', ['verify', '-CAfile', pem, pem], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });
});

describe('identity import of an organisation p12', { skip: OPENSSL ? false : 'openssl is needed to play the organisation PKI' }, () => {
  let orgCert: string;
  let imported: string;
  before(() => {
    const key = join(dir, 'org.key');
    orgCert = join(dir, 'org.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', orgCert, '-days', '30', '-subj', '/CN=Grace Org Auditor/O=Big Four/emailAddress=grace@bigfour.example'], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', orgCert, '-out', join(dir, 'org.p12'), '-passout', `pass:${PW}`], { stdio: 'pipe' });
    imported = join(dir, 'grace.p12');
  });

  test('adds an Ed25519 key whose certificate the organisation certificate issued', () => {
    const info = importIdentity(join(dir, 'org.p12'), { password: PW, out: imported });
    assert.equal(info.selfSigned, false);
    assert.equal(info.name, 'Grace Org Auditor');
    const id = loadIdentity(imported, PW);
    const ed = new X509Certificate(id.signingCertDer);
    const org = new X509Certificate(readFileSync(orgCert));
    assert.ok(ed.checkIssued(org));
    assert.ok(ed.verify(org.publicKey));
    // The PDF key is the organisation's own.
    assert.equal(id.info.pdfFingerprint, org.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  test('packages it signs verify with --trust set to the organisation certificate, and not with another', async () => {
    const f = new CacheFixture(join(dir, 'cache.sqlite'));
    fillDemoLike(f, 'acme', 60);
    const out = join(dir, 'org-pkg.zip');
    await writePackage({ db: f.db, filter: { tenant: ['acme'] }, identity: loadIdentity(imported, PW), out });
    f.close();
    const ok = await verifyPackage(out, { trust: readFileSync(orgCert, 'utf8') });
    assert.deepEqual(ok.failures, []);
    assert.equal(ok.signer?.trusted, true);
    const other = loadIdentity(join(dir, 'ada.p12'), PW);
    const bad = await verifyPackage(out, { trust: certPem(other.signingCertDer) });
    assert.deepEqual(bad.failures.map((x) => x.code), ['UNTRUSTED_SIGNER']);
  });

  test('refuses a p12 with only an EC key, naming why', () => {
    const key = join(dir, 'ec.key');
    const cert = join(dir, 'ec.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=EC Only'], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', join(dir, 'ec.p12'), '-passout', `pass:${PW}`], { stdio: 'pipe' });
    assert.throws(() => importIdentity(join(dir, 'ec.p12'), { password: PW, out: join(dir, 'ec-imported.p12') }), /PDF signature needs an RSA key/);
  });
});
