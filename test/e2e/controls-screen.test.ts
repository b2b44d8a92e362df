// Issue 15: the Controls screen runs every control on the demo connection, read-only,
// and shows per tenant the verdict, the one-line summary, the evidence and the exact SQL;
// the failures it shows are the demo's planted ones.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoDb } from '../helpers/demo-db.js';
import type { Stack } from './support/stack.js';
import { runControls } from './actions/controls.js';
import type { ControlsPage } from './pages/controls.js';
import { startDemoStack } from './support/demo-stack.js';

describe('Controls screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let controls: ControlsPage;
  before(async () => {
    ({ demo, stack } = await startDemoStack());
    controls = await runControls(stack.page, demo.groundTruth.tenants);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test("every tenant has a row per control, and the failing rows are the ground truth's (retention aside: it depends on today)", async () => {
    const truth = demo.groundTruth;
    for (const tenant of truth.tenants) {
      const rows = controls.tenant(tenant).locator('tbody tr');
      assert.equal(await rows.count(), 17);
      const failing = await controls
        .tenant(tenant)
        .locator('tbody tr[data-status="fail"], tbody tr[data-status="warn"]')
        .evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-control')} ${tr.getAttribute('data-status')}`));
      const expected = truth.controls.expected.filter((e) => e.tenant === tenant).map((e) => `${e.control} ${e.status}`);
      // The dead-letter file is a CLI input (--dlq); the screen runs without one.
      const withoutDlq = expected.filter((e) => !e.startsWith('dlq.reconciled ')).sort();
      assert.deepEqual(failing.filter((f) => !f.startsWith('retention.')).sort(), withoutDlq, tenant);
    }
    assert.match(await controls.source.innerText(), /source fingerprint [0-9a-f]{16}…\), read-only/);
    // Done is done: no "0 rows" of a job that counts none, no last step it was on.
    const job = stack.page.getByTestId('job-controls');
    await job.and(stack.page.locator('[data-state="done"]')).waitFor();
    assert.equal(await job.getByTestId('job-stats').innerText(), '');
    assert.deepEqual(stack.pageErrors, []);
  });

  test('a verdict opens to its evidence and the exact read-only SQL that produced it', async () => {
    const tenant = demo.groundTruth.tamperedTenant;
    const row = controls.row(tenant, 'chain.intact');
    assert.match(await row.innerText(), /FAIL\s+the chain of [\d,]+ rows has 2 breaks \(modified, deleted\)/);
    assert.equal(await controls.evidence(tenant, 'chain.intact').isVisible(), false);
    // Every row has this toggle: its name says whose evidence it opens.
    assert.equal(await controls.evidenceToggle(tenant, 'chain.intact').textContent(), `Evidence and SQL of chain.intact (${tenant})`);
    await controls.evidenceToggle(tenant, 'chain.intact').click();
    const evidence = JSON.parse(await controls.evidence(tenant, 'chain.intact').innerText()) as { breaks: { id: string; kind: string }[] };
    const modified = demo.groundTruth.tampering.find((t) => t.kind === 'modified')!;
    assert.ok(evidence.breaks.some((b) => b.kind === 'modified' && b.id === modified.id));
    assert.match(await controls.sql(tenant, 'chain.intact').innerText(), /^COPY \(SELECT .* FROM "public"\."audit_logs" WHERE "tenant_id" = .*\) TO STDOUT$/);

    const night = demo.groundTruth.incidents.nightExport;
    await controls.evidenceToggle(night.tenant, 'access_log.coverage').click();
    const access = await controls.evidence(night.tenant, 'access_log.coverage').innerText();
    for (const id of night.ids) assert.ok(access.includes(id), `night export ${id} listed`);
    assert.match(await controls.sql(night.tenant, 'access_log.coverage').innerText(), /FROM "public"\."audit_logs" e/);
    await stack.screenshot('controls-screen');
  });
});
