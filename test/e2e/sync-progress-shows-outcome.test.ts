// Issue 16: a progress bar stops when its job is done, failed or cancelled, and says
// which. The Connections screen's sync, as the auditor sees it: waiting for another
// sync of the same cache (issue 13's writer lease) and cancelled there; failed because
// the source cannot be reached.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Route } from 'playwright-core';
import type { DemoDb } from '../helpers/demo-db.js';
import { holdWriterLease, type LeaseHolderProcess } from '../helpers/writer-lease-holder.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import type { Stack } from './support/stack.js';
import { ConnectionsPage } from './pages/connections.js';
import { openScreen } from './actions/navigate.js';
import { startDemoStack } from './support/demo-stack.js';

describe('the sync progress on the Connections screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let conn: ConnectionsPage;
  let holder: LeaseHolderProcess | undefined;
  before(async () => {
    ({ demo, stack } = await startDemoStack());
    conn = new ConnectionsPage(stack.page);
  });
  after(async () => {
    await holder?.stop();
    await stack?.stop();
    await demo?.stop();
  });

  test('a second "Sync now": the last sync\'s "Synced …" line goes at the click, not when the new sync has started', async () => {
    // Read at once after a click, the old line passed for the new sync's outcome (an
    // export test then found no drift the new sync had not yet recorded).
    const page = stack.page;
    await openScreen(page, 'Connections');
    await conn.syncButton(DEMO_CONNECTION_ID).click();
    await conn.syncDone.waitFor({ timeout: 120_000 });
    const held: Array<() => void> = [];
    await page.route('**/api/sync.start', async (route: Route) => {
      await new Promise<void>((resolve) => held.push(resolve));
      await route.continue();
    });
    try {
      await conn.syncButton(DEMO_CONNECTION_ID).click();
      while (held.length < 1) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await conn.syncDone.count(), 0, "the last sync's outcome is not shown while the new one starts");
      held.splice(0).forEach((release) => release());
      await conn.syncDone.waitFor({ timeout: 120_000 });
    } finally {
      held.splice(0).forEach((release) => release());
      await page.unroute('**/api/sync.start');
    }
  });

  test('waiting for another sync of the cache, it says for whom; cancelled there, the bar stops and says "cancelled"', async () => {
    holder = await holdWriterLease(stack.ctx.cachePath);
    try {
      await openScreen(stack.page, 'Connections');
      await conn.syncButton(DEMO_CONNECTION_ID).click();
      const job = conn.syncJob;
      await job.getByTestId('job-state').filter({ hasText: 'waiting' }).waitFor({ timeout: 30_000 });
      assert.match(await job.innerText(), new RegExp(`waiting for the sync started by pid ${holder.pid} at \\d\\d:\\d\\d`));
      await job.getByRole('button', { name: 'Cancel' }).click();
      await stack.page.locator('[data-testid="job-sync"][data-state="cancelled"]').waitFor({ timeout: 30_000 });
      assert.equal((await job.getByTestId('job-state').innerText()).trim(), '· cancelled');
      assert.match(await job.getByRole('status').innerText(), /^Cancelled\. The cache keeps everything committed before the cancel\.$/);
      // A stopped bar has a value; an animated (indeterminate) one has none.
      assert.notEqual(await job.locator('progress').getAttribute('value'), null, 'the bar no longer moves');
      assert.equal(await job.getByRole('button', { name: 'Cancel' }).count(), 0, 'nothing left to cancel');
    } finally {
      await holder.stop();
      holder = undefined;
    }
  });

  test('the source cannot be reached: the bar stops, says "failed" and what went wrong', async () => {
    await demo.stop();
    await conn.syncButton(DEMO_CONNECTION_ID).click();
    const job = conn.syncJob;
    await stack.page.locator('[data-testid="job-sync"][data-state="failed"]').waitFor({ timeout: 60_000 });
    assert.equal((await job.getByTestId('job-state').innerText()).trim(), '· failed');
    const alert = await job.getByRole('alert').innerText();
    assert.match(alert, /127\.0\.0\.1:\d+/, `names the source: ${alert}`);
    assert.notEqual(await job.locator('progress').getAttribute('value'), null, 'the bar no longer moves');
    assert.equal(await job.getByRole('button', { name: 'Cancel' }).count(), 0);
    assert.equal(await conn.syncDone.count(), 0, 'no "Synced …" line for a failed sync');
  });
});
