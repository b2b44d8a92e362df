// The command-line front door: `auditdesk identity create`, `export` and
// `verify-package` with their exit codes (0 ok/valid, 1 invalid, 2 error), and
// reproducible packages: the same inputs and --created-at give the same bytes,
// whatever the machine's time zone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

// dist-<name>/test/integration → dist-<name>/src-main/cli/main.js
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
const PASSWORD = 'cli-test-password';
let dir: string;
let cache: string;

function run(args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const res = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: dir,
    input: opts.input,
    env: { ...process.env, AUDITDESK_P12_PASSWORD: PASSWORD, AUDITDESK_DATA_DIR: join(dir, 'data'), ...opts.env },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-cli-'));
  cache = join(dir, 'cache.sqlite');
  const f = new CacheFixture(cache);
  fillDemoLike(f, 'acme', 500);
  fillDemoLike(f, 'globex', 50);
  f.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('auditdesk identity / export / verify-package', () => {
  let fingerprint: string;

  test('identity create writes a p12 and prints its fingerprint', () => {
    const r = run(['identity', 'create', '--name', 'Cli Auditor', '--org', 'Cli Org', '--email', 'cli@audit.example', '--out', 'me.p12', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.match(info.fingerprint, /^[0-9a-f]{64}$/);
    fingerprint = info.fingerprint;
    assert.ok(existsSync(join(dir, 'me.p12')));
    const again = run(['identity', 'create', '--name', 'X', '--org', 'Y', '--email', 'x@y.z', '--out', 'me.p12']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
  });

  test('identity show reads the password from --password-stdin', () => {
    const r = run(['identity', 'show', 'me.p12', '--password-stdin', '--json'], { env: { AUDITDESK_P12_PASSWORD: '' }, input: `${PASSWORD}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).fingerprint, fingerprint);
  });

  test('identity import keeps an identity that already has both keys, filed under its fingerprint in the data folder', () => {
    const r = run(['identity', 'import', 'me.p12', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.fingerprint, fingerprint);
    assert.equal(info.file, join(dir, 'data', 'identities', `${fingerprint}.p12`));
    assert.ok(existsSync(info.file));
    assert.ok(existsSync(join(dir, 'data', 'identities', `${fingerprint}.json`)));
  });

  test('export writes a package and prints the signer fingerprint; verify-package says valid (exit 0)', () => {
    const r = run([
      'export',
      '--cache',
      cache,
      '--tenant',
      'acme',
      '--from',
      '2026-01-05',
      '--to',
      '2026-01-06T12:00:00Z',
      '--severity',
      'high',
      '--severity',
      'critical',
      '--identity',
      'me.p12',
      '--out',
      'pkg.zip',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.signerFingerprint, fingerprint);
    assert.ok(result.counts.events > 0);
    const v = run(['verify-package', 'pkg.zip', '--trust', fingerprint, '--json']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const verdict = JSON.parse(v.stdout);
    assert.equal(verdict.valid, true);
    assert.equal(verdict.signer.trusted, true);
  });

  test('verify-package on a changed package exits 1 and names the failure; on a missing file exits 2', () => {
    const bytes = readFileSync(join(dir, 'pkg.zip'));
    writeFileSync(join(dir, 'cut.zip'), bytes.subarray(0, bytes.length - 40));
    const bad = run(['verify-package', 'cut.zip']);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /INVALID/);
    assert.match(bad.stdout, /ZIP_UNREADABLE/);
    const missing = run(['verify-package', 'nothing-here.zip']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does not exist/);
  });

  test('export with a wrong password or without a tenant exits 2 with one line and leaves no file', () => {
    const wrong = run(['export', '--cache', cache, '--tenant', 'acme', '--identity', 'me.p12', '--out', 'wrong.zip'], { env: { AUDITDESK_P12_PASSWORD: 'not the password' } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /wrong password/);
    assert.equal(wrong.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(join(dir, 'wrong.zip')), false);
    const noTenant = run(['export', '--cache', cache, '--identity', 'me.p12', '--out', 'none.zip']);
    assert.equal(noTenant.code, 2);
    assert.match(noTenant.stderr, /exactly one tenant/);
    assert.equal(existsSync(join(dir, 'none.zip')), false);
  });

  test('the same inputs and --created-at give byte-identical packages in any time zone', () => {
    // Each export is journaled in its cache (issue 14), and the package carries the
    // journal: the same inputs are two copies of one cache, not one cache exported twice.
    const twin = join(dir, 'twin.sqlite');
    copyFileSync(cache, twin);
    const args = (out: string, from: string) => ['export', '--cache', from, '--tenant', 'acme', '--identity', 'me.p12', '--out', out, '--created-at', '2026-04-01T09:00:00Z'];
    const a = run(args('tokyo.zip', cache), { env: { TZ: 'Asia/Tokyo' } });
    const b = run(args('newyork.zip', twin), { env: { TZ: 'America/New_York' } });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(readFileSync(join(dir, 'tokyo.zip')).equals(readFileSync(join(dir, 'newyork.zip'))), 'ZIP bytes differ');
    const c = run(['export', '--cache', cache, '--tenant', 'acme', '--identity', 'me.p12', '--out', 'later.zip', '--created-at', '2026-04-01T09:00:01Z']);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(!readFileSync(join(dir, 'later.zip')).equals(readFileSync(join(dir, 'tokyo.zip'))), 'a different time must give a different package');
  });
});
