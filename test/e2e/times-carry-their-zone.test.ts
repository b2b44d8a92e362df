// Issue 16: times are stored in UTC; with Local selected each is converted with the offset in
// force at that instant and every time on every screen carries its zone or offset. The browser
// runs in New York (DST: September is −04:00, December −05:00) with a German locale, where a
// native date input would read dd.mm.yyyy: dates are typed and shown as ISO YYYY-MM-DD.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { finishedJob } from '../helpers/app-calls.js';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import { startStack, type Stack } from './support/stack.js';
import { AppFrame } from './pages/app-frame.js';
import { AnomaliesPage } from './pages/anomalies.js';
import { IntegrityPage } from './pages/integrity.js';
import { testAndSync } from './actions/sync.js';
import { openTimeline } from './actions/timeline.js';
import { openScreen } from './actions/navigate.js';

const OFFSET = /[+−]\d{2}:\d{2}$/;

describe('times in New York carry the offset of their own instant', () => {
  let demo: DemoDb;
  let stack: Stack;
  before(async () => {
    demo = await startDemoDb();
    stack = await startStack({ demo: { url: demo.url, tenants: demo.groundTruth.tenants }, timezoneId: 'America/New_York', locale: 'de-DE' });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('Timeline in Local: September rows read −04:00 (not the offset of today), and so does the drawer', async () => {
    await new AppFrame(stack.page).timeZone.selectOption('local');
    const tl = await openTimeline(stack.page);
    await tl.resultCount.filter({ hasText: 'America/New_York' }).waitFor();
    await tl.rows.first().waitFor();
    const times = await tl.rows.locator('.c-time').allInnerTexts();
    assert.ok(times.length > 5);
    for (const t of times) assert.match(t, /^2026-(0[7-9]|10)-\d{2} \d{2}:\d{2}:\d{2} −04:00$/, 'demo rows (July–September) fall in EDT');
    await tl.rows.first().click();
    await tl.drawer.waitFor();
    assert.match(await tl.drawer.locator('.drawer-meta').innerText(), /\d{2}:\d{2}:\d{2} −04:00/);
    await stack.page.keyboard.press('Escape');
  });

  test('a date typed as ISO in a German-locale browser filters that UTC day, and the chip shows 2026-08-05', async () => {
    const tl = await openTimeline(stack.page);
    const from = stack.page.getByRole('textbox', { name: 'From (UTC day)' });
    await from.fill('2026-08-05');
    await stack.page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash.includes('from=2026-08-05'));
    const chip = tl.activeFilters.locator('.chip-label').filter({ hasText: /^From / });
    assert.equal(await chip.innerText(), 'From 2026-08-05');
    assert.equal(await from.inputValue(), '2026-08-05');
    // A locale-style date is refused with the format to use, and the filter is unchanged.
    await from.fill('05.08.2026');
    await stack.page.getByText('Write the date as YYYY-MM-DD (UTC), e.g. 2026-08-05.').waitFor();
    assert.match(stack.page.url(), /from=2026-08-05/);
    // The upper bound is exclusive, and says so: the day typed there is not included.
    await stack.page.getByRole('textbox', { name: 'Before (UTC day, not included)' }).fill('2026-08-06');
    await tl.activeFilters.locator('.chip-label').filter({ hasText: 'Before 2026-08-06' }).waitFor();
    await tl.activeFilters.getByRole('button', { name: 'Clear all' }).click();
  });

  test('Anomalies, Integrity and Review: every time carries an offset, today’s checkpoints −05:00', async () => {
    await openScreen(stack.page, 'Anomalies');
    const an = new AnomaliesPage(stack.page);
    await an.items.first().waitFor({ timeout: 30_000 });
    const detected = await an.items.locator('.anomaly-main .muted').allInnerTexts();
    for (const t of detected) assert.match(t, OFFSET);

    // The sync's own verdict has no earlier checkpoint; a re-verification is checked against the sync's.
    await finishedJob(stack.ctx, 'integrity.verify', { target: 'cache' });
    await openScreen(stack.page, 'Integrity');
    const history = new IntegrityPage(stack.page).history;
    await history.locator('tbody tr').first().waitFor();
    const created = await history.locator('tbody tr td:first-child').allInnerTexts();
    const todayOffset = await stack.page.evaluate(() => -new Date().getTimezoneOffset());
    const expected = todayOffset === -240 ? '−04:00' : '−05:00';
    for (const t of created) assert.ok(t.endsWith(expected), `${t} carries today's offset ${expected}`);
    // The sentences of the tampered tenant's breaks name their rows' times in local time too
    // (July–September: −04:00), and the checkpoint a chain was checked against its own.
    const breaks = await stack.page.locator('li[data-break-kind]').allInnerTexts();
    assert.ok(breaks.length >= 2, 'the tampered tenant shows its breaks');
    for (const t of breaks) {
      assert.doesNotMatch(t, / UTC\b/, t);
      assert.match(t, /\(id [^,()]+, 2026-\d{2}-\d{2} \d{2}:\d{2}:\d{2} −04:00\)/, t);
    }
    const against = await stack.page.locator('.limit-list li', { hasText: 'checked against checkpoint #' }).allInnerTexts();
    assert.ok(against.length >= 1, 'a chain names the checkpoint it was checked against');
    for (const t of against) assert.match(t, new RegExp(`^checked against checkpoint #\\d+ \\((sync|verify), \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} ${expected}\\)$`), t);

    // A review exception names the verification its evidence comes from, at today's offset.
    await openScreen(stack.page, 'Review');
    const item = stack.page.locator('li.exception[data-kind="chain_break"]').first();
    await item.waitFor({ timeout: 30_000 });
    // Its evidence is what a decision signs: shown as recorded, and said to be in UTC.
    await item.locator('summary').click();
    await item.getByText('As recorded, and as a decision signs it: times in UTC.').waitFor();
    assert.match(await item.locator('summary').innerText(), new RegExp(`^Evidence \\(verification of \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} ${expected} \\(`));

    await openScreen(stack.page, 'Integrity');
    await new AppFrame(stack.page).timeZone.selectOption('utc');
    await history.locator('tbody tr td:first-child').first().filter({ hasText: / UTC$/ }).waitFor();
  });
});
