// Every package signs the reviewer journal's head with the auditor key (issue 14), so
// every test that writes a package needs one: one key per test process, in a folder
// only this user can read, like the app's data folder. The folder goes when the process
// ends (it used to stay: one folder per test file per run piled up in the temp folder).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateAuditorKey, type AuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { makePrivateTempDir } from '../../src-main/core/util/private-files.js';

let key: AuditorKey | undefined;

export function testAuditorKey(): AuditorKey {
  if (!key) {
    const dir = makePrivateTempDir('auditdesk-test-auditor-key-');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    key = loadOrCreateAuditorKey(join(dir, 'data'));
  }
  return key;
}
