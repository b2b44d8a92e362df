// Issue 19: docs/verify-by-hand.md works as written. Its shell blocks, steps 1 to 6,
// are run in order by `sh` on a real package, with only PKG.zip replaced by the
// package's path: every check prints OK, the manifest and PDF signatures verify with
// openssl, the ZIP holds exactly the signed names, and a package with one CSV cell
// changed (and re-signed by nobody) makes the same commands print MISMATCH.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { testAuditorKey } from '../helpers/auditor-key.js';
import { createIdentity, loadIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { projectRoot } from '../../src-main/core/util/paths.js';
import { unzipAll, writeZip } from '../helpers/package-zip.js';

const dir = scratchDir('auditdesk-by-hand-');
const DOC = join(projectRoot(), 'docs', 'verify-by-hand.md');

/** The doc's ```sh blocks up to (not including) the one at or after `stopAtHeading`, in order. */
function shellBlocks(stopAtHeading: string): string[] {
  const text = readFileSync(DOC, 'utf8');
  const upTo = text.slice(0, text.indexOf(stopAtHeading));
  return [...upTo.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

function runDoc(pkg: string): string {
  // Step 6 (the hash chain) needs a JSON canonicaliser: it is the Python verifier's, tested elsewhere.
  const script = shellBlocks('## 6.').join('\n').replaceAll('PKG.zip', pkg);
  const res = spawnSync('sh', ['-c', script], { encoding: 'utf8', cwd: dir });
  return `${res.stdout}\n${res.stderr}`;
}

before(async () => {
  createIdentity({ name: 'Hand Checker', org: 'QA', email: 'hand@audit.example', password: 'hand-password', out: join(dir, 'id.p12') });
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 40, { conversations: 10 });
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['acme'] },
    identity: loadIdentity(join(dir, 'id.p12'), 'hand-password'),
    out: join(dir, 'good.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 10,
    approvedVersions: [],
  });
  f.close();
});

test('on a good package every command of steps 1–5 succeeds: signatures verified, every file, count and header OK', () => {
  const out = runDoc(join(dir, 'good.zip'));
  assert.doesNotMatch(out, /MISMATCH/);
  assert.match(out, /Signature Verified Successfully/, 'the manifest signature (openssl pkeyutl)');
  assert.match(out, /CMS Verification successful|Verification successful/, 'the PDF signature (openssl cms -signer)');
  assert.match(out, /^OK +audit_events\.csv$/m);
  assert.match(out, /^OK +audit_events\.csv 40 rows$/m);
  assert.match(out, /^OK +audit_events\.csv header$/m);
  assert.match(out, /^OK +conversation_logs\.csv 10 rows$/m);
  assert.doesNotMatch(out, /^[<>] /m, 'the ZIP holds exactly the signed names (diff prints nothing)');
});

test('a CSV cell changed after signing: the same commands print MISMATCH for that file only', async () => {
  const files = await unzipAll(join(dir, 'good.zip'));
  const csv = files.get('audit_events.csv')!.toString('utf8');
  files.set('audit_events.csv', Buffer.from(csv.replace(/,info,/, ',high,')));
  const forged = join(dir, 'forged.zip');
  writeFileSync(forged, readFileSync(await writeZip(forged, files)));
  const out = runDoc(forged);
  assert.match(out, /^MISMATCH audit_events\.csv$/m);
  assert.match(out, /^OK +conversation_logs\.csv$/m);
  assert.match(out, /Signature Verified Successfully/, 'the manifest itself is untouched');
});

/** The doc's ```sh blocks under one heading (up to the next "## "). */
function shellBlocksOf(heading: string): string[] {
  const text = readFileSync(DOC, 'utf8');
  const from = text.indexOf(heading);
  const end = text.indexOf('\n## ', from + 1);
  return [...text.slice(from, end < 0 ? undefined : end).matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

test('step 10 as written: minisign, Go on the checkpoint and on a QA cosignature of a cosigned package; a forged cosignature is refused', async () => {
  const quinnP12 = join(dir, 'quinn.p12');
  createIdentity({ name: 'Quinn QA', org: 'QA', email: 'quinn@audit.example', password: 'hand-password', out: quinnP12 });
  const quinn = loadIdentity(quinnP12, 'hand-password');
  const { cosignPackage } = await import('../../src-main/core/export/cosign.js');
  const { cosignerVerifierKey } = await import('../../src-main/core/chain/cosignature.js');
  const { rawEd25519PublicKey } = await import('../../src-main/core/chain/signed-note.js');
  const { createPublicKey } = await import('node:crypto');
  const cosigned = await cosignPackage({ pkg: join(dir, 'good.zip'), identity: quinn, out: join(dir, 'cosigned.zip') });
  const vkey = cosignerVerifierKey(cosigned.cosignature.keyName, rawEd25519PublicKey(createPublicKey(quinn.signingKey)));
  const run10 = (pkg: string) => {
    const w = scratchDir('auditdesk-by-hand-10-');
    const script = [`unzip -q -d "$W/pkg" ${pkg} && cd "$W/pkg"`, ...shellBlocksOf('## 10.')].join('\n');
    const res = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, W: w, AUDITDESK_SRC: projectRoot(), COSIGNER_VKEY: vkey } });
    return `${res.stdout}\n${res.stderr}`;
  };
  const out = run10(join(dir, 'cosigned.zip'));
  assert.match(out, /Signature and comment signature verified/);
  assert.match(out, /^ok auditdesk\.local\/chain\/\S+\/acme\/audit_logs 40 /m);
  assert.match(out, /no consistency proof in this package/);
  assert.match(out, /^OK +checkpoint\.cosig extends checkpoint\.note$/m);
  assert.match(out, /^ok cosignature by auditdesk\.local\/cosigner\/[0-9a-f]{16} at \d+$/m);
  // The cosignature's signature bytes changed: Go's note.Open refuses the note.
  const files = await unzipAll(join(dir, 'cosigned.zip'));
  const text = files.get('checkpoint.cosig')!.toString('utf8');
  const b64 = text.slice(text.lastIndexOf(' ') + 1).trim();
  const raw = Buffer.from(b64, 'base64');
  raw[raw.length - 1] ^= 1;
  files.set('checkpoint.cosig', Buffer.from(text.replace(b64, raw.toString('base64'))));
  const forged = await writeZip(join(dir, 'cosig-forged.zip'), files);
  const bad = run10(forged);
  assert.match(bad, /tlogcheck: cosignature: /);
  assert.doesNotMatch(bad, /^ok cosignature/m);
});
