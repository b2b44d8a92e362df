// #18 point 5 on the Export screen: once the engagement has exported a tenant, the next
// export of that tenant names that package as the previous one by default (shown, and
// clearable), and the new package then carries the earlier checkpoint and the
// consistency proof that its chain extends it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Route } from 'playwright-core';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { unzipAll } from '../helpers/package-zip.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import { startStack, type Stack } from './support/stack.js';
import { testAndSync } from './actions/sync.js';
import { openScreen } from './actions/navigate.js';
import { createIdentityOnExport } from './actions/identity.js';

describe('the previous package on the Export screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let tenant: string;
  before(async () => {
    demo = await startDemoDb();
    tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
    stack = await startStack({ demo: { url: demo.url, tenants: [tenant] } });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  async function exportTo(path: string): Promise<void> {
    const page = stack.page;
    await page.getByRole('textbox', { name: 'Package file' }).fill(path);
    await page.getByRole('button', { name: 'Export and sign' }).click();
    await page.getByTestId('package-verification').waitFor({ timeout: 120_000 });
  }

  test('paths typed before the suggested ones arrive stay as typed, so the package goes where the auditor chose', async () => {
    // A slow answer for the suggested paths (a busy main process) came after the typing
    // and replaced it: the package went to the suggested file, not the typed one.
    const page = stack.page;
    const late: Array<() => void> = [];
    const slow = async (route: Route) => {
      const answer = await route.fetch();
      await new Promise<void>((resolve) => late.push(resolve));
      await route.fulfill({ response: answer });
    };
    await page.route('**/api/engagements.defaultExportPath', slow);
    await page.route('**/api/export.lastPackage', slow);
    try {
      await openScreen(page, 'Timeline');
      await openScreen(page, 'Export');
      await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
      const typed = { out: `${stack.dataDir}/typed-${tenant}.zip`, previous: `${stack.dataDir}/typed-previous.zip` };
      await page.getByRole('textbox', { name: 'Package file' }).fill(typed.out);
      await page.getByRole('textbox', { name: 'Previous package' }).fill(typed.previous);
      while (late.length < 2) await new Promise((r) => setTimeout(r, 20));
      const answered = Promise.all([page.waitForResponse('**/api/engagements.defaultExportPath'), page.waitForResponse('**/api/export.lastPackage')]);
      for (const answer of late.splice(0)) answer();
      await answered;
      // The page reads the answers and renders: two frames and a moment after they arrived.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100))))');
      assert.equal(await page.getByRole('textbox', { name: 'Package file' }).inputValue(), typed.out);
      assert.equal(await page.getByRole('textbox', { name: 'Previous package' }).inputValue(), typed.previous);
    } finally {
      await page.unroute('**/api/engagements.defaultExportPath');
      await page.unroute('**/api/export.lastPackage');
      for (const answer of late.splice(0)) answer();
      await openScreen(page, 'Timeline'); // the next test opens a fresh Export screen
    }
  });

  test("defaults to the engagement's last package of the tenant, can be cleared, and the next package extends it", async () => {
    const page = stack.page;
    const first = `${stack.dataDir}/first-${tenant}.zip`;
    const second = `${stack.dataDir}/second-${tenant}.zip`;
    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    const field = page.getByRole('textbox', { name: 'Previous package' });
    await field.waitFor();
    assert.equal(await field.inputValue(), '', 'no package exported yet: none by default');
    await createIdentityOnExport(page, { name: 'Vera Visit', org: 'Example Audit LLP', email: 'vera@example.org' });
    await exportTo(first);

    // The next visit to the screen: the package just written is the default.
    await openScreen(page, 'Timeline');
    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    await page.waitForFunction(
      (p) => (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('input[aria-label="Previous package"]')?.value === p,
      first,
      { timeout: 15_000 },
    );
    await page.getByRole('button', { name: 'Clear previous package' }).click();
    assert.equal(await field.inputValue(), '');
    await field.fill(first);
    await exportTo(second);

    const files = await unzipAll(second);
    assert.ok(files.get('previous-checkpoint.note')?.equals((await unzipAll(first)).get('checkpoint.note')!), 'the earlier checkpoint, verbatim');
    assert.ok(files.has('consistency.proof'), 'the chain extends the earlier one');
    assert.deepEqual(stack.pageErrors, []);
  });

  test('a period date that does not parse is neither counted nor signed as the last date that did', async () => {
    const page = stack.page;
    await openScreen(page, 'Timeline');
    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    const from = page.getByRole('textbox', { name: 'Period from' });
    // The PDF states 'to, exclusive'; the field says it before the package does.
    assert.match(
      await page
        .locator('label')
        .filter({ has: page.getByRole('textbox', { name: 'Period to' }) })
        .innerText(),
      /To \(UTC day, exclusive\)/,
    );
    const preview = page.getByTestId('export-preview');
    const exportButton = page.getByRole('button', { name: 'Export and sign' });
    await from.fill('2026-08-01');
    // A period keeps the chain contiguous within it, and the preview says no more than that.
    await preview.filter({ hasText: 'Every row of the hash chain from 2026-08-01 00:00 UTC on is included; a missing row there is a break.' }).waitFor();
    assert.doesNotMatch(await preview.innerText(), /whole hash chain/);
    assert.ok(await exportButton.isEnabled());
    const background = () => exportButton.evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor);
    const enabledBackground = await background();
    // The auditor edits the day and leaves the field half-typed: it still held 2026-08-01.
    await from.fill('2026-08-1');
    await page.getByTestId('export-period-unparsed').waitFor();
    assert.equal(await preview.count(), 0, 'no counts for a period the field does not show');
    assert.ok(await exportButton.isDisabled(), 'nothing is signed for a period the field does not show');
    // Disabled, it does not wear the accent colour (a faded accent read as enabled in the dark theme).
    assert.notEqual(await background(), enabledBackground);
    await from.fill('');
    await preview.filter({ hasText: 'The whole hash chain is included.' }).waitFor();
    assert.ok(await exportButton.isEnabled());
  });
});
