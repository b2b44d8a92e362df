// The Export screen's default path when no engagement is open names the file after the
// tenant, whose id is the source's text: it must stay a file name in exports/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fallbackPackagePath } from '../../src-renderer/app/file-names.js';

const NOW = new Date('2026-12-07T18:05:09Z');

test('a plain tenant id names the file in exports/ beside the cache', () => {
  assert.equal(fallbackPackagePath('/work/case/cache.sqlite', 'globex-bank', NOW), '/work/case/exports/globex-bank-20261207180509.zip');
});

test('a tenant id with ../ or a right-to-left override stays one readable file name in exports/', () => {
  assert.equal(fallbackPackagePath('/work/case/cache.sqlite', '../../../tmp/evil', NOW), '/work/case/exports/.._.._.._tmp_evil-20261207180509.zip');
  assert.equal(fallbackPackagePath('/work/case/cache.sqlite', '\u202Egpj.exe', NOW), '/work/case/exports/_gpj.exe-20261207180509.zip');
});
