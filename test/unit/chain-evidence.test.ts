// Between two visits: the new export's tree extends the old one, or the first rewritten
// range is named; a package checkpoint opens only with the key of its own signer.pem.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { ChainLeafCollector } from '../../src-main/core/chain/chain-leaves.js';
import { rawEd25519PublicKey } from '../../src-main/core/chain/signed-note.js';
import { chainOrigin } from '../../src-main/core/chain/tlog-checkpoint.js';
import { consistencyText, extendsPrevious, firstDifferingRange, openPackageCheckpoint, packageCheckpoint, parseConsistencyText, signerVerifierKey } from '../../src-main/core/export/chain-evidence.js';

const h = (s: string) => createHash('sha256').update(s).digest('hex');
const origin = chainOrigin('ab'.repeat(32), 'globex-bank', 'audit_logs');
const FP = 'cd'.repeat(32);
const key = generateKeyPairSync('ed25519').privateKey;
const pub = rawEd25519PublicKey(createPublicKey(key));

function chain(n: number, edit: (seq: number) => string | null = (s) => h(`row ${s}`)): ChainLeafCollector {
  const c = new ChainLeafCollector();
  for (let s = 1; s <= n; s++) {
    const v = edit(s);
    if (v !== null) c.push(BigInt(s), v);
  }
  return c;
}

function headOf(c: ChainLeafCollector) {
  const opened = openPackageCheckpoint(packageCheckpoint(c, origin, FP, key), signerVerifierKey(FP, key), pub);
  assert.ok(opened.ok);
  return opened.head;
}

describe('a later export against an earlier one', () => {
  test('an appended chain extends the earlier tree; the proof survives its text form', () => {
    const earlier = chain(40);
    const later = chain(95);
    const text = consistencyText({ previousPackageId: 'pkg-1', previous: headOf(earlier), path: later.tree().consistencyProof(40) });
    const parsed = parseConsistencyText(text, origin);
    assert.equal(parsed.previousPackageId, 'pkg-1');
    assert.ok(extendsPrevious(parsed.previous, headOf(later), parsed.path));
    assert.equal(firstDifferingRange(earlier, later), null);
  });

  test('a history rewritten from seq 12 to 14 fails, and the range is named', () => {
    const earlier = chain(40);
    const later = chain(95, (s) => (s >= 12 && s <= 14 ? h(`forged ${s}`) : h(`row ${s}`)));
    assert.ok(!extendsPrevious(headOf(earlier), headOf(later), later.tree().consistencyProof(40)));
    assert.deepEqual(firstDifferingRange(earlier, later), { fromSeq: 12n, toSeq: 14n, what: '3 row(s) rewritten' });
  });

  test('rows removed from the middle are named as removed', () => {
    const earlier = chain(40);
    const later = chain(95, (s) => (s === 20 || s === 21 ? null : h(`row ${s}`)));
    assert.ok(!extendsPrevious(headOf(earlier), headOf(later), later.tree().consistencyProof(40)));
    assert.deepEqual(firstDifferingRange(earlier, later), { fromSeq: 20n, toSeq: 21n, what: '2 row(s) removed' });
  });

  test('a checkpoint with a vkey that is not the key of signer.pem is refused', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const note = packageCheckpoint(chain(5), origin, FP, other);
    const r = openPackageCheckpoint(note, signerVerifierKey(FP, other), pub);
    assert.deepEqual(r, { ok: false, reason: 'signer.vkey is not the key of signer.pem.' });
  });
});
