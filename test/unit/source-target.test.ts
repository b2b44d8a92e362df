// How a source URL or profile becomes a read-only pg session configuration, and
// how connection failures read: one line, naming the target, never the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSourceUrl, resolveTarget, connectError, queryError, ConnectionLostError } from '../../src-main/core/source/index.js';
import { clientConfig, tlsTrustNotice } from '../../src-main/core/source/target.js';
import { connectionProfileSchema } from '../../src-main/core/app/config.js';
import { isUserError } from '../../src-main/core/util/errors.js';

test('a URL gives host, port, database, user, tenants and a label without the password', () => {
  const t = parseSourceUrl('postgres://auditor:p%40ss%3Aword@db.example:6543/audit?sslmode=verify-full&sslrootcert=/ca.pem&tenant=a&tenant=b&schema=logs');
  assert.equal(t.host, 'db.example');
  assert.equal(t.port, 6543);
  assert.equal(t.database, 'audit');
  assert.equal(t.user, 'auditor');
  assert.equal(t.password, 'p@ss:word');
  assert.equal(t.sslmode, 'verify-full');
  assert.equal(t.sslRootCert, '/ca.pem');
  assert.deepEqual(t.tenants, ['a', 'b']);
  assert.equal(t.schema, 'logs');
  assert.equal(t.label, 'db.example:6543/audit');
});

test('an explicit password (stdin, keychain) wins over the URL', () => {
  assert.equal(parseSourceUrl('postgres://u:inurl@h/d', 'given').password, 'given');
  assert.equal(parseSourceUrl('postgres://u@h/d').password, undefined);
});

test('bad URLs are one clear line', () => {
  for (const url of ['not a url', 'mysql://u@h/d', 'postgres://u@h/', 'postgres://h/d', 'postgres://u@h/d?sslmode=maybe']) {
    assert.throws(
      () => parseSourceUrl(url),
      (e: unknown) => isUserError(e) && !e.message.includes('\n'),
    );
  }
});

test('TLS is never silently downgraded: prefer and allow are refused with the reason in one line', () => {
  for (const mode of ['prefer', 'allow']) {
    assert.throws(
      () => parseSourceUrl(`postgres://u@db.example/d?sslmode=${mode}`),
      (e: unknown) => {
        assert.ok(isUserError(e));
        assert.equal(e.code, 'E_SOURCE_TLS');
        assert.equal(e.message, `sslmode=${mode} is refused: it silently falls back to an unencrypted connection. Use sslmode=verify-full (or require), or sslmode=disable only on a trusted network.`);
        return true;
      },
    );
  }
});

test('without sslmode a remote source is verify-full; only a loopback address (the embedded demo) goes without TLS', () => {
  assert.equal(parseSourceUrl('postgres://u@db.example/d').sslmode, 'verify-full');
  assert.equal(parseSourceUrl('postgres://u@10.0.0.5/d').sslmode, 'verify-full');
  assert.equal(parseSourceUrl('postgres://u@127.0.0.1:5433/d').sslmode, 'disable');
  assert.equal(parseSourceUrl('postgres://u@[::1]/d').sslmode, 'disable');
  assert.equal(parseSourceUrl('postgres://u@localhost/d').sslmode, 'disable');
  assert.equal(parseSourceUrl('postgres://u@127.0.0.1.evil.example/d').sslmode, 'verify-full');
});

test('a new profile verifies the server (verify-full) and refuses clear-text passwords unless it says so', () => {
  const p = connectionProfileSchema.parse({ id: 'p', name: 'P', host: 'db.example', database: 'd', user: 'u' });
  assert.equal(p.sslmode, 'verify-full');
  assert.equal(resolveTarget(p).allowCleartextPassword, false);
  assert.equal(connectionProfileSchema.safeParse({ ...p, sslmode: 'prefer' }).success, false);
});

test('verify-ca / verify-full without a CA file say they check against the system CA store', () => {
  const t = parseSourceUrl('postgres://u@db.example/d?sslmode=verify-full');
  assert.match(tlsTrustNotice(t)!, /^no CA file given \(sslrootcert\): the certificate of db\.example:5432\/d is checked against the system CA store \(\/etc\/ssl\/certs\/ca-certificates\.crt\)\.$/);
  assert.match(tlsTrustNotice(parseSourceUrl('postgres://u@db.example/d?sslmode=verify-ca'))!, /system CA store/);
  assert.ok(
    Array.isArray((clientConfig(t, { statementTimeoutMs: 1 }).ssl as { ca?: unknown }).ca) || typeof (clientConfig(t, { statementTimeoutMs: 1 }).ssl as { ca?: unknown }).ca === 'string',
    'the system bundle is loaded as the CA list',
  );
  assert.equal(tlsTrustNotice(parseSourceUrl('postgres://u@db.example/d?sslmode=verify-full&sslrootcert=/ca.pem')), null);
  assert.equal(tlsTrustNotice(parseSourceUrl('postgres://u@db.example/d?sslmode=require')), null);
});

test('a profile resolves without a password unless one is given', () => {
  const profile = { id: 'p', name: 'P', host: '10.0.0.5', port: 5432, database: 'audit', user: 'ro', sslmode: 'require' as const, tenants: ['t1'], schema: 'public' };
  const t = resolveTarget(profile);
  assert.equal(t.password, undefined);
  assert.equal(t.label, '10.0.0.5:5432/audit');
  assert.equal(resolveTarget(profile, 'pw').password, 'pw');
});

test('the session is read-only, UTC, ISO dates, named auditdesk, with a statement timeout, every value as text', () => {
  const c = clientConfig(parseSourceUrl('postgres://u@h/d?sslmode=disable'), { statementTimeoutMs: 1234 });
  assert.match(String(c.options), /-c default_transaction_read_only=on/);
  assert.match(String(c.options), /-c TimeZone=UTC/);
  assert.match(String(c.options), /-c DateStyle=ISO/);
  assert.equal(c.application_name, 'auditdesk');
  assert.equal(c.statement_timeout, 1234);
  assert.equal(c.ssl, false);
  const parse = (c.types as { getTypeParser: (oid: number) => (v: string) => unknown }).getTypeParser(20);
  assert.equal(parse('9007199254740993'), '9007199254740993');
  assert.deepEqual(clientConfig(parseSourceUrl('postgres://u@h/d?sslmode=require'), { statementTimeoutMs: 1 }).ssl, { rejectUnauthorized: false });
});

test('connection failures name the problem and never the password', () => {
  const cases: [unknown, RegExp, string][] = [
    [{ code: '28P01', message: 'password authentication failed for user "ro"' }, /^wrong password for user "ro" at h:1\/d\./, 'E_AUTH'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, /^cannot reach h:1\/d \(ECONNREFUSED\)/, 'E_UNREACHABLE'],
    [new Error('The server does not support SSL connections'), /^TLS is required but h:1\/d does not offer it/, 'E_SOURCE_TLS'],
    [{ code: '3D000', message: 'database "d" does not exist' }, /^database not found at h:1\/d/, 'E_UNKNOWN_DATABASE'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, /TLS certificate of h:1\/d could not be verified/, 'E_SOURCE_TLS'],
  ];
  for (const [err, pattern, code] of cases) {
    const e = connectError(err, 'h:1/d', 'ro');
    assert.match(e.message, pattern);
    assert.equal(e.code, code);
    assert.ok(!e.message.includes('\n'));
  }
});

test('a connection lost mid-query says what happened, and the interrupted work retells what it means', () => {
  const e = queryError({ code: '57P01', message: 'terminating connection due to administrator command' }, 'h:1/d');
  assert.ok(e instanceof ConnectionLostError);
  assert.equal(e.code, 'E_CONNECTION_LOST');
  assert.equal(e.message, 'the connection to h:1/d was closed mid-way (terminating connection due to administrator command). Check that the server is reachable, then run the same command again.');
  const forSync = e.during('everything fetched so far is kept.', 'Run the same sync again: it resumes where it stopped.');
  assert.equal(forSync.code, 'E_CONNECTION_LOST');
  assert.equal(
    forSync.message,
    'the connection to h:1/d was closed mid-way (terminating connection due to administrator command); everything fetched so far is kept. Run the same sync again: it resumes where it stopped.',
  );
});
