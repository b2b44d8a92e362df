// `auditdesk controls` prints tenant ids and control summaries, which quote the source's
// values (an agent id, a dead letter's reason). A control or bidi character there must not
// reach the terminal raw, where it could move the cursor over the verdict lines above.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanControlsReport } from '../../src-main/core/controls/report.js';
import { CONTROLS_FORMAT, controlsPolicySchema, type ControlsReport } from '../../src-main/core/contract/controls-policy.js';

test("the controls report shows a tenant id's and a summary's control characters escaped, not raw", () => {
  const report: ControlsReport = {
    format: CONTROLS_FORMAT,
    checkedAt: '2026-12-07T00:00:00.000Z',
    source: { label: '127.0.0.1:5432/audit', fingerprint: 'f'.repeat(64) },
    policy: controlsPolicySchema.parse({}),
    tenants: [
      {
        tenant: 'acme\u001b[2A\u001b[2K',
        controls: [{ id: 'ai.production_temperature', status: 'fail', summary: 'agent prod-1\u202e\u0007 ran at temperature 1.4', evidence: {}, queries: [] }],
      },
    ],
  };
  const out = humanControlsReport(report);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(out.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control or bidi character reaches the terminal');
  assert.match(out, /Tenant acme\\u\{1B\}\[2A\\u\{1B\}\[2K/);
  assert.match(out, /agent prod-1\\u\{202E\}\\u\{07\} ran at temperature 1\.4/);
});
