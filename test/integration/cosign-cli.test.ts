// The four-eyes review (#18): `auditdesk cosign` writes a package with a QA approver's
// C2SP tlog-cosignature/v1 over the signed checkpoint, beside the original, which stays
// as it was. verify-package, docs/verify_package.py and verify.html all accept a good
// cosignature and name it; all three refuse a forged one and one moved from another
// package; Go (sumdb/note parsing, crypto/ed25519 for type 0x04) checks it too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { copyOf, unzipAll, writeZip, type PackageFiles } from '../helpers/package-zip.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { closeVerifyPageBrowser, verifyWithAll } from '../helpers/verify-all.js';
import { runVerifyPage } from '../helpers/verify-page.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';

const run = promisify(execFile);
const GO_SOURCE = fileURLToPath(new URL('../../../test/interop/tlogcheck', import.meta.url));
const PASSWORD = 'cosign-test-password';
const dir = scratchDir('auditdesk-cosign-');
const tool = join(dir, 'tlogcheck');
const env = { ...process.env, AUDITDESK_P12_PASSWORD: PASSWORD };
const cli = (args: string[]) => runAuditdesk(args, { env, cwd: dir });
let alice: LoadedIdentity;
let quinn: LoadedIdentity;
let cosigned: PackageFiles;
let otherCosigned: PackageFiles;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function packageOf(name: string, rows: number): Promise<string> {
  const f = new CacheFixture(join(dir, `${name}.sqlite`));
  fillDemoLike(f, 'acme', rows);
  const out = join(dir, `${name}.zip`);
  await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: alice, out, createdAt: '2026-11-01T10:00:00Z' });
  f.close();
  return out;
}

before(async () => {
  createIdentity({ name: 'Alice Auditor', org: 'Audit LLP', email: 'alice@audit.example', password: PASSWORD, out: join(dir, 'alice.p12') });
  createIdentity({ name: 'Quinn QA', org: 'Audit LLP', email: 'quinn@audit.example', password: PASSWORD, out: join(dir, 'quinn.p12') });
  alice = loadIdentity(join(dir, 'alice.p12'), PASSWORD);
  quinn = loadIdentity(join(dir, 'quinn.p12'), PASSWORD);
  await packageOf('pkg', 300);
  await packageOf('other', 120);
  const before = sha(join(dir, 'pkg.zip'));
  const r = await cli(['cosign', '--identity', 'quinn.p12', 'pkg.zip']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Cosigned .*pkg\.cosigned\.zip/);
  assert.equal(sha(join(dir, 'pkg.zip')), before, 'the original package is left byte for byte as it was');
  const o = await cli(['cosign', '--identity', 'quinn.p12', 'other.zip', '--out', 'other-qa.zip']);
  assert.equal(o.code, 0, o.stdout + o.stderr);
  cosigned = await unzipAll(join(dir, 'pkg.cosigned.zip'));
  otherCosigned = await unzipAll(join(dir, 'other-qa.zip'));
  await run('go', ['build', '-o', tool, '.'], { cwd: GO_SOURCE, env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(dir, 'gocache') } });
});

after(async () => {
  await closeVerifyPageBrowser();
});

describe('a cosigned package', () => {
  test('keeps every entry of the original byte for byte and adds checkpoint.cosig and cosigner.pem', async () => {
    const original = await unzipAll(join(dir, 'pkg.zip'));
    for (const [name, data] of original) assert.ok(cosigned.get(name)?.equals(data), name);
    assert.deepEqual([...cosigned.keys()].filter((n) => !original.has(n)).sort(), ['checkpoint.cosig', 'cosigner.pem']);
    const note = original.get('checkpoint.note')!.toString();
    const cosig = cosigned.get('checkpoint.cosig')!.toString();
    assert.ok(cosig.startsWith(note));
    assert.match(cosig.slice(note.length), new RegExp(`^— auditdesk\\.local/cosigner/${quinn.info.fingerprint.slice(0, 16)} [A-Za-z0-9+/]+=*\\n$`));
  });

  test('is accepted by verify-package, verify_package.py and verify.html, which name the cosigner; the original still verifies', async () => {
    const r = await verifyWithAll(join(dir, 'pkg.cosigned.zip'), { trust: alice.info.fingerprint });
    assert.equal(r.verdict, 'valid');
    assert.equal(r.cosignature?.fingerprint, quinn.info.fingerprint);
    assert.equal(r.cosignature?.name, 'Quinn QA');
    const shown = await cli(['verify-package', 'pkg.cosigned.zip', '--trust', alice.info.fingerprint]);
    assert.equal(shown.code, 0, shown.stdout);
    assert.match(shown.stdout, /checkpoint cosigned by Quinn QA, Audit LLP <quinn@audit\.example> at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    const page = await runVerifyPage(join(dir, 'pkg.cosigned.zip'), { pin: alice.info.fingerprint });
    assert.match(page.text, /cosigned by Quinn QA/);
    const py = await run('python3', [join(GO_SOURCE, '../../../docs/verify_package.py'), join(dir, 'pkg.cosigned.zip'), '--trust', alice.info.fingerprint]);
    assert.match(py.stdout, /cosigned by Quinn QA/);
    const plain = await verifyWithAll(join(dir, 'pkg.zip'), { trust: alice.info.fingerprint });
    assert.equal(plain.verdict, 'valid');
    assert.equal(plain.cosignature, null);
  });

  test('a forged cosignature (one signature byte changed) is COSIGNATURE_INVALID in all three verifiers', async () => {
    const forged = copyOf(cosigned, (m) => {
      const text = m.get('checkpoint.cosig')!.toString();
      const line = text.slice(text.lastIndexOf('— '));
      const b64 = line.split(' ')[2]!.trim();
      const raw = Buffer.from(b64, 'base64');
      raw[raw.length - 1] ^= 0x01;
      m.set('checkpoint.cosig', Buffer.from(text.replace(b64, raw.toString('base64'))));
    });
    const r = await verifyWithAll(await writeZip(join(dir, 'forged.zip'), forged), { trust: alice.info.fingerprint });
    assert.equal(r.verdict, 'invalid');
    assert.deepEqual([...new Set(r.failures.map((f) => f.code))], ['COSIGNATURE_INVALID']);
  });

  test('a cosignature moved from another package, or with a moved time, is refused by all three', async () => {
    const moved = copyOf(cosigned, (m) => m.set('checkpoint.cosig', otherCosigned.get('checkpoint.cosig')!));
    const r = await verifyWithAll(await writeZip(join(dir, 'moved.zip'), moved), { trust: alice.info.fingerprint });
    assert.deepEqual([...new Set(r.failures.map((f) => f.code))], ['COSIGNATURE_INVALID']);
    // The other package's cosignature line grafted onto this checkpoint: the signature covers the other checkpoint.
    const note = cosigned.get('checkpoint.note')!.toString();
    const otherText = otherCosigned.get('checkpoint.cosig')!.toString();
    const grafted = copyOf(cosigned, (m) => m.set('checkpoint.cosig', Buffer.from(note + otherText.slice(otherText.lastIndexOf('— ')))));
    const g = await verifyWithAll(await writeZip(join(dir, 'grafted.zip'), grafted), { trust: alice.info.fingerprint });
    assert.deepEqual([...new Set(g.failures.map((f) => f.code))], ['COSIGNATURE_INVALID']);
    // Someone else's certificate put in as the cosigner.
    const { certPem } = await import('../../src-main/core/identity/index.js');
    const swapped = copyOf(cosigned, (m) => m.set('cosigner.pem', Buffer.from(certPem(alice.signingCertDer))));
    const s = await verifyWithAll(await writeZip(join(dir, 'swapped.zip'), swapped), { trust: alice.info.fingerprint });
    assert.deepEqual([...new Set(s.failures.map((f) => f.code))], ['COSIGNATURE_INVALID']);
  });

  test("Go's sumdb/note opens the cosigned checkpoint; the cosignature (type 0x04) verifies with crypto/ed25519, a forged one does not", async () => {
    const save = (name: string, data: Buffer | string) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    };
    const printed = await cli(['cosign', '--identity', 'quinn.p12', 'pkg.zip', '--out', 'again.zip', '--json']);
    const vkey = (JSON.parse(printed.stdout) as { vkey: string }).vkey;
    const ok = await run(tool, ['cosignature', save('signer.vkey', cosigned.get('signer.vkey')!), save('cosigner.vkey', vkey), save('good.cosig', cosigned.get('checkpoint.cosig')!)]);
    assert.match(ok.stdout, /ok cosignature by auditdesk\.local\/cosigner\/\S+ at \d+/);
    const text = cosigned.get('checkpoint.cosig')!.toString();
    const bad = text.slice(0, -6) + (text.slice(-6, -5) === 'A' ? 'B' : 'A') + text.slice(-5);
    await assert.rejects(run(tool, ['cosignature', join(dir, 'signer.vkey'), join(dir, 'cosigner.vkey'), save('bad.cosig', bad)]), /cosignature/);
  });

  test("the next visit's report, exported with --previous the cosigned package, names the cosigner of the previous checkpoint", async () => {
    const f = new CacheFixture(join(dir, 'next.sqlite'));
    fillDemoLike(f, 'acme', 300);
    const out = join(dir, 'next.zip');
    await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: alice, out, createdAt: '2026-12-01T10:00:00Z', previous: join(dir, 'pkg.cosigned.zip') });
    f.close();
    writeFileSync(join(dir, 'next.pdf'), (await unzipAll(out)).get('report.pdf')!);
    const text = (await run('pdftotext', ['-layout', join(dir, 'next.pdf'), '-'])).stdout.replace(/\s+/g, ' ');
    assert.match(text, /Cosigned previous package/);
    assert.match(text, new RegExp(`\\(300 rows\\) was cosigned by Quinn QA, Audit LLP <quinn@audit\\.example> at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ`));
    // Without a cosignature on the previous package, the section is absent.
    const g = new CacheFixture(join(dir, 'plain-next.sqlite'));
    fillDemoLike(g, 'acme', 300);
    await writePackage({
      auditorKey: testAuditorKey(),
      db: g.db,
      filter: { tenant: ['acme'] },
      identity: alice,
      out: join(dir, 'plain-next.zip'),
      createdAt: '2026-12-01T10:00:00Z',
      previous: join(dir, 'pkg.zip'),
    });
    g.close();
    writeFileSync(join(dir, 'plain-next.pdf'), (await unzipAll(join(dir, 'plain-next.zip'))).get('report.pdf')!);
    assert.doesNotMatch((await run('pdftotext', ['-layout', join(dir, 'plain-next.pdf'), '-'])).stdout, /Cosigned previous package/);
  });

  test("cosign refuses the package signer's own identity and a package that does not verify, with one line and exit 2", async () => {
    const own = await cli(['cosign', '--identity', 'alice.p12', 'pkg.zip', '--out', 'own.zip']);
    assert.equal(own.code, 2);
    assert.match(own.stderr, /signed with this identity/);
    const broken = copyOf(cosigned, (m) => m.set('audit_events.csv', Buffer.concat([m.get('audit_events.csv')!, Buffer.from('x')])));
    await writeZip(
      join(dir, 'broken.zip'),
      copyOf(broken, (m) => {
        m.delete('checkpoint.cosig');
        m.delete('cosigner.pem');
      }),
    );
    const bad = await cli(['cosign', '--identity', 'quinn.p12', 'broken.zip']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /does not verify \(SIZE_MISMATCH/);
    const twice = await cli(['cosign', '--identity', 'quinn.p12', 'pkg.cosigned.zip', '--out', 'twice.zip']);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /already cosigned by Quinn QA/);
  });
});
