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
import forge from 'node-forge';
import { createIdentity, importIdentity, loadIdentity, certPem } from '../../src-main/core/identity/index.js';
import { buildP12, readP12 } from '../../src-main/core/identity/p12.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

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
    // The binding of the two keys: the identity's RSA (PDF) certificate issued the Ed25519 one.
    const rsa = new X509Certificate(id.pdfCertDer);
    assert.ok(x.issuer === rsa.subject && x.verify(rsa.publicKey), 'the PDF certificate issued the manifest certificate');
    assert.equal(id.info.selfSigned, true, 'no organisation is involved');
    assert.match(x.subject, /CN=Ada Auditor/);
    assert.equal(id.info.email, 'ada@audit.example');
    assert.equal(id.pdfKey.n.bitLength(), 2048);
    assert.notEqual(id.info.fingerprint, id.info.pdfFingerprint);
  });

  test('refuses a wrong password by name', () => {
    assert.throws(
      () => loadIdentity(p12, 'not-it'),
      (e: Error & { code?: string }) => e.code === 'E_PASSWORD' && /wrong password/.test(e.message),
    );
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
    const verify = spawnSync('openssl', ['verify', '-partial_chain', '-trusted', pem, pem], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });

  test('protects the file with a MAC of at least 100,000 iterations, and opens files with fewer', () => {
    const pfx = forge.asn1.fromDer(readFileSync(p12).toString('binary'));
    const macData = (pfx.value as forge.asn1.Asn1[])[2]!;
    const iterations = forge.util.createBuffer((macData.value as forge.asn1.Asn1[])[2]!.value as string).getInt(24);
    assert.ok(iterations >= 100_000, `MAC iterations ${iterations}`);
    const id = loadIdentity(p12, PW);
    const old = join(dir, 'old.p12');
    writeFileSync(
      old,
      buildP12(
        [
          { pkcs8Der: id.signingKey.export({ type: 'pkcs8', format: 'der' }) as Buffer, certDer: id.signingCertDer, friendlyName: 'auditdesk manifest (Ed25519)' },
          {
            pkcs8Der: Buffer.from(forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(id.pdfKey))).getBytes(), 'binary'),
            certDer: id.pdfCertDer,
            friendlyName: 'auditdesk pdf (RSA)',
          },
        ],
        PW,
        [],
        { macIterations: 2048 },
      ),
    );
    assert.equal(loadIdentity(old, PW).info.fingerprint, id.info.fingerprint);
    assert.throws(
      () => loadIdentity(old, 'not-the-password'),
      (e: Error & { code?: string }) => e.code === 'E_PASSWORD',
    );
  });

  test('a password in any script protects keys OpenSSL opens with the same password, and files written before still open', { skip: OPENSSL ? false : 'openssl not installed' }, () => {
    // The keys' PBES2 password is the password's UTF-8 bytes, as OpenSSL and RFC 8018 take it;
    // node-forge used one byte per character, so OpenSSL could not open such keys.
    const password = 'pässwörd Łódź 密码 ✓';
    const file = join(dir, 'unicode-password.p12');
    createIdentity({ name: 'Zoë Prüfer', org: 'Prüfung GmbH', email: 'zoe@audit.example', password, out: file });
    const keys = spawnSync('openssl', ['pkcs12', '-in', file, '-nocerts', '-nodes', '-passin', `pass:${password}`], { encoding: 'utf8' });
    assert.equal(keys.status, 0, keys.stderr);
    assert.equal(keys.stdout.match(/-----BEGIN PRIVATE KEY-----/g)?.length, 2, 'OpenSSL decrypts both keys');
    assert.equal(loadIdentity(file, password).signingKey.asymmetricKeyType, 'ed25519');

    // A p12 whose key forge encrypted (the way files were written before) still opens.
    const id = loadIdentity(file, password);
    const rsaInfo = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(id.pdfKey));
    const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(id.pdfCertDer.toString('binary')));
    const earlier = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromAsn1(rsaInfo), [cert], password, { algorithm: 'aes256', count: 2048 });
    const opened = readP12(Buffer.from(forge.asn1.toDer(earlier).getBytes(), 'binary'), password);
    assert.equal(opened.keys.length, 1);
  });
});

describe('identity import of an organisation p12', { skip: OPENSSL ? false : 'openssl is needed to play the organisation PKI' }, () => {
  let orgCert: string;
  let imported: string;
  before(() => {
    const key = join(dir, 'org.key');
    orgCert = join(dir, 'org.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', orgCert, '-days', '30', '-subj', '/CN=Grace Org Auditor/O=Big Four/emailAddress=grace@bigfour.example'],
      { stdio: 'pipe' },
    );
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
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: loadIdentity(imported, PW), out });
    f.close();
    const ok = await verifyPackage(out, { trust: readFileSync(orgCert, 'utf8') });
    assert.deepEqual(ok.failures, []);
    assert.equal(ok.signer?.trusted, true);
    assert.equal(ok.verdict, 'valid');
    const other = loadIdentity(join(dir, 'ada.p12'), PW);
    const bad = await verifyPackage(out, { trust: certPem(other.signingCertDer) });
    assert.deepEqual(
      bad.failures.map((x) => x.code),
      ['UNTRUSTED_SIGNER'],
    );
  });

  /** An organisation p12 whose certificate has the given extensions, imported, and a package signed with it at `createdAt`. */
  async function orgPackage(label: string, ext: string[], createdAt?: string): Promise<{ pkg: string; orgPem: string }> {
    const key = join(dir, `${label}.key`);
    const orgPem = join(dir, `${label}.pem`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        orgPem,
        '-days',
        '30',
        '-subj',
        `/CN=${label}/O=Big Four/emailAddress=${label}@bigfour.example`,
        ...ext.flatMap((e) => ['-addext', e]),
      ],
      { stdio: 'pipe' },
    );
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', orgPem, '-out', join(dir, `${label}.p12`), '-passout', `pass:${PW}`], { stdio: 'pipe' });
    importIdentity(join(dir, `${label}.p12`), { password: PW, out: join(dir, `${label}-id.p12`) });
    const f = new CacheFixture(join(dir, `${label}.sqlite`));
    fillDemoLike(f, 'acme', 20);
    const pkg = join(dir, `${label}.zip`);
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: loadIdentity(join(dir, `${label}-id.p12`), PW), out: pkg, createdAt });
    f.close();
    return { pkg, orgPem };
  }

  test('--trust with an organisation certificate that is not a CA is refused, naming why', async () => {
    const { pkg, orgPem } = await orgPackage('notca', ['basicConstraints=critical,CA:FALSE']);
    const r = await verifyPackage(pkg, { trust: readFileSync(orgPem, 'utf8') });
    assert.equal(r.verdict, 'invalid');
    assert.ok(
      r.failures.some((x) => x.code === 'UNTRUSTED_SIGNER' && /not a CA/.test(x.message)),
      JSON.stringify(r.failures),
    );
  });

  test('--trust with an organisation CA that may not sign certificates (keyUsage) is refused', async () => {
    const { pkg, orgPem } = await orgPackage('nocertsign', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature']);
    const r = await verifyPackage(pkg, { trust: readFileSync(orgPem, 'utf8') });
    assert.ok(
      r.failures.some((x) => x.code === 'UNTRUSTED_SIGNER' && /keyCertSign/.test(x.message)),
      JSON.stringify(r.failures),
    );
  });

  test("--trust with an organisation CA that was not valid at the package's createdAt is refused", async () => {
    const later = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const { pkg, orgPem } = await orgPackage('expired', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,digitalSignature'], later);
    const r = await verifyPackage(pkg, { trust: readFileSync(orgPem, 'utf8') });
    assert.ok(
      r.failures.some((x) => x.code === 'UNTRUSTED_SIGNER' && /not valid at/.test(x.message)),
      JSON.stringify(r.failures),
    );
  });

  test('refuses a p12 with only an EC key, naming why', () => {
    const key = join(dir, 'ec.key');
    const cert = join(dir, 'ec.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=EC Only'], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', join(dir, 'ec.p12'), '-passout', `pass:${PW}`], { stdio: 'pipe' });
    assert.throws(() => importIdentity(join(dir, 'ec.p12'), { password: PW, out: join(dir, 'ec-imported.p12') }), /PDF signature needs an RSA key/);
  });
});
