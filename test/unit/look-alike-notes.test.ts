// `auditdesk controls` prints a block per tenant: of two tenants whose names draw alike, each
// block says which other it looks like, as verify and sync do; the report itself keeps the ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanControlsReport } from '../../src-main/core/controls/report.js';
import { CONTROLS_FORMAT, controlsPolicySchema, type ControlsReport } from '../../src-main/core/contract/controls-policy.js';
import { namingLookAlikes } from '../../src-main/cli/look-alike-notes.js';

test('the controls report names each of a look-alike pair with the other, and an ordinary tenant alone', () => {
  const tenant = (id: string) => ({ tenant: id, controls: [{ id: 'chain.intact', status: 'pass' as const, summary: 'the chain is intact', evidence: {}, queries: [] }] });
  const report: ControlsReport = {
    format: CONTROLS_FORMAT,
    checkedAt: '2026-12-07T00:00:00.000Z',
    source: { label: '127.0.0.1:5432/audit', fingerprint: 'f'.repeat(64) },
    policy: controlsPolicySchema.parse({}),
    tenants: [tenant('acme-pharma'), tenant('globex-bank'), tenant('gl\u043ebex-bank')],
  };
  const out = humanControlsReport(namingLookAlikes(report));
  assert.match(out, /^Tenant globex-bank \(globex-bank looks like gl\\u\{43E\}bex-bank\)$/m);
  assert.match(out, /^Tenant gl\u043ebex-bank \(gl\\u\{43E\}bex-bank looks like globex-bank\)$/m);
  assert.match(out, /^Tenant acme-pharma$/m);
  assert.deepEqual(
    report.tenants.map((t) => t.tenant),
    ['acme-pharma', 'globex-bank', 'gl\u043ebex-bank'],
    'the report given to --json is left as it was',
  );
});
