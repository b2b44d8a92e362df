// Issue 2: the workstation opens on the demo tenant and its status line says the
// source is reachable, with the row counts of each tenant.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoDb } from '../helpers/demo-db.js';
import type { Stack } from './support/stack.js';
import { AppFrame } from './pages/app-frame.js';
import { startDemoStack } from './support/demo-stack.js';

describe('app shell on the demo tenant', () => {
  let demo: DemoDb;
  let stack: Stack;
  before(async () => {
    ({ demo, stack } = await startDemoStack());
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('the status line shows the demo tenant reachable and row counts per tenant', async () => {
    const frame = new AppFrame(stack.page);
    await frame.sourceState.filter({ hasText: 'Demo tenant reachable' }).waitFor({ timeout: 30_000 });
    const tenants = frame.sourceTenants.locator('[data-tenant]');
    await tenants.first().waitFor();
    const names = await tenants.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { tenant: string } }).dataset.tenant));
    assert.deepEqual([...names].sort(), [...demo.groundTruth.tenants].sort());
    const n = (x: number) => x.toLocaleString('en-US');
    for (const tenant of demo.groundTruth.tenants) {
      const counts = demo.groundTruth.counts[tenant]!;
      const line = await frame.sourceTenants.locator(`[data-tenant="${tenant}"]`).innerText();
      assert.match(line, new RegExp(`${tenant} ${n(counts.audit_logs)} events, ${n(counts.conversation_audit_logs)} conversations`));
    }
    await stack.screenshot('01-status-line-light');
  });

  test('every screen of the navigation opens', async () => {
    const frame = new AppFrame(stack.page);
    for (const screen of ['Connections', 'Anomalies', 'Integrity', 'Export', 'Timeline'] as const) {
      await frame.nav(screen).click();
      await frame.main(screen).waitFor();
      assert.equal(await frame.nav(screen).getAttribute('aria-current'), 'page');
    }
    assert.deepEqual(stack.pageErrors, [], 'no console errors or CSP violations');
  });
});
