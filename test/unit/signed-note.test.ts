// C2SP signed notes: what we sign opens with our vkey, anything altered does not, and
// unknown signers are ignored rather than trusted (the spec's rule).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { openNote, parseVerifierKey, rawEd25519PublicKey, signNote, verifierKeyText } from '../../src-main/core/chain/signed-note.js';

const NAME = 'auditdesk.local/auditor/test';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const vkey = verifierKeyText(NAME, rawEd25519PublicKey(publicKey));
const text = 'auditdesk.local/chain/abc/acme/audit_logs\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

describe('signed notes', () => {
  test('a note we sign opens with the published vkey and gives back its text', () => {
    const note = signNote(text, NAME, privateKey);
    const r = openNote(note, [parseVerifierKey(vkey)]);
    assert.deepEqual(r, { ok: true, text, verifiedBy: [NAME] });
  });

  test('a changed tree size is refused by name', () => {
    const note = signNote(text, NAME, privateKey).replace('\n42\n', '\n43\n');
    const r = openNote(note, [parseVerifierKey(vkey)]);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /does not verify/);
  });

  test('a note signed only by an unknown key is rejected, not trusted', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const r = openNote(signNote(text, NAME, other), [parseVerifierKey(vkey)]);
    assert.deepEqual(r, { ok: false, reason: 'no signature from a trusted key.' });
  });

  test('a vkey whose id does not match its key, and names with spaces or plus, are refused', () => {
    const tampered = vkey.replace(/\+([0-9a-f]{8})\+/, (_, id: string) => `+${id === '00000000' ? '00000001' : '00000000'}+`);
    assert.throws(() => parseVerifierKey(tampered), { code: 'E_INPUT' });
    assert.throws(() => verifierKeyText('a b', rawEd25519PublicKey(publicKey)), { code: 'E_INPUT' });
    assert.throws(() => verifierKeyText('a+b', rawEd25519PublicKey(publicKey)), { code: 'E_INPUT' });
  });

  test('control characters in the text are refused before signing', () => {
    assert.throws(() => signNote('origin\u001b[2A\n1\nroot\n', NAME, privateKey), { code: 'E_INPUT' });
  });
});
