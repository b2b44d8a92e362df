// A saved source password goes only to the host, port, database and user it was saved
// with, and no password crosses an unencrypted connection in clear text unless the user
// said so. Each attack is played against a fake server on 127.0.0.1 that logs what it
// receives; the control cases show the same server does log a password when one is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { ConnectionProfile } from '../../src-main/core/app/config.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { saveDemoProfile } from '../../src-main/bridge/startup.js';
import { clientFor } from '../helpers/app-calls.js';
import { startFakePgServer, type FakePgServer } from '../helpers/fake-pg-server.js';
import { scratchDir } from '../helpers/scratch.js';

const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));
const SAVED = 'Saved-pw-for-the-real-server';
let real: FakePgServer;
let other: FakePgServer;

before(async () => {
  real = await startFakePgServer({ auth: 'cleartext' });
  other = await startFakePgServer({ auth: 'cleartext' });
});

after(async () => {
  await real?.close();
  await other?.close();
});

function newContext(): AppContext {
  return new AppContext({ dataDir: scratchDir('auditdesk-pw-'), frontDoor: 'test', queryWorkers: 0 });
}

/** Clear text allowed on purpose: only the binding of the password to its target may stop it here. */
function profileOn(server: FakePgServer, changes: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return {
    id: 'audit',
    name: 'Audit DB',
    host: '127.0.0.1',
    port: server.port,
    database: 'audit',
    user: 'auditor',
    sslmode: 'disable',
    allowCleartextPassword: true,
    tenants: [],
    schema: 'public',
    ...changes,
  };
}

async function savedContext(): Promise<AppContext> {
  const ctx = newContext();
  await clientFor(ctx)['connections.save']({ profile: profileOn(real), password: SAVED });
  return ctx;
}

test('control: testing the saved target sends its saved password (the fake server logs it)', async () => {
  const ctx = await savedContext();
  const before = real.passwords.length;
  const r = await clientFor(ctx)['connections.test']({ id: 'audit' });
  assert.equal(r.ok, false);
  assert.deepEqual(real.passwords.slice(before), [SAVED]);
  await ctx.shutdown();
});

for (const [what, changes] of [
  ['another port (another server)', () => ({ port: other.port })],
  ['another user', () => ({ port: other.port, user: 'someone_else' })],
  ['another database', () => ({ port: other.port, database: 'elsewhere' })],
] as const) {
  test(`connections.test of a saved profile changed to ${what} and no password asks for one; the server receives no password`, async () => {
    const ctx = await savedContext();
    const r = await clientFor(ctx)['connections.test']({ profile: profileOn(real, changes()) });
    assert.equal(r.ok, false);
    assert.equal(r.errorCode, 'E_PASSWORD_NEEDED');
    assert.match(r.error!, /Enter the password/);
    assert.ok(!r.error!.includes(SAVED));
    assert.ok(!other.passwords.includes(SAVED), `the other server received ${JSON.stringify(other.passwords)}`);
    await ctx.shutdown();
  });
}

test('the same target under a new name keeps its password', async () => {
  const ctx = await savedContext();
  const before = real.passwords.length;
  await clientFor(ctx)['connections.save']({ profile: profileOn(real, { name: 'Renamed' }) });
  const r = await clientFor(ctx)['connections.test']({ id: 'audit' });
  assert.equal(r.errorCode, 'E_AUTH');
  assert.deepEqual(real.passwords.slice(before), [SAVED]);
  await ctx.shutdown();
});

test('connections.save with a changed target and no password asks for the password and changes nothing', async () => {
  const ctx = await savedContext();
  const reply = await dispatch(ctx, 'connections.save', { profile: profileOn(other) });
  assert.equal(reply.ok, false);
  assert.equal(!reply.ok && reply.error.code, 'E_PASSWORD_NEEDED');
  const [view] = await clientFor(ctx)['connections.list']({});
  assert.equal(view!.port, real.port, 'the saved profile still points at the old target');
  assert.equal(view!.hasPassword, true);
  // With the new password given, the change is saved and the new password goes to the new target only.
  await clientFor(ctx)['connections.save']({ profile: profileOn(other), password: 'new-target-pw' });
  const before = other.passwords.length;
  await clientFor(ctx)['connections.test']({ id: 'audit' });
  assert.deepEqual(other.passwords.slice(before), ['new-target-pw']);
  await ctx.shutdown();
});

test('a settings file edited by hand to point elsewhere does not take the saved password along (sync, test, status)', async () => {
  const ctx = await savedContext();
  const settings = ctx.config.path; // the open engagement's connection profiles
  writeFileSync(settings, readFileSync(settings, 'utf8').replace(`"port": ${real.port}`, `"port": ${other.port}`));
  const r = await clientFor(ctx)['connections.test']({ id: 'audit' });
  assert.equal(r.errorCode, 'E_PASSWORD_NEEDED');
  const sync = await dispatch(ctx, 'sync.start', { connectionId: 'audit' });
  assert.equal(!sync.ok && sync.error.code, 'E_PASSWORD_NEEDED');
  const [view] = await clientFor(ctx)['connections.list']({});
  assert.equal(view!.hasPassword, false, 'no password is stored for the target the profile names now');
  assert.ok(!other.passwords.includes(SAVED));
  await ctx.shutdown();
});

test('a server without TLS asking for a clear-text password gets none, in one line; the explicit opt-in sends it', async () => {
  const before = real.passwords.length;
  await assert.rejects(connectSource(`postgres://auditor@127.0.0.1:${real.port}/audit?sslmode=disable`, { password: 'pw-1' }), (e: unknown) => {
    assert.ok(isUserError(e));
    assert.equal(e.code, 'E_SOURCE_CLEARTEXT');
    assert.match(e.message, /asks for the password in clear text over an unencrypted connection; it was not sent/);
    assert.match(e.message, /--allow-cleartext-password/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  assert.deepEqual(real.passwords.slice(before), []);
  await assert.rejects(connectSource(`postgres://auditor@127.0.0.1:${real.port}/audit?sslmode=disable`, { password: 'pw-2', allowCleartextPassword: true }), /wrong password/);
  assert.deepEqual(real.passwords.slice(before), ['pw-2']);
});

test('a saved profile refuses clear text unless it says otherwise', async () => {
  const ctx = newContext();
  await clientFor(ctx)['connections.save']({ profile: profileOn(real, { allowCleartextPassword: undefined }), password: SAVED });
  const before = real.passwords.length;
  const r = await clientFor(ctx)['connections.test']({ id: 'audit' });
  assert.equal(r.errorCode, 'E_SOURCE_CLEARTEXT');
  assert.deepEqual(real.passwords.slice(before), []);
  await ctx.shutdown();
});

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, PGPASSWORD: '', ...env }, timeout: 60_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stderr }),
    );
  });
}

test('CLI: clear text refused in one line (exit 2) unless --allow-cleartext-password', async () => {
  const cache = join(scratchDir('auditdesk-pw-cli-'), 'c.sqlite');
  const url = `postgres://auditor@127.0.0.1:${real.port}/audit`;
  const before = real.passwords.length;
  const refused = await runCli(['sync', '--source', url, '--tenant', 't', '--cache', cache], { PGPASSWORD: 'env-pw' });
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /clear text.*--allow-cleartext-password/);
  assert.deepEqual(real.passwords.slice(before), []);
  const allowed = await runCli(['verify', '--source', url, '--allow-cleartext-password', '--data-dir', scratchDir('auditdesk-pw-data-')], { PGPASSWORD: 'env-pw' });
  assert.equal(allowed.code, 2);
  assert.match(allowed.stderr, /wrong password/);
  assert.deepEqual(real.passwords.slice(before), ['env-pw']);
});

test('CLI: a password inside the --source URL prints a warning naming the safer ways, never the password', async () => {
  const cache = join(scratchDir('auditdesk-pw-cli-'), 'c.sqlite');
  const r = await runCli(['sync', '--source', `postgres://auditor:Typed-In-Url@127.0.0.1:${real.port}/audit`, '--tenant', 't', '--cache', cache]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^auditdesk: warning: the password in --source is visible to other users of this machine \(process list\); pass it with PGPASSWORD or --password-stdin instead\.$/m);
  assert.ok(!r.stderr.includes('Typed-In-Url'));
  const quiet = await runCli(['sync', '--source', `postgres://auditor@127.0.0.1:${real.port}/audit`, '--tenant', 't', '--cache', cache], { PGPASSWORD: 'x' });
  assert.ok(!/warning/.test(quiet.stderr), quiet.stderr);
});

test('the embedded demo profile says what it is: loopback without TLS, no clear-text password, its password bound to it', async () => {
  const ctx = newContext();
  const profile = await saveDemoProfile(ctx, `postgres://auditor_ro:demo-pw@127.0.0.1:${real.port}/auditdesk_demo`, ['acme']);
  assert.equal(profile.sslmode, 'disable');
  assert.equal(profile.allowCleartextPassword, false);
  const [view] = await clientFor(ctx)['connections.list']({});
  assert.equal(view!.hasPassword, true);
  // The demo authenticates with SCRAM; a server on its address asking for clear text gets nothing.
  const before = real.passwords.length;
  const r = await clientFor(ctx)['connections.test']({ id: 'demo' });
  assert.equal(r.errorCode, 'E_SOURCE_CLEARTEXT');
  assert.deepEqual(real.passwords.slice(before), []);
  await ctx.shutdown();
});
