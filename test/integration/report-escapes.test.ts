// What a verification prints comes partly from files others can write: a checkpoint's
// created_at and origin label from the cache, tenant ids and row values from the source.
// A control character there reached the terminal raw, so a planted checkpoint could move
// the cursor and overwrite the verdict line above it (ESC[2A ESC[2K). The human report
// escapes every such character as a visible \u{XX}; --json was already escaped by JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { recordCheckpoint } from '../../src-main/core/verify/checkpoints.js';
import { listCachedChains } from '../../src-main/core/verify/adapters.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';

test('a checkpoint whose created_at carries terminal escapes cannot rewrite the lines verify prints', { timeout: 120_000 }, async () => {
  const dir = scratchDir('auditdesk-report-escapes-');
  const cache = join(dir, 'cache.sqlite');
  const f = new CacheFixture(cache);
  fillDemoLike(f, 'acme', 50);
  const [chain] = listCachedChains(f.db, ['acme']);
  const forger = loadOrCreateAuditorKey(join(dir, 'forger'));
  recordCheckpoint(f.db, forger, {
    origin: 'verify',
    sourceFingerprint: chain!.sourceFingerprint,
    tableName: chain!.name,
    tenantId: 'acme',
    lastSeq: 10n,
    headHash: 'f'.repeat(64),
    merkleRoot: null,
    rowCount: null,
    createdAt: '2026-01-01\u001b[2A\u001b[2K\u202eAll chains intact',
  });
  f.close();

  const r = await runAuditdesk(['verify', '--cache', cache, '--full', '--data-dir', join(dir, 'data')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control or bidi character reaches the terminal');
  assert.match(r.stdout, /2026-01-01\\u\{1B\}\[2A\\u\{1B\}\[2K\\u\{202E\}All chains intact/, 'the planted text is shown, escaped, not dropped');
});
