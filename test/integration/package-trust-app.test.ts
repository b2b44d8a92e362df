// In the app, a package is "valid" only when its signer is pinned: by the trust the
// caller passes, or by an identity the user marked trusted (kept in the app's settings,
// so it holds after a restart). Without either, the app says "unpinned", never valid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { PackageVerificationView, TrustedSignerView } from '../../src-main/core/contract/export.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

let dir: string;
let pkg: string;
let signer: LoadedIdentity;

before(async () => {
  dir = scratchDir('auditdesk-trust-app-');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 40);
  createIdentity({ name: 'Trusted Tess', org: 'Audit LLP', email: 'tess@audit.example', password: 'trust-password', out: join(dir, 'tess.p12') });
  signer = loadIdentity(join(dir, 'tess.p12'), 'trust-password');
  pkg = join(dir, 'pkg.zip');
  await writePackage({ auditorKey: testAuditorKey(), db: f.db, filter: { tenant: ['acme'] }, identity: signer, out: pkg });
  f.close();
});

let ctx: AppContext;
const open = () => new AppContext({ dataDir: join(dir, 'app'), frontDoor: 'test', cachePath: join(dir, 'cache.sqlite'), log: () => undefined });
after(() => ctx?.close());

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, method as never, input as never);
  assert.equal(r.ok, true, JSON.stringify(r));
  return (r as { value: T }).value;
}

test('a package by a signer nobody marked trusted is "unpinned", not valid', async () => {
  ctx = open();
  const v = await call<PackageVerificationView>('export.verifyPackage', { path: pkg });
  assert.equal(v.verdict, 'unpinned');
  assert.equal(v.valid, false);
  assert.deepEqual(v.failures, []);
});

test('marking the signer trusted makes it valid, naming the pin, and survives a restart', async () => {
  const list = await call<TrustedSignerView[]>('identity.trust', { fingerprint: signer.info.fingerprint, label: 'Tess at Audit LLP' });
  assert.deepEqual(
    list.map((t) => t.fingerprint),
    [signer.info.fingerprint],
  );
  const v = await call<PackageVerificationView>('export.verifyPackage', { path: pkg });
  assert.equal(v.verdict, 'valid');
  assert.match(v.signer!.pinnedBy!, /marked trusted in this app/);
  ctx.close();
  ctx = open();
  assert.deepEqual(
    (await call<TrustedSignerView[]>('identity.trusted', {})).map((t) => t.label),
    ['Tess at Audit LLP'],
  );
  assert.equal((await call<PackageVerificationView>('export.verifyPackage', { path: pkg })).verdict, 'valid');
});

test('removing the mark makes it unpinned again', async () => {
  await call<TrustedSignerView[]>('identity.untrust', { fingerprint: signer.info.fingerprint });
  assert.equal((await call<PackageVerificationView>('export.verifyPackage', { path: pkg })).verdict, 'unpinned');
});
