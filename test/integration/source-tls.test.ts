// TLS to the source: verify-full with the server's CA connects (and checks the
// name), require encrypts without checking, and a certificate that cannot be
// verified is one clear line, not a stack trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';

let demo: DemoDb;
let dir: string;
let caFile: string;
let otherCaFile: string;

function makeCa(name: string): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const subject = [{ name: 'commonName', value: name }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-tls-'));
  const ca = makeCa('AuditDesk test CA');
  const other = makeCa('Some other CA');
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  cert.sign(ca.key, forge.md.sha256.create());

  caFile = join(dir, 'ca.pem');
  otherCaFile = join(dir, 'other-ca.pem');
  writeFileSync(caFile, forge.pki.certificateToPem(ca.cert));
  writeFileSync(otherCaFile, forge.pki.certificateToPem(other.cert));
  // The server reads its key as the postgres user, from its data folder.
  const pgdata = join(demo.dataDir, 'pgdata');
  const owner = statSync(pgdata);
  for (const [name, body, mode] of [
    ['server.crt', forge.pki.certificateToPem(cert), 0o644],
    ['server.key', forge.pki.privateKeyToPem(keys.privateKey), 0o600],
  ] as const) {
    writeFileSync(join(pgdata, name), body, { mode });
    chownSync(join(pgdata, name), owner.uid, owner.gid);
  }
  const admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  try {
    await admin.query(`ALTER SYSTEM SET ssl = on`);
    await admin.query(`SELECT pg_reload_conf()`);
    // The postmaster applies the reload asynchronously: wait until it says TLS is on.
    for (;;) {
      const fresh = new pg.Client({ connectionString: demo.adminUrl });
      await fresh.connect();
      const [{ ssl }] = (await fresh.query(`SELECT current_setting('ssl') AS ssl`)).rows as [{ ssl: string }];
      await fresh.end();
      if (ssl === 'on') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await admin.end();
  }
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("verify-full with the server's CA connects over TLS", async () => {
  const session = await connectSource(`${demo.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`);
  try {
    const [row] = await session.query('SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.equal(row![0], 'true');
    assert.deepEqual(session.notices, [], 'a CA file given: nothing to tell');
  } finally {
    await session.close();
  }
});

test('require encrypts without checking the certificate', async () => {
  const session = await connectSource(`${demo.url}?sslmode=require`);
  try {
    const [row] = await session.query('SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.equal(row![0], 'true');
  } finally {
    await session.close();
  }
});

test('a certificate from another CA is refused with one clear line', async () => {
  await assert.rejects(connectSource(`${demo.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCaFile)}`), (e: unknown) => {
    assert.ok(isUserError(e));
    assert.equal(e.code, 'E_SOURCE_TLS');
    assert.match(e.message, /^the TLS certificate of 127\.0\.0\.1:\d+\/auditdesk_demo could not be verified/);
    assert.ok(!e.message.includes(new URL(demo.url).password));
    return true;
  });
});

test('a missing CA file is named', async () => {
  await assert.rejects(connectSource(`${demo.url}?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem`), /cannot read the CA file \/nonexistent\/ca\.pem \(ENOENT\)/);
});

test('verify-full without a CA file checks against the system CA store, says so, and refuses a private CA', async () => {
  await assert.rejects(connectSource(`${demo.url}?sslmode=verify-full`), (e: unknown) => {
    assert.ok(isUserError(e));
    assert.equal(e.code, 'E_SOURCE_TLS');
    assert.match(e.message, /could not be verified \([A-Z_]+\) against the system CA store \(\/etc\/ssl\/certs\/ca-certificates\.crt\)\./);
    return true;
  });
});
