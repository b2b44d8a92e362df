// Issue 16: made for auditors, not developers. On the synced demo tenant: an anomaly is
// titled by what happened (not its UUID), the drawer shows a conversation's prompt and
// response first and an event's details as a table with empty fields hidden, list rows read
// details as words, the histogram has a legend, a finished sync's bar says "done", and a
// connection form error reads "Give the connection a name." instead of zod's words.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoDb } from '../helpers/demo-db.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import type { Stack } from './support/stack.js';
import { openScreen } from './actions/navigate.js';
import { openTimeline } from './actions/timeline.js';
import { AnomaliesPage } from './pages/anomalies.js';
import { ConnectionsPage } from './pages/connections.js';
import { startDemoStack } from './support/demo-stack.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('the screens read plainly on the demo tenant', () => {
  let demo: DemoDb;
  let stack: Stack;
  before(async () => {
    ({ demo, stack } = await startDemoStack({ synced: true }));
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('a finished sync stops its progress bar and says done', async () => {
    const job = new ConnectionsPage(stack.page).syncJob;
    await job.and(stack.page.locator('[data-state=done]')).waitFor();
    assert.match(await job.getByTestId('job-state').innerText(), /done/);
    assert.equal(await job.locator('progress').getAttribute('value'), '100');
  });

  test('anomalies are titled by what happened, with the detector features in words', async () => {
    await openScreen(stack.page, 'Anomalies');
    const an = new AnomaliesPage(stack.page);
    await an.items.first().waitFor({ timeout: 30_000 });
    const titles = await an.items.locator('.anomaly-title').allInnerTexts();
    assert.ok(titles.length > 0);
    for (const t of titles) {
      assert.doesNotMatch(t, UUID, `title names what happened: ${t}`);
      assert.match(t, / · (acme-pharma|globex-bank|initech-ai)$/);
    }
    assert.ok(
      titles.some((t) => / by \S+@/.test(t)),
      'event anomalies name the user',
    );
    const reasons = await an.items.locator('.anomaly-main .muted').allInnerTexts();
    assert.ok(
      reasons.some((r) => /^[\w-]+: [a-z][a-z0-9 ]+ [\d.]+/.test(r)),
      `features in words: ${reasons.slice(0, 3).join(' | ')}`,
    );
    await an.items.first().click();
    const heading = stack.page.getByRole('region', { name: 'Anomaly detail' }).getByRole('heading', { level: 2 });
    await heading.waitFor();
    assert.doesNotMatch(await heading.innerText(), UUID);
  });

  test('the drawer shows a conversation as prompt and response first', async () => {
    const tl = await openTimeline(stack.page);
    await stack.page.goto(`${stack.bridge.origin}/#/timeline?kind=conversation`);
    await tl.rows.locator('.pill-conversation').first().waitFor();
    await tl.rows.first().click();
    const prompt = tl.drawer.getByTestId('drawer-prompt');
    await prompt.waitFor();
    const preview = await tl.rows.first().locator('.c-preview').innerText();
    assert.ok((await prompt.innerText()).startsWith(preview.replace(/…$/, '').slice(0, 20)), 'the prompt is the row’s text, readable');
    await tl.drawer.getByTestId('drawer-response').waitFor();
    // The prompt comes before the model table and the field list.
    const order = await tl.drawer
      .locator('[data-testid=drawer-prompt], section[aria-label="Model metadata"], section[aria-label="All fields"]')
      .evaluateAll((els) =>
        els.map(
          (e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute('data-testid') ?? (e as unknown as { getAttribute(n: string): string | null }).getAttribute('aria-label'),
        ),
      );
    assert.deepEqual(order, ['drawer-prompt', 'Model metadata', 'All fields']);
    await stack.page.keyboard.press('Escape');
  });

  test('an event: list rows read details as words; the drawer shows them as a table, empty fields on request, raw JSON one click away', async () => {
    const tl = await openTimeline(stack.page);
    await stack.page.goto(`${stack.bridge.origin}/#/timeline?kind=event`);
    await tl.rows.first().waitFor();
    const previews = await tl.rows.locator('.c-preview').allInnerTexts();
    for (const p of previews) assert.doesNotMatch(p, /^[{[]|"\w+":/, `no raw JSON in the list: ${p}`);
    await tl.rows.first().click();
    const details = tl.drawer.getByRole('table').filter({ has: stack.page.locator('caption', { hasText: 'Action details' }) });
    await details.waitFor();
    assert.ok((await details.locator('tr').count()) > 0);
    const fields = tl.drawer.getByRole('region', { name: 'All fields' });
    assert.doesNotMatch(await fields.locator('table').innerText(), /NULL/, 'empty fields are hidden');
    const toggle = fields.getByRole('checkbox', { name: /Show empty fields \(\d+\)/ });
    await toggle.check();
    assert.match(await fields.locator('table').innerText(), /NULL/);
    const raw = tl.drawer.locator('details.raw-json');
    assert.equal(await raw.locator('pre.json').first().isVisible(), false);
    await raw.locator('summary').click();
    assert.match(await raw.locator('pre.json').first().innerText(), /^[{[]/);
    await stack.page.keyboard.press('Escape');
  });

  test('the histogram has a legend for system events and conversations', async () => {
    const tl = await openTimeline(stack.page);
    await stack.page.goto(`${stack.bridge.origin}/#/timeline`);
    await tl.histogram.locator('.recharts-legend-wrapper').waitFor();
    const legend = await tl.histogram.locator('.recharts-legend-wrapper').innerText();
    assert.match(legend, /system events/);
    assert.match(legend, /conversations/);
  });

  test('a connection form error speaks the user’s language', async () => {
    await openScreen(stack.page, 'Connections');
    const conn = new ConnectionsPage(stack.page);
    await conn.editButton(DEMO_CONNECTION_ID).click();
    await conn.formField('Name').fill('');
    await conn.formTest.click();
    await conn.form.getByText('Give the connection a name.').waitFor();
    assert.doesNotMatch(await conn.form.innerText(), /Too small|expected string|profile\.name|connections\.test/);
    await conn.formCancel.click();
  });
});
