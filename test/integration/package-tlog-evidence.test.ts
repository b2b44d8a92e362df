// A package's chain evidence checked by tools we did not write (#18): Go's sumdb/note
// and sumdb/tlog open its signed checkpoint with the published vkey and check the
// consistency proof between two visits; Debian's minisign -V checks the manifest. A
// history rewritten between visits fails `verify-package --previous` with the range named.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CacheFixture, uuidOf, type SourceRow } from '../helpers/cache-fixture.js';
import { copyOf, unzipAll, writeZip, type PackageFiles } from '../helpers/package-zip.js';
import { scratchDir } from '../helpers/scratch.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const run = promisify(execFile);
const GO_SOURCE = fileURLToPath(new URL('../../../test/interop/tlogcheck', import.meta.url));
const dir = scratchDir('auditdesk-pkg-tlog-');
const tool = join(dir, 'tlogcheck');
let alice: LoadedIdentity;

function events(n: number, forged: (i: number) => boolean = () => false): SourceRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: uuidOf(`acme-${i}`),
    event_type: i % 3 ? 'read' : 'update',
    entity_type: 'document',
    entity_id: `doc-${i % 17}`,
    severity: 'info',
    user_id: forged(i) ? 'mallory' : `user-${i % 5}`,
    action_details: JSON.stringify({ n: i }),
    ip_address: '10.0.0.1',
    created_at: `2026-01-05 ${String(8 + (Math.floor(i / 60) % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00+00`,
  }));
}

async function exportOf(name: string, rows: SourceRow[], createdAt: string, previous?: string) {
  const f = new CacheFixture(join(dir, `${name}.sqlite`));
  f.addEvents('acme', rows);
  const out = join(dir, `${name}.zip`);
  const result = await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: alice, out, createdAt, previous });
  f.close();
  return { out, result, files: await unzipAll(out) };
}

async function tlogcheck(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(tool, args);
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, out: err.stderr ?? '' };
  }
}

function saveAll(prefix: string, files: PackageFiles): (name: string) => string {
  for (const [name, data] of files) writeFileSync(join(dir, `${prefix}-${name}`), data);
  return (name) => join(dir, `${prefix}-${name}`);
}

let visit1: Awaited<ReturnType<typeof exportOf>>;
let visit2: Awaited<ReturnType<typeof exportOf>>;

describe('chain evidence in a package', () => {
  before(async () => {
    createIdentity({ name: 'Alice Auditor', org: 'Audit LLP', email: 'alice@audit.example', password: 'tlog-test-password', out: join(dir, 'alice.p12') });
    alice = loadIdentity(join(dir, 'alice.p12'), 'tlog-test-password');
    await run('go', ['build', '-o', tool, '.'], { cwd: GO_SOURCE, env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(dir, 'gocache') } });
    visit1 = await exportOf('visit1', events(200), '2026-11-01T10:00:00Z');
    visit2 = await exportOf('visit2', events(320), '2026-12-01T10:00:00Z', visit1.out);
  });

  test('the package carries a signed checkpoint, its vkey, minisign files and the verify page, all named in the manifest', () => {
    const manifest = JSON.parse(visit1.files.get('manifest.json')!.toString()) as { files: { name: string }[] };
    const named = manifest.files.map((f) => f.name);
    for (const name of ['checkpoint.note', 'signer.vkey', 'manifest.minisign.pub', 'verify.html']) assert.ok(named.includes(name), name);
    assert.ok(visit1.files.has('manifest.json.minisig'));
    assert.ok(!named.includes('manifest.json.minisig'), 'the minisig signs the manifest, so the manifest cannot name it');
  });

  test("Go's sumdb/note opens the checkpoint with signer.vkey; an altered checkpoint is refused", async () => {
    const path = saveAll('v1', visit1.files);
    const ok = await tlogcheck('checkpoint', path('signer.vkey'), path('checkpoint.note'));
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, / 200 /);
    writeFileSync(join(dir, 'altered.note'), visit1.files.get('checkpoint.note')!.toString().replace('\n200\n', '\n199\n'));
    assert.equal((await tlogcheck('checkpoint', path('signer.vkey'), join(dir, 'altered.note'))).code, 1);
  });

  test("minisign -V checks manifest.json with the package's minisign key", async () => {
    const path = saveAll('v1m', visit1.files);
    const { stdout, stderr } = await run('minisign', ['-V', '-p', path('manifest.minisign.pub'), '-m', path('manifest.json'), '-x', path('manifest.json.minisig')]);
    assert.match(stdout + stderr, /Signature and comment signature verified/);
  });

  test('the second visit extends the first: the export says so, verify-package --previous agrees, and Go checks the consistency proof', async () => {
    assert.deepEqual(visit2.result.previous, { packageId: visit2.result.previous!.packageId, extends: true, problem: null });
    const r = await verifyPackage(visit2.out, { trust: alice.info.fingerprint, previous: visit1.out });
    assert.deepEqual(r.failures, []);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.previous?.extends, true);
    const path = saveAll('v2', visit2.files);
    const go = await tlogcheck('consistency', path('signer.vkey'), path('previous-checkpoint.note'), path('checkpoint.note'), path('consistency.proof'));
    assert.equal(go.code, 0, go.out);
    assert.match(go.out, /size 320 extends size 200/);
  });

  test('a history rewritten from seq 12 between visits fails --previous with the range named, at export and at verification', async () => {
    // Rows 12-14 changed and the chain re-hashed from there: every later stored hash differs too.
    const forged = await exportOf(
      'forged',
      events(320, (i) => i >= 11 && i <= 13),
      '2026-12-02T10:00:00Z',
      visit1.out,
    );
    assert.equal(forged.result.previous?.extends, false);
    assert.match(forged.result.previous!.problem!, /first at seq 12–200: 189 row\(s\) rewritten/);
    assert.ok(!forged.files.has('consistency.proof'));
    const r = await verifyPackage(forged.out, { trust: alice.info.fingerprint, previous: visit1.out });
    assert.equal(r.verdict, 'invalid');
    const f = r.failures.find((x) => x.code === 'HISTORY_REWRITTEN');
    assert.match(f?.message ?? '', /first at seq 12–200: 189 row\(s\) rewritten/);
    // A consistency proof carried over from the honest visit does not rescue it.
    const grafted = await writeZip(
      join(dir, 'grafted.zip'),
      copyOf(forged.files, (m) => m.set('consistency.proof', visit2.files.get('consistency.proof')!)),
    );
    const g = await verifyPackage(grafted);
    assert.ok(
      g.failures.some((x) => x.code === 'UNEXPECTED_FILE'),
      JSON.stringify(g.failures),
    );
  });

  test('a checkpoint.note swapped in from another package is refused', async () => {
    const other = join(dir, 'other.zip');
    const swapped = copyOf(visit1.files, (m) => m.set('checkpoint.note', visit2.files.get('checkpoint.note')!));
    const r = await verifyPackage(await writeZip(other, swapped));
    assert.equal(r.verdict, 'invalid');
    assert.ok(r.failures.some((x) => x.code === 'HASH_MISMATCH' && x.file === 'checkpoint.note'));
  });
});
