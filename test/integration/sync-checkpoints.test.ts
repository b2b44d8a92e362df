// Issue 4: every sync leaves a signed checkpoint per chain, made with the auditor's
// key, so a later visit can prove whether the chain was rewritten since.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startDemoDb } from '../helpers/demo-db.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { listCheckpoints, verifyCheckpointSignature } from '../../src-main/core/verify/checkpoints.js';
import { scratchDir } from '../helpers/scratch.js';
import { openStoredNote } from '../../src-main/core/verify/checkpoint-note.js';
import { readChainLeaves } from '../../src-main/core/verify/tlog-evidence.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));
let demo: Awaited<ReturnType<typeof startDemoDb>>;

before(async () => {
  demo = await startDemoDb();
});
after(async () => {
  await demo?.stop();
});

test('auditdesk sync records a signed checkpoint at each synced chain head', async () => {
  const dir = scratchDir('auditdesk-sync-cp-');
  const cache = join(dir, 'cache.sqlite');
  const tenants = demo.groundTruth.tenants;
  // Exit 1: the demo's tampered tenant has a broken chain, which the sync's verdict reports (issue 17).
  const synced = await run(process.execPath, [cli, 'sync', '--source', demo.url, ...tenants.flatMap((t) => ['--tenant', t]), '--cache', cache, '--data-dir', join(dir, 'data')]).then(
    () => 0,
    (e: { code: number }) => e.code,
  );
  assert.equal(synced, 1);

  const db = openCache(cache);
  try {
    const auditor = loadOrCreateAuditorKey(join(dir, 'data')).publicKeyRaw;
    const checkpoints = listCheckpoints(db, {}, auditor).filter((c) => c.origin === 'sync');
    assert.deepEqual(checkpoints.map((c) => c.tenantId).sort(), [...tenants].sort());
    for (const c of checkpoints) {
      const head = demo.groundTruth.chainHeads[c.tenantId]!;
      assert.equal(c.lastSeq, BigInt(head.last_seq), `${c.tenantId} head seq`);
      assert.equal(c.headHash, head.hash, `${c.tenantId} head hash`);
      assert.equal(verifyCheckpointSignature(c, auditor), 'valid');
      assert.equal(verifyCheckpointSignature({ ...c, headHash: '0'.repeat(64) }, auditor), 'invalid', 'a forged head fails the signature');
      assert.equal(verifyCheckpointSignature(c, testAuditorKey().publicKeyRaw), 'other-key', "sound, but not this data folder's key");
      // The same head as a C2SP signed note: the cached chain's RFC 6962 tree up to the synced head.
      const opened = openStoredNote({ note: c.note!, publicKey: c.publicKey!, sourceFingerprint: c.sourceFingerprint, tableName: c.tableName, tenantId: c.tenantId });
      assert.ok(opened.ok, `${c.tenantId}: the sync checkpoint is also a signed note`);
      const leaves = readChainLeaves(db, c.tenantId, c.tableName, c.lastSeq).leaves;
      assert.equal(opened.head.size, BigInt(leaves.size), `${c.tenantId} tree size`);
      assert.ok(opened.head.root.equals(leaves.tree().root()), `${c.tenantId} tree root`);
    }
  } finally {
    db.close();
  }
});
