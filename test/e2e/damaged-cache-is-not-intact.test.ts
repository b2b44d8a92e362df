// A cached row changed behind the app's back: once a verdict has found it, no screen goes
// on showing the chain's earlier "intact" as current or offers to complete the review over
// it, and the way out the error names is a button on Integrity, reached from the keyboard,
// that moves the file aside and syncs anew.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { DemoDb } from '../helpers/demo-db.js';
import { join } from 'node:path';
import { startStack, type Stack } from './support/stack.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { scratchDir } from '../helpers/scratch.js';
import { startDemoStack } from './support/demo-stack.js';
import { AppFrame } from './pages/app-frame.js';
import { openScreen } from './actions/navigate.js';
import { IntegrityPage } from './pages/integrity.js';

describe('a damaged cache is never shown as intact', () => {
  let demo: DemoDb;
  let stack: Stack;
  let tenant: string;
  before(async () => {
    ({ demo, stack } = await startDemoStack({ synced: true }));
    tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('"Re-verify cache" finds the row: Integrity, the summary and the status line say the verdict is not known', async () => {
    const page = stack.page;
    const integrity = new IntegrityPage(page);
    await openScreen(page, 'Integrity');
    await integrity.chainRow(tenant).locator('[data-verdict="intact"]').waitFor();

    const db = new Database(stack.ctx.cachePath);
    db.prepare(`UPDATE records SET severity = severity || char(7) WHERE kind = 'event' AND tenant_id = ? AND seq = 100`).run(tenant);
    db.close();
    await page.getByRole('button', { name: 'Re-verify cache' }).click();
    await page.getByTestId('job-verify').and(page.locator('[data-state=failed]')).waitFor({ timeout: 60_000 });

    const notice = page.getByTestId('cache-damage');
    await notice.waitFor();
    assert.match(await notice.innerText(), new RegExp(`Row seq 100 of audit_logs \\(tenant ${tenant}\\) no longer matches what the sync stored`));
    const row = integrity.chainRow(tenant);
    assert.equal(await row.locator('[data-verdict="intact"]').count(), 0, 'the verdict given before the damage is not shown as current');
    assert.match(await row.locator('[data-verdict="cache-damaged"]').innerText(), /NOT KNOWN: cache damaged/);
    const summary = page.getByTestId('integrity-summary');
    assert.match(await summary.innerText(), /1 not known \(cache damaged\)/);
    assert.match((await summary.getAttribute('class'))!, /summary-broken/, 'the summary is not green');

    const frame = new AppFrame(page);
    const flag = frame.cacheTenants.locator(`[data-tenant="${tenant}"]`).getByTestId('status-chain-broken');
    await flag.waitFor({ timeout: 15_000 });
    assert.match(await flag.innerText(), /cache damaged: chain verdict not known/);
    await stack.screenshot('damaged-cache-integrity');

    await stack.page.goto(`${stack.bridge.origin}/#/timeline?tenant=${tenant}`);
    const note = page.getByTestId('timeline-chain-broken');
    await note.waitFor();
    assert.match(await note.innerText(), new RegExp(`${tenant}: cache damaged: chain verdict not known \\(damage found in the cache after the verdict of .*, which no longer applies\\)`));
    assert.doesNotMatch(await note.innerText(), /verified .* against/, 'the stale verdict is not offered as the latest word');

    // Review: the queue comes from the verdicts given before the damage, so it is not offered
    // as complete, and no completion can be signed over it.
    await openScreen(page, 'Review');
    const reviewNotice = page.getByTestId('cache-damage');
    await reviewNotice.waitFor();
    assert.match(await reviewNotice.innerText(), /breaks may be missing, and the review cannot be completed/);
    assert.equal(await page.getByRole('button', { name: /Complete the review/ }).isDisabled(), true, 'no completion is offered over a damaged cache');
    await reviewNotice.getByRole('link', { name: /Rebuild the cache on the Integrity screen/ }).click();
    await page.getByRole('main', { name: 'Integrity' }).waitFor();
  });

  test('"Rebuild the cache", from the keyboard, moves the file aside and syncs a new one: the damage notice goes, the verdicts come back', async () => {
    const page = stack.page;
    const integrity = new IntegrityPage(page);
    page.once('dialog', (d) => void d.accept());
    const rebuild = page.getByTestId('cache-damage').getByRole('button', { name: 'Rebuild the cache' });
    await rebuild.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('job-sync').and(page.locator('[data-state=done]')).waitFor({ timeout: 120_000 });
    await page.getByTestId('cache-damage').waitFor({ state: 'detached' });
    await integrity.chainRow(tenant).locator('[data-verdict="intact"]').waitFor();
    const n = demo.groundTruth.tenants.length;
    await page
      .getByTestId('integrity-summary')
      .filter({ hasText: `${n} chains: ${n - 1} intact, 1 broken` })
      .waitFor();
  });
});

describe('a cache the app refuses to open', () => {
  let stack: Stack;
  before(async () => {
    const path = join(scratchDir('auditdesk-refused-'), 'cache.sqlite');
    const db = openCache(path);
    // Written around the app (SQLite's own switch): a row no version of AuditDesk writes.
    db.pragma('ignore_check_constraints = ON');
    db.prepare(`INSERT INTO verify_reports (checked_at, target, intact, report_json) VALUES ('2026-12-07T10:00:00.000Z', 'elsewhere', 1, '{}')`).run();
    db.close();
    stack = await startStack({ cachePath: path });
  });
  after(async () => {
    await stack?.stop();
  });

  test('is named as the cache, not as a process that does not answer, and the way out is one link away', async () => {
    const page = stack.page;
    const banner = page.getByRole('alert').filter({ hasText: 'cannot be opened' });
    await banner.waitFor();
    const text = await banner.innerText();
    assert.match(text, /^This engagement's cache cannot be opened\. cache \S+ is damaged \(CHECK constraint failed in verify_reports\)/);
    assert.doesNotMatch(text, /not answering/, 'the process answered: it is the file that failed');
    assert.match(await new AppFrame(page).statusLine.innerText(), /Cache cannot be opened/);
    await banner.getByRole('link', { name: 'Integrity' }).click();
    await page.getByRole('button', { name: 'Rebuild the cache' }).waitFor();

    // A call nobody answers (the process gone) is still said as such.
    await page.route('**/api/status.get', (route) => route.abort());
    await page.reload();
    const gone = page.getByRole('alert').filter({ hasText: 'not answering' });
    await gone.waitFor();
    // The browser bridge's own words begin with the heading: said once.
    assert.equal(await gone.innerText(), 'The AuditDesk process is not answering. Start it again (npm start).');
    assert.match(await new AppFrame(page).statusLine.innerText(), /App process not answering/);
  });

  test('the Timeline says why it has no rows once, where the rows would be, not in every panel', async () => {
    const page = stack.page;
    await page.unrouteAll();
    await page.goto(`${stack.bridge.origin}/#/timeline`);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    const reason = timeline.getByRole('alert').filter({ hasText: 'CHECK constraint failed in verify_reports' });
    await reason.waitFor();
    assert.match(await reason.innerText(), /is damaged \(CHECK constraint failed in verify_reports\)[\s\S]*Try again/);
    await page.getByTestId('facets-not-counted').waitFor();
    assert.equal(await page.getByTestId('result-count').innerText(), 'Rows could not be counted: the reason is shown below.');
    // The banner names it for the whole app, the Timeline once for its rows: nothing else repeats it.
    await page.getByRole('alert').filter({ hasText: 'cannot be opened' }).waitFor();
    assert.equal(await page.getByText(/CHECK constraint failed in verify_reports/).count(), 2);
    await stack.screenshot('timeline-cache-refused');
  });
});
