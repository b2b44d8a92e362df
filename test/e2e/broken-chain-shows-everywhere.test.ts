// Issue 16: truth at a glance. Once a verification found the demo's tampered tenant broken,
// the break is visible wherever that tenant appears (status line, Timeline header, tenant
// facet, Export preview) and nowhere else; the Integrity screen opens with a summary row and
// every chain row names what it was verified against. Facet counts the backend sampled are
// marked "≈" with a tooltip that says how they were computed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import { startStack, type Stack } from './support/stack.js';
import { AppFrame } from './pages/app-frame.js';
import { testAndSync } from './actions/sync.js';
import { verifyCache } from './actions/anchor.js';
import { openTimeline } from './actions/timeline.js';
import { openScreen } from './actions/navigate.js';
import { createIdentityOnExport } from './actions/identity.js';
import { IntegrityPage } from './pages/integrity.js';
import { TimelinePage } from './pages/timeline.js';

describe('a broken chain is visible wherever its tenant appears', () => {
  let demo: DemoDb;
  let stack: Stack;
  let tampered: string;
  before(async () => {
    demo = await startDemoDb();
    tampered = demo.groundTruth.tamperedTenant;
    stack = await startStack({ demo: { url: demo.url, tenants: demo.groundTruth.tenants } });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('Integrity opens with a summary row, and every chain row names its source', async () => {
    const integrity = await verifyCache(stack.page, demo.groundTruth.tenants);
    const summary = stack.page.getByTestId('integrity-summary');
    const n = demo.groundTruth.tenants.length;
    await summary.filter({ hasText: `${n} chains: ${n - 1} intact, 1 broken` }).waitFor();
    assert.match(await summary.innerText(), /last verified \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC against the cache/);
    for (const t of demo.groundTruth.tenants) {
      assert.match(await integrity.chainRow(t).getByTestId('chain-source').innerText(), /against the cache$/);
    }
  });

  test('"jump to row" selects the broken row and opens its drawer at that seq', async () => {
    const integrity = new IntegrityPage(stack.page);
    const link = integrity
      .chainRow(tampered)
      .getByRole('link', { name: /Jump to the row at seq \d+/ })
      .first();
    const seq = /seq (\d+)/.exec((await link.getAttribute('aria-label'))!)![1]!;
    await link.click();
    const tl = new TimelinePage(stack.page);
    await tl.drawer.waitFor();
    const chain = tl.drawer.getByRole('region', { name: 'Chain position' });
    await chain.waitFor();
    assert.match(await chain.innerText(), new RegExp(`seq\\s+${seq}\\b`));
    assert.equal(await tl.grid.locator('[role=row][aria-selected="true"]').count(), 1, 'the row is selected (marked) in the list');
    await stack.page.keyboard.press('Escape');
    await openScreen(stack.page, 'Integrity');
  });

  test('the status line flags the tampered tenant only', async () => {
    const frame = new AppFrame(stack.page);
    await frame.cacheTenants.locator(`[data-tenant="${tampered}"]`).getByTestId('status-chain-broken').waitFor({ timeout: 15_000 });
    assert.match(await frame.cacheTenants.locator(`[data-tenant="${tampered}"]`).innerText(), /⚠ chain broken: \d+ breaks?/);
    assert.equal(await frame.cacheTenants.getByTestId('status-chain-broken').count(), 1);
  });

  test('the Timeline header and the tenant facet flag it', async () => {
    const tl = await openTimeline(stack.page);
    const note = stack.page.getByTestId('timeline-chain-broken');
    await note.waitFor();
    assert.match(await note.innerText(), new RegExp(`${tampered}: chain broken: \\d+ breaks? \\(verified .* against the cache\\)`));
    await tl.facet('tenant').locator(`label[data-value="${tampered}"]`).getByTestId('facet-chain-broken').waitFor();
    assert.equal(await tl.facet('tenant').getByTestId('facet-chain-broken').count(), 1);
    // Filtered to an intact tenant, the header says nothing about the other one.
    const intact = demo.groundTruth.tenants.find((t) => t !== tampered)!;
    await stack.page.goto(`${stack.bridge.origin}/#/timeline?tenant=${intact}`);
    await tl.rows.first().waitFor();
    assert.equal(await note.count(), 0);
  });

  test('the Export preview of the tampered tenant says its breaks will be listed', async () => {
    await openScreen(stack.page, 'Export');
    await stack.page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tampered);
    const broken = stack.page.getByTestId('export-preview-broken');
    await broken.waitFor({ timeout: 15_000 });
    assert.match(await broken.innerText(), /This tenant's chain has \d+ breaks? \(verified against the cache\); they will be listed in the report\./);
    const intact = demo.groundTruth.tenants.find((t) => t !== tampered)!;
    await stack.page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(intact);
    await stack.page.getByTestId('export-preview').waitFor();
    assert.equal(await broken.count(), 0);
  });

  test('the export of the tampered tenant answers two questions apart: the package is authentic, the data is BROKEN (never green)', async () => {
    const page = stack.page;
    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tampered);
    await page.getByTestId('export-preview').waitFor();
    await createIdentityOnExport(page, { name: 'Bea Broken', org: 'Example Audit LLP', email: 'bea@example.org' });
    await page.getByRole('textbox', { name: 'Package file' }).fill(`${stack.dataDir}/package-${tampered}.zip`);
    await page.getByRole('button', { name: 'Export and sign' }).click();
    await page.getByTestId('package-verification').waitFor({ timeout: 120_000 });
    const authenticity = page.getByTestId('package-authenticity');
    const data = page.getByTestId('package-data-integrity');
    assert.match(await authenticity.innerText(), /^Package authentic: signature valid, but the signer is not pinned/);
    assert.match(await data.innerText(), /^Data integrity: BROKEN, \d+ breaks? in the hash chain/);
    assert.equal(await data.getAttribute('data-state'), 'bad');
    assert.notEqual(await authenticity.getAttribute('data-state'), 'ok', 'unpinned is not green either');
    assert.equal(await page.locator('[data-testid="package-verification"] .ok').count(), 0, 'nothing green about a broken tenant');
    await stack.screenshot('17-export-broken-two-questions-light');
  });

  test('sampled facet counts are marked ≈ and say how they were computed', async () => {
    // The demo is small enough to be counted exactly; the backend's "sampled" answer for a
    // large cache is played back here so the marking is what is tested.
    await stack.page.route('**/api/records.facets', async (route) => {
      const response = await route.fetch();
      const reply = (await response.json()) as { ok: boolean; value?: { facets: Record<string, { sampled?: unknown }> } };
      if (reply.ok && reply.value?.facets.eventType) reply.value.facets.eventType.sampled = { rows: 5000, of: 123456 };
      await route.fulfill({ response, json: reply });
    });
    try {
      const tl = await openTimeline(stack.page);
      await stack.page.goto(`${stack.bridge.origin}/#/timeline?severity=high`);
      const facet = tl.facet('eventType');
      await facet.getByTestId('facet-sampled').waitFor();
      assert.equal(await facet.getByTestId('facet-sampled').innerText(), '≈ counted on the newest 5,000 of 123,456 matching rows');
      const counts = await facet.locator('.count').allInnerTexts();
      assert.ok(counts.length > 0);
      for (const c of counts) assert.match(c, /^≈[\d,]+$/);
      assert.match((await facet.locator('.count').first().getAttribute('title'))!, /counted on the newest 5,000 of 123,456 matching rows/);
      // An exactly counted facet carries no mark.
      for (const c of await tl.facet('severity').locator('.count').allInnerTexts()) assert.match(c, /^[\d,]+$/);
    } finally {
      await stack.page.unroute('**/api/records.facets');
    }
  });
});
