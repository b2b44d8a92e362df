// Issue 16: the keyboard rules. A shortcut works whenever focus is not in a text field:
// Enter opened the drawer and closed it in the same keystroke (the drawer focused its Close
// button, which took the Enter), and after a click on a facet checkbox j/k did nothing.
// Each advertised key is driven from each screen that advertises it; the Review screen's
// decide dialog opens from the keyboard, keeps Tab inside it and closes on Esc.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DemoDb } from '../helpers/demo-db.js';
import type { Stack } from './support/stack.js';
import { openTimeline, pickFacet } from './actions/timeline.js';
import { openScreen } from './actions/navigate.js';
import { AnomaliesPage } from './pages/anomalies.js';
import type { TimelinePage } from './pages/timeline.js';
import { startDemoStack } from './support/demo-stack.js';

/** The 1-based position of the selected row in the list (aria-rowindex counts the header). */
async function selectedRow(tl: TimelinePage): Promise<number | null> {
  const sel = tl.grid.locator('[role=row][aria-selected="true"]');
  if ((await sel.count()) === 0) return null;
  return Number(await sel.getAttribute('aria-rowindex')) - 1;
}

async function waitForSelectedRow(tl: TimelinePage, n: number): Promise<void> {
  await tl.grid.locator(`[role=row][aria-selected="true"][aria-rowindex="${n + 1}"]`).waitFor({ timeout: 5_000 });
}

/** Lets a second, unwanted effect of the same keystroke (a click, a close) happen if it would. */
const settle = (page: Page) => page.waitForTimeout(400);

describe('keyboard shortcuts work whenever focus is not in a text field', () => {
  let demo: DemoDb;
  let stack: Stack;
  before(async () => {
    ({ demo, stack } = await startDemoStack({ synced: true }));
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('Timeline: j and k move the selection, Enter opens the drawer and it stays open, Esc closes it', async () => {
    const tl = await openTimeline(stack.page);
    await tl.rows.nth(3).waitFor();
    await stack.page.keyboard.press('j');
    await waitForSelectedRow(tl, 1);
    await stack.page.keyboard.press('j');
    await waitForSelectedRow(tl, 2);
    await stack.page.keyboard.press('k');
    await waitForSelectedRow(tl, 1);
    await stack.page.keyboard.press('Enter');
    await tl.drawer.waitFor();
    await settle(stack.page);
    assert.ok(await tl.drawer.isVisible(), 'the drawer Enter opened is still open');
    // With the drawer open, j walks on and the drawer follows the selection.
    const firstRid = await tl.grid.locator('[aria-selected="true"]').getAttribute('data-rid');
    await stack.page.keyboard.press('j');
    await waitForSelectedRow(tl, 2);
    assert.notEqual(await tl.grid.locator('[aria-selected="true"]').getAttribute('data-rid'), firstRid);
    assert.ok(await tl.drawer.isVisible());
    await stack.page.keyboard.press('Escape');
    await tl.drawer.waitFor({ state: 'hidden' });
  });

  test('Timeline: after a click on a facet checkbox, j/k and Enter still work', async () => {
    const tl = await openTimeline(stack.page);
    await pickFacet(stack.page, 'tenant', demo.groundTruth.tenants[0]!);
    assert.equal(await stack.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { type?: string } } }).document.activeElement.type), 'checkbox');
    await tl.rows.first().waitFor();
    const before = (await selectedRow(tl)) ?? 0;
    await stack.page.keyboard.press('j');
    await waitForSelectedRow(tl, before + 1);
    await stack.page.keyboard.press('k');
    await waitForSelectedRow(tl, Math.max(1, before));
    await stack.page.keyboard.press('Enter');
    await tl.drawer.waitFor();
    await settle(stack.page);
    assert.ok(await tl.drawer.isVisible());
    await stack.page.keyboard.press('Escape');
    await tl.drawer.waitFor({ state: 'hidden' });
  });

  test('Timeline: / focuses the search box, and j typed there is text, not a shortcut', async () => {
    const tl = await openTimeline(stack.page);
    await tl.rows.first().waitFor();
    const before = await selectedRow(tl);
    await stack.page.keyboard.press('/');
    await stack.page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { type?: string } } }).document.activeElement.type === 'search');
    await stack.page.keyboard.type('jk');
    assert.equal(await tl.search.inputValue(), 'jk');
    assert.equal(await selectedRow(tl), before);
    await tl.search.fill('');
  });

  test('Anomalies: j and k walk the anomaly list, also after a click on a checkbox', async () => {
    await openScreen(stack.page, 'Anomalies');
    const an = new AnomaliesPage(stack.page);
    await an.items.nth(1).waitFor({ timeout: 30_000 });
    const showReviewed = stack.page.getByRole('checkbox', { name: 'Show reviewed' });
    await showReviewed.click();
    await showReviewed.click();
    await an.items.nth(1).waitFor();
    await stack.page.keyboard.press('j');
    await an.items.nth(0).and(stack.page.locator('[aria-selected="true"]')).waitFor();
    await stack.page.keyboard.press('j');
    await an.items.nth(1).and(stack.page.locator('[aria-selected="true"]')).waitFor();
    await stack.page.keyboard.press('k');
    await an.items.nth(0).and(stack.page.locator('[aria-selected="true"]')).waitFor();
    await stack.page.getByRole('region', { name: 'Anomaly detail' }).getByText(/score/i).first().waitFor();
  });
  test('the first Tab of a screen opened directly offers to skip the top bar, and Enter takes the next Tab into the screen', async () => {
    const page = stack.page;
    await page.goto(`${stack.bridge.origin}/#/anomalies`);
    await page.reload();
    const tabs = page.getByRole('main', { name: 'Anomalies' }).getByRole('tab', { name: 'Anomalies' });
    await tabs.waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('button', { name: 'Skip to Anomalies' });
    assert.ok(await skip.evaluate((el) => el === el.ownerDocument.activeElement), 'the first Tab focuses the skip button');
    const box = await skip.boundingBox();
    assert.ok(box && box.y >= 0 && box.x >= 0, `the focused skip button is on screen (${JSON.stringify(box)})`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.ok(await tabs.evaluate((el) => el === el.ownerDocument.activeElement), "the next Tab is the screen's first control, not the engagement badge");
    // Off screen again once focus has moved on: it covers nothing.
    const after = await skip.boundingBox();
    assert.ok(after && after.y + after.height <= 0, `the skip button is out of sight once left (${JSON.stringify(after)})`);
  });

  test('Review: the decide dialog opens from the keyboard, keeps Tab inside it, and Esc closes it having recorded nothing', async () => {
    const page = stack.page;
    await openScreen(page, 'Review');
    const decide = page
      .locator('li.exception')
      .first()
      .getByRole('button', { name: /^Decide: / });
    await decide.waitFor({ timeout: 30_000 });
    await decide.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Identity password').waitFor();
    await settle(page);
    assert.ok(await dialog.isVisible(), 'the dialog Enter opened is still open');
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      const inside = await page.evaluate(() => {
        const d = globalThis as unknown as { document: { activeElement: { closest(s: string): unknown } | null } };
        return d.document.activeElement?.closest('[role=dialog]') != null;
      });
      assert.ok(inside, `focus stays in the dialog after ${i + 1} Tab presses`);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }).document.activeElement.getAttribute('aria-label')),
      await decide.getAttribute('aria-label'),
      'focus returns to the Decide button',
    );
    assert.equal(await page.getByTestId('decision-current').count(), 0, 'closing the dialog recorded nothing');
  });
});
