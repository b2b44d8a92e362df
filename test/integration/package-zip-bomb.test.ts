// A hostile package cannot exhaust the verifier (issue 11): an entry is read no further
// than the size the manifest records, so a 2 MB ZIP that inflates to 2 GB is refused
// quickly and in little memory. Time and memory are measured in a child process; the
// time is reported, and bounded only generously (speed goals are not test assertions).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { copyOf, unzipAll, writeRawZip, zeroBomb, type PackageFiles } from '../helpers/package-zip.js';
import { createIdentity, loadIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'verify-child.js');
const TWO_GB_IN_MB = 2048;
let dir: string;
let files: PackageFiles;

before(async () => {
  dir = scratchDir('auditdesk-bomb-');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 50);
  createIdentity({ name: 'Bomb Tester', org: 'QA', email: 'qa@audit.example', password: 'bomb-password', out: join(dir, 'id.p12') });
  await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: loadIdentity(join(dir, 'id.p12'), 'bomb-password'), out: join(dir, 'pkg.zip') });
  f.close();
  files = await unzipAll(join(dir, 'pkg.zip'));
});

function verifyInChild(path: string): { verdict: string; failures: { code: string; file?: string }[]; ms: number; maxRssMb: number } {
  const r = spawnSync(process.execPath, [CHILD, path], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

for (const [label, claimsManifestSize] of [
  ['whose headers admit 2 GB', false],
  ['whose headers lie, claiming the size the manifest records', true],
] as const) {
  test(`a ~2 MB ZIP with audit_events.csv inflating to 2 GB, ${label}, is refused in little memory`, (t) => {
    const path = join(dir, `bomb-${claimsManifestSize}.zip`);
    const real = files.get('audit_events.csv')!;
    writeRawZip(
      path,
      copyOf(files, (m) => m.delete('audit_events.csv')),
      [{ name: 'audit_events.csv', deflated: zeroBomb(TWO_GB_IN_MB), claimedSize: claimsManifestSize ? real.length : TWO_GB_IN_MB * (1 << 20) }],
    );
    const zipMb = statSync(path).size / (1 << 20);
    assert.ok(zipMb < 3, `the bomb is ${zipMb.toFixed(1)} MB`);
    const r = verifyInChild(path);
    t.diagnostic(`bomb ${zipMb.toFixed(1)} MB → 2 GB: refused in ${r.ms} ms, peak RSS ${r.maxRssMb} MB`);
    assert.equal(r.verdict, 'invalid');
    assert.ok(
      r.failures.some((f) => f.file === 'audit_events.csv' && ['SIZE_MISMATCH', 'ENTRY_CORRUPT'].includes(f.code)),
      JSON.stringify(r.failures),
    );
    assert.ok(r.maxRssMb < 200, `peak RSS ${r.maxRssMb} MB`);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
  });
}
