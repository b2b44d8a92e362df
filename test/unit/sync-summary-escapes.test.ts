// The summary `auditdesk sync` prints names tenant ids and source keys, text the source's
// owner writes. A control or bidi character there must not reach the terminal raw, where it
// could move the cursor over the lines above (the verify report's escaping, report-escapes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSummary } from '../../src-main/cli/commands/sync.js';
import type { SyncSummary } from '../../src-main/core/sync/index.js';

const HOSTILE_TENANT = 'acme\u001b[2A\u001b[2K';
const HOSTILE_KEY = 'evt-1\u202e\u0007';

function summaryNaming(tenant: string, key: string): SyncSummary {
  return {
    syncId: 1,
    source: '127.0.0.1:5432/audit',
    fingerprint: 'f'.repeat(64),
    serverVersion: '16.4',
    tenants: [tenant],
    tables: [
      {
        kind: 'events',
        table: 'audit_logs',
        tenant,
        fetched: 3,
        modified: 1,
        deleted: 0,
        late: 0,
        seal: { rowCount: 3, merkleRoot: 'a'.repeat(64), firstKey: '1', lastKey: '3', headSeq: '3', headHash: 'b'.repeat(64) },
      },
    ],
    rowsFetched: 3,
    rowsChanged: 1,
    rowsDeleted: 0,
    changes: [{ kind: 'events', tenant, key, change: 'modified' }],
    changesTruncated: false,
    privilegeWarnings: [],
    readOnly: true,
    seconds: 0.5,
    rowsPerSecond: 6,
  };
}

test("the sync summary shows a tenant id's and a source key's control characters escaped, not raw", () => {
  const out = humanSummary(summaryNaming(HOSTILE_TENANT, HOSTILE_KEY), '/tmp/cache.sqlite');
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(out.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control or bidi character reaches the terminal');
  assert.match(out, /acme\\u\{1B\}\[2A\\u\{1B\}\[2K/, 'the tenant id is shown escaped, not dropped');
  assert.match(out, /evt-1\\u\{202E\}\\u\{07\}/, 'the source key is shown escaped, not dropped');
});
