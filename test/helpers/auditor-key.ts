// Every package signs the reviewer journal's head with the auditor key (issue 14), so
// every test that writes a package needs one: one key per test process, in a folder
// only this user can read, like the app's data folder.
import { join } from 'node:path';
import { loadOrCreateAuditorKey, type AuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { makePrivateTempDir } from '../../src-main/core/util/private-files.js';

let key: AuditorKey | undefined;

export function testAuditorKey(): AuditorKey {
  key ??= loadOrCreateAuditorKey(join(makePrivateTempDir('auditdesk-test-auditor-key-'), 'data'));
  return key;
}
