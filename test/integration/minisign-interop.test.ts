// Debian's minisign checks what our minisign writer signs: a third party needs no
// AuditDesk code to check a manifest. Our own checker agrees with it both ways.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkMinisign, minisignPublicKeyFile, minisignSignature } from '../../src-main/core/export/minisign.js';
import { scratchDir } from '../helpers/scratch.js';

const run = promisify(execFile);
const dir = scratchDir('auditdesk-minisign-');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

async function minisignVerify(file: string, sig: string, pub: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('minisign', ['-V', '-m', file, '-x', sig, '-p', pub]);
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('minisign signatures of a manifest', () => {
  const manifest = join(dir, 'manifest.json');
  const sig = join(dir, 'manifest.json.minisig');
  const pub = join(dir, 'manifest.minisign.pub');
  const data = Buffer.from('{"format":"auditdesk-package-v1","files":[]}\n');
  writeFileSync(manifest, data);
  writeFileSync(sig, minisignSignature(data, privateKey, 'auditdesk package 0f3a manifest.json'));
  writeFileSync(pub, minisignPublicKeyFile(publicKey));

  test('minisign -V accepts the signature and prints the trusted comment', async () => {
    const r = await minisignVerify(manifest, sig, pub);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Trusted comment: auditdesk package 0f3a manifest\.json/);
    assert.deepEqual(checkMinisign(data, readFileSync(sig, 'utf8'), readFileSync(pub, 'utf8')), { ok: true, trustedComment: 'auditdesk package 0f3a manifest.json' });
  });

  test('minisign -V and our check both refuse an altered manifest', async () => {
    const altered = join(dir, 'manifest-altered.json');
    const changed = Buffer.from(data.toString().replace('[]', '[{}]'));
    writeFileSync(altered, changed);
    const r = await minisignVerify(altered, sig, pub);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /verification failed/i);
    assert.equal(checkMinisign(changed, readFileSync(sig, 'utf8'), readFileSync(pub, 'utf8')).ok, false);
  });

  test('minisign -V and our check both refuse an altered trusted comment', async () => {
    const forged = join(dir, 'forged.minisig');
    writeFileSync(forged, readFileSync(sig, 'utf8').replace('0f3a', '0f3b'));
    const r = await minisignVerify(manifest, forged, pub);
    assert.notEqual(r.code, 0);
    assert.equal(checkMinisign(data, readFileSync(forged, 'utf8'), readFileSync(pub, 'utf8')).ok, false);
  });

  test('a signature from another key is refused by both', async () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    const otherPub = join(dir, 'other.pub');
    writeFileSync(otherPub, minisignPublicKeyFile(other));
    const r = await minisignVerify(manifest, sig, otherPub);
    assert.notEqual(r.code, 0);
    assert.equal(checkMinisign(data, readFileSync(sig, 'utf8'), readFileSync(otherPub, 'utf8')).ok, false);
  });
});
