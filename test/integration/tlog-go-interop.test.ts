// Our checkpoints and proofs, checked by code we did not write: a small Go program
// (test/interop/tlogcheck) built from Debian's golang-go and golang-golang-x-mod-dev
// verifies them with golang.org/x/mod/sumdb/note and sumdb/tlog, offline.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { rawEd25519PublicKey, signNote, verifierKeyText } from '../../src-main/core/chain/signed-note.js';
import { chainOrigin, checkpointText, tlogProofText } from '../../src-main/core/chain/tlog-checkpoint.js';
import { LeafTree } from '../../src-main/core/chain/tlog-proofs.js';
import { scratchDir } from '../helpers/scratch.js';

const run = promisify(execFile);
// dist/test/integration → the Go source stays in the source tree (tsc does not copy it)
const GO_SOURCE = fileURLToPath(new URL('../../../test/interop/tlogcheck', import.meta.url));
const dir = scratchDir('auditdesk-tlog-');
const tool = join(dir, 'tlogcheck');

const KEY = 'auditdesk.local/auditor/interop';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const vkeyFile = join(dir, 'auditor.vkey');
const hashes = Array.from({ length: 37 }, (_, i) => createHash('sha256').update(`row ${i}`).digest('hex'));
const origin = chainOrigin('9f2c4e1a7b3d5f60aa', 'globex-bank', 'audit_logs');

function checkpointFile(name: string, tree: LeafTree, size: number): string {
  const path = join(dir, name);
  writeFileSync(path, signNote(checkpointText({ origin, size: BigInt(size), root: tree.root(size) }), KEY, privateKey));
  return path;
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

describe('Go sumdb/note and sumdb/tlog accept our evidence and refuse altered evidence', () => {
  before(async () => {
    // .ci/setup installs golang-go and golang-golang-x-mod-dev; without them this fails loudly.
    await run('go', ['build', '-o', tool, '.'], { cwd: GO_SOURCE, env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(dir, 'gocache') } });
    writeFileSync(vkeyFile, verifierKeyText(KEY, rawEd25519PublicKey(publicKey)) + '\n');
  });

  test('a signed checkpoint opens with the published vkey', async () => {
    const tree = LeafTree.fromStoredHashes(hashes);
    const r = await tlogcheck('checkpoint', vkeyFile, checkpointFile('cp.note', tree, 37));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`^ok ${origin.replace(/[.]/g, '\\.')} 37 `));
  });

  test('a checkpoint with an altered size is refused', async () => {
    const tree = LeafTree.fromStoredHashes(hashes);
    const path = checkpointFile('cp-altered.note', tree, 37);
    const { readFileSync } = await import('node:fs');
    writeFileSync(path, readFileSync(path, 'utf8').replace('\n37\n', '\n36\n'));
    const r = await tlogcheck('checkpoint', vkeyFile, path);
    assert.equal(r.code, 1);
    assert.match(r.out, /invalid signature|verification failure/i);
  });

  test('an inclusion proof for one row verifies, and not for another row', async () => {
    const tree = LeafTree.fromStoredHashes(hashes);
    const note = signNote(checkpointText({ origin, size: 37n, root: tree.root() }), KEY, privateKey);
    const proofFile = join(dir, 'row-20.tlog-proof');
    writeFileSync(proofFile, tlogProofText({ extra: Buffer.from('{"seq":21}'), index: 20n, path: tree.inclusionProof(20), checkpoint: note }));
    const ok = await tlogcheck('proof', vkeyFile, proofFile, hashes[20]!);
    assert.equal(ok.code, 0, ok.out);
    const wrong = await tlogcheck('proof', vkeyFile, proofFile, hashes[21]!);
    assert.equal(wrong.code, 1);
    assert.match(wrong.out, /invalid transparency proof/);
  });

  test('a consistency proof between two visits verifies; a rewritten history fails', async () => {
    const tree = LeafTree.fromStoredHashes(hashes);
    const oldNote = checkpointFile('visit1.note', tree, 13);
    const newNote = checkpointFile('visit2.note', tree, 37);
    const proofFile = join(dir, 'consistency.txt');
    writeFileSync(
      proofFile,
      tree
        .consistencyProof(13, 37)
        .map((h) => h.toString('base64'))
        .join('\n') + '\n',
    );
    const ok = await tlogcheck('consistency', vkeyFile, oldNote, newNote, proofFile);
    assert.equal(ok.code, 0, ok.out);

    const rewritten = [...hashes];
    rewritten[5] = createHash('sha256').update('forged').digest('hex');
    const forgedTree = LeafTree.fromStoredHashes(rewritten);
    const forgedNote = checkpointFile('visit2-forged.note', forgedTree, 37);
    writeFileSync(
      proofFile,
      forgedTree
        .consistencyProof(13, 37)
        .map((h) => h.toString('base64'))
        .join('\n') + '\n',
    );
    const bad = await tlogcheck('consistency', vkeyFile, oldNote, forgedNote, proofFile);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /does not extend/);
  });
});
