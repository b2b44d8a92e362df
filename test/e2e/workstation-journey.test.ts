// Issue 6: the auditor's day on the demo tenant, in Chromium against the real stack
// (demo PostgreSQL → sync → SQLite cache → HTTP bridge → renderer).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoDb } from '../helpers/demo-db.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import type { Stack } from './support/stack.js';
import { measureContrastOnceRendered } from './support/contrast.js';
import { AppFrame } from './pages/app-frame.js';
import { AnomaliesPage } from './pages/anomalies.js';
import { openScreen, setTheme } from './actions/navigate.js';
import { createIdentityOnExport } from './actions/identity.js';
import { testAndSync } from './actions/sync.js';
import { openTimeline, pickFacet, resultTotal, searchText } from './actions/timeline.js';
import { reviewTopAnomaly } from './actions/review.js';
import type { Reply } from '../../src-main/core/contract/index.js';
import type { FacetsResult, RecordCount } from '../../src-main/core/contract/records.js';
import type { Review } from '../../src-main/core/contract/anomalies.js';
import { startDemoStack } from './support/demo-stack.js';

async function api<T>(stack: Stack, method: string, input: unknown): Promise<T> {
  const reply = (await dispatch(stack.ctx, method, input)) as Reply<T>;
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.value;
}

describe('workstation journey on the demo tenant', () => {
  let demo: DemoDb;
  let stack: Stack;
  before(async () => {
    ({ demo, stack } = await startDemoStack());
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('connect and sync: the test shows a read-only session, the sync fills the cache', async () => {
    const { testText, syncText } = await testAndSync(stack.page, DEMO_CONNECTION_ID);
    assert.match(testText, /Connected/);
    assert.match(testText, /read-only/);
    assert.match(syncText, /Synced [\d,]+ rows/);
    const frame = new AppFrame(stack.page);
    for (const tenant of demo.groundTruth.tenants) {
      await frame.cacheTenants.locator(`[data-tenant="${tenant}"]`).waitFor();
    }
    await stack.screenshot('02-connections-synced-light');
  });

  test('filter by model provider and safety mode: the list, the count and the URL agree', async () => {
    const tl = await openTimeline(stack.page);
    const all = await resultTotal(stack.page);
    const cached = await api<RecordCount>(stack, 'records.count', { filter: {} });
    assert.equal(all, cached.total);
    await stack.screenshot('03-timeline-light');

    await pickFacet(stack.page, 'modelProvider', 'openai');
    // Pick a safety mode that OpenAI calls actually use in this data set. Asked of the API, not
    // read off the panel: the panel keeps the previous filter's values until the new ones land,
    // so its first label may not exist under this filter; pickFacet waits for the label.
    const openaiFacets = await api<FacetsResult>(stack, 'records.facets', { filter: { modelProvider: ['openai'] }, facets: ['safetyMode'] });
    const mode = openaiFacets.facets.safetyMode!.values.find((v) => v.value !== null && v.count > 0)!.value!;
    await pickFacet(stack.page, 'safetyMode', mode);
    const expected = await api<RecordCount>(stack, 'records.count', { filter: { modelProvider: ['openai'], safetyMode: [mode] } });
    assert.ok(expected.total > 0 && expected.total < all);
    await tl.resultCount.filter({ hasText: `${expected.total.toLocaleString('en-US')} rows` }).waitFor();
    await tl.rows.first().waitFor();
    const models = await tl.rows.locator('.c-model').allInnerTexts();
    const safety = await tl.rows.locator('.c-safety').allInnerTexts();
    assert.ok(models.length > 0);
    for (const m of models) assert.match(m, /^openai/);
    for (const s of safety) assert.equal(s, mode);
    assert.match(stack.page.url(), /modelProvider=openai/);
    assert.match(stack.page.url(), new RegExp(`safetyMode=${mode}`));

    // The filter is in the URL: a reload reopens the same view.
    await stack.page.reload();
    await tl.resultCount.filter({ hasText: `${expected.total.toLocaleString('en-US')} rows` }).waitFor();
    await stack.screenshot('04-timeline-filtered-light');
  });

  // SKIPPED: after a same-document hash navigation the row click does not open the drawer
  // in this test (the drawer itself works: see screenshot 06 from the earlier run). To fix.
  test('open an event: the drawer shows the model metadata and the conversation thread', async () => {
    const tl = await openTimeline(stack.page);
    await stack.page.goto(`${stack.bridge.origin}/#/timeline?kind=conversation&modelProvider=openai`);
    await tl.resultCount.filter({ hasText: '0 system events' }).waitFor();
    await tl.rows.locator('.pill-conversation').first().click();
    await tl.drawer.getByRole('button', { name: 'Show conversation thread' }).waitFor();
    await tl.drawer.getByRole('region', { name: 'Model metadata' }).waitFor();
    assert.match(await tl.drawer.innerText(), /openai/);
    await tl.drawer.getByRole('button', { name: 'Show conversation thread' }).click();
    await tl.threadDrawer.locator('.turn').first().waitFor();
    await stack.screenshot('05-conversation-thread-light');
    await stack.page.keyboard.press('Escape');
    await tl.drawer.waitFor({ state: 'detached' });

    // A system event shows its chain position; j/k walk the list with the drawer open.
    await stack.page.goto(`${stack.bridge.origin}/#/timeline?kind=event`);
    await tl.rows.first().waitFor();
    await tl.rows.first().click();
    await tl.drawer.getByRole('region', { name: 'Chain position' }).waitFor();
    const firstText = await tl.drawer.innerText();
    const before = (await tl.drawer.textContent()) ?? '';
    await stack.page.keyboard.press('j');
    await stack.page.waitForFunction(
      (prev) => {
        const d = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('[role=dialog]');
        return d !== null && d.textContent !== prev && /Chain position/i.test(d.textContent) && /seq/.test(d.textContent);
      },
      before,
      { timeout: 10_000 },
    );
    assert.notEqual(await tl.drawer.innerText(), firstText);
    await stack.screenshot('06-event-drawer-light');
    await stack.page.keyboard.press('Escape');
  });

  test('the integrity screen shows the planted breaks in the tampered tenant only', async () => {
    await openScreen(stack.page, 'Integrity');
    await stack.page.getByRole('button', { name: 'Re-verify cache' }).click();
    const table = stack.page.getByRole('table', { name: 'Chains and tables' });
    const tampered = demo.groundTruth.tamperedTenant;
    const row = table.locator(`tr[data-kind=chain][data-chain^="${tampered}/"]`);
    await row.filter({ hasText: 'BROKEN' }).waitFor({ timeout: 60_000 });
    for (const tenant of demo.groundTruth.tenants.filter((t) => t !== tampered)) {
      assert.match(await table.locator(`tr[data-kind=chain][data-chain^="${tenant}/"]`).innerText(), /intact/);
    }
    const breaks = await row.locator('[data-break-kind]').allInnerTexts();
    const plantedSeqs = demo.groundTruth.tampering.map((t) => t.seq);
    assert.ok(breaks.length > 0);
    assert.ok(
      plantedSeqs.some((seq) => breaks.some((b) => b.includes(`seq ${seq}`))),
      `a break at a planted seq (${plantedSeqs.join(', ')}): ${breaks.join(' | ')}`,
    );
    await stack.screenshot('15-integrity-light');
    // Jump to the row: the timeline opens on that tenant's events at the break.
    await row
      .getByRole('link', { name: /Jump to the row/ })
      .first()
      .click();
    await stack.page.getByRole('main', { name: 'Timeline' }).waitFor();
    assert.match(stack.page.url(), new RegExp(`tenant=${tampered}`));
  });

  test('a hostile filter string changes nothing and renders as text', async () => {
    const before = await api<RecordCount>(stack, 'records.count', { filter: {} });
    const hostile = `'; DROP TABLE records; -- <img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script> " OR 1=1`;
    let dialogs = 0;
    stack.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const tl = await openTimeline(stack.page);
    await searchText(stack.page, hostile);
    await tl.activeFilters.waitFor();
    const chip = tl.activeFilters.locator('.chip-label', { hasText: 'DROP TABLE' });
    assert.equal(await chip.innerText(), `Text: ${hostile}`);
    await tl.resultCount.filter({ hasText: / rows / }).waitFor();
    assert.equal(await stack.page.locator('img[src=x]').count(), 0);
    assert.equal(await stack.page.locator('#root script').count(), 0);
    assert.notEqual(await stack.page.title(), 'pwned');
    assert.equal(dialogs, 0);

    // Hostile values in the URL (facet values) are shown as text too, and match nothing.
    const evil = `<b>x</b>' OR '1'='1`;
    await stack.page.goto(`${stack.bridge.origin}/#/timeline?modelProvider=${encodeURIComponent(evil)}`);
    await tl.activeFilters.locator('.chip-label', { hasText: 'Model provider' }).waitFor();
    assert.equal(await tl.activeFilters.locator('.chip-label', { hasText: 'Model provider' }).innerText(), `Model provider: ${evil}`);
    assert.equal(await stack.page.locator('#root b').count(), 0);
    assert.equal(await resultTotal(stack.page), 0);
    await stack.screenshot('07-hostile-filter-light');

    const after = await api<RecordCount>(stack, 'records.count', { filter: {} });
    assert.deepEqual(after, before, 'the cache is unchanged');
  });

  test('review an anomaly: a decision needs a note and is recorded in the cache', async () => {
    await openScreen(stack.page, 'Anomalies');
    const an = new AnomaliesPage(stack.page);
    assert.equal(await an.threshold.inputValue(), '0.7');
    await an.items.first().waitFor();
    await an.items.first().click();
    await an.reviewForm.waitFor();
    await an.decision('Confirmed').check();
    assert.equal(await an.submit.isDisabled(), true, 'no note yet: cannot submit');
    const key = await reviewTopAnomaly(stack.page, 'Confirmed', 'Burst of failed logins from one IP; escalated to SOC.', 'Ada Auditor');
    assert.match(await an.latestReview.innerText(), /confirmed by Ada Auditor/);
    const reviews = await api<Review[]>(stack, 'anomalies.reviews', { anomalyKey: key });
    assert.equal(reviews.length, 1);
    assert.equal(reviews[0]!.decision, 'confirmed');
    assert.equal(reviews[0]!.reviewer, 'Ada Auditor');
    await stack.screenshot('08-anomalies-light');
  });

  test('export a package: preview, identity, progress, and the package checks as intact but unpinned', async () => {
    await openScreen(stack.page, 'Export');
    const page = stack.page;
    const tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    await page.getByTestId('export-preview').waitFor();
    assert.match(await page.getByTestId('export-preview').innerText(), /[\d,]+ system events/);
    await createIdentityOnExport(page, { name: 'Ada Auditor', org: 'Example Audit LLP', email: 'ada@example.org' });
    await page.getByRole('textbox', { name: 'Package file' }).fill(`${stack.dataDir}/package-${tenant}.zip`);
    await page.getByRole('button', { name: 'Export and sign' }).click();
    await page.getByTestId('export-done').waitFor({ timeout: 120_000 });
    assert.match(await page.getByTestId('export-done').innerText(), /written from 127\.0\.0\.1:\d+\/auditdesk_demo \([0-9a-f]{12}…\)/, 'the package names its source');
    await page.getByTestId('package-verification').waitFor({ timeout: 60_000 });
    // Nobody marked the new identity trusted: intact, but "unpinned" (issue 11), not green.
    assert.match(await page.getByTestId('package-verification').innerText(), /Package authentic: signature valid, but the signer is not pinned; anyone can make such a package./);
    assert.equal(await page.getByTestId('package-verification').getAttribute('data-verdict'), 'unpinned');
    // The two questions apart: who signed (not pinned: amber), and the data (intact: green).
    assert.equal(await page.getByTestId('package-authenticity').getAttribute('data-state'), 'warn');
    assert.match(await page.getByTestId('package-data-integrity').innerText(), /^Data integrity: intact, [\d,]+ rows; the hash chain re-verified from the package's CSV/);
    assert.equal(await page.getByTestId('package-data-integrity').getAttribute('data-state'), 'ok');
    await stack.screenshot('16-export-light');
  });

  test('every screen is readable in the dark theme', async () => {
    await setTheme(stack.page, 'dark');
    for (const [screen, name] of [
      ['Timeline', '09-timeline-dark'],
      ['Anomalies', '10-anomalies-dark'],
      ['Connections', '11-connections-dark'],
      ['Integrity', '12-integrity-dark'],
      ['Export', '13-export-dark'],
    ] as const) {
      await openScreen(stack.page, screen);
      const contrast = await measureContrastOnceRendered(stack.page);
      assert.ok(contrast.backgroundLuminance < 0.05, `${screen}: the dark theme's background is dark (luminance ${contrast.backgroundLuminance.toFixed(3)})`);
      assert.ok(contrast.measured > 10, `${screen}: text was measured (${contrast.measured} elements)`);
      assert.deepEqual(contrast.failing, [], `${screen}: every text meets WCAG AA contrast in the dark theme`);
      await stack.screenshot(name);
    }
    await setTheme(stack.page, 'light');
  });

  test('a lost connection shows a clear banner and offline review continues', async () => {
    const frame = new AppFrame(stack.page);
    await frame.sourceState.filter({ hasText: 'reachable' }).waitFor();
    await demo.stop();
    await frame.lostBanner.waitFor({ timeout: 30_000 });
    assert.match(await frame.lostBanner.innerText(), /Connection to the demo tenant lost.*Offline review continues/s);
    await frame.sourceState.filter({ hasText: 'unreachable' }).waitFor();

    // The cache still answers: timeline, drawer and anomaly review work offline.
    const tl = await openTimeline(stack.page);
    await tl.rows.first().click();
    await tl.drawer
      .getByRole('region', { name: 'Chain position' })
      .or(tl.drawer.getByRole('region', { name: 'Model metadata' }))
      .first()
      .waitFor();
    await stack.page.keyboard.press('Escape');
    await reviewTopAnomaly(stack.page, 'False positive', 'Re-checked offline: planned maintenance window.', 'Ada Auditor');
    await stack.screenshot('14-source-lost-banner-light');
    assert.deepEqual(
      stack.pageErrors.filter((e) => !/Failed to load resource/.test(e)),
      [],
    );
  });
});
