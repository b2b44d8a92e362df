// Issue 13: two clients' engagements on two sources never show each other's rows,
// verdicts or checkpoints. The auditor creates each engagement in the switcher; its
// source is saved, synced and verified through the same contract the Connections and
// Integrity screens call; then the screens of each engagement are read, switching back
// and forth in the switcher.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { engagementPaths } from '../../src-main/core/engagement/paths.js';
import { clientFor, finishedJob } from '../helpers/app-calls.js';
import { startStack, type Stack } from './support/stack.js';
import { AppFrame } from './pages/app-frame.js';
import { EngagementsPage } from './pages/engagements.js';
import { IntegrityPage } from './pages/integrity.js';
import { openScreen } from './actions/navigate.js';
import { createEngagement, switchEngagement } from './actions/engagement.js';

describe('engagements never mix', () => {
  let acmeSource: DemoDb;
  let globexSource: DemoDb;
  let stack: Stack;
  const labelOf = (s: DemoDb) => `${new URL(s.url).hostname}:${new URL(s.url).port}/auditdesk_demo`;

  async function connectSyncVerify(source: DemoDb, id: string) {
    const u = new URL(source.url);
    await clientFor(stack.ctx)['connections.save']({
      profile: { id, name: id, host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), user: decodeURIComponent(u.username), sslmode: 'disable', tenants: source.groundTruth.tenants },
      password: decodeURIComponent(u.password),
      makeActive: true,
    });
    await finishedJob(stack.ctx, 'sync.start', {});
    await finishedJob(stack.ctx, 'integrity.verify', { target: 'cache' });
  }

  before(async () => {
    acmeSource = await startDemoDb();
    globexSource = await startDemoDb({ events: 1000, seed: 7 });
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
    await Promise.all([acmeSource?.stop(), globexSource?.stop()]);
  });

  test('each engagement shows only its own source on Integrity, in the checkpoint history and in the switcher', async () => {
    const page = stack.page;
    await createEngagement(page, 'Acme Q1', 'Acme');
    await connectSyncVerify(acmeSource, 'acme-db');
    await createEngagement(page, 'Globex Q1', 'Globex');
    await connectSyncVerify(globexSource, 'globex-db');

    // Globex Q1 is open after its creation: it is read as it is, then the switcher opens
    // Acme Q1 and Globex Q1 again (it offers no Open button for the open engagement).
    for (const [name, own, other, switchTo] of [
      ['Globex Q1', globexSource, acmeSource, false],
      ['Acme Q1', acmeSource, globexSource, true],
      ['Globex Q1', globexSource, acmeSource, true],
    ] as const) {
      if (switchTo) await switchEngagement(page, name);
      else assert.match(await new EngagementsPage(page).badge.innerText(), new RegExp(name));
      await openScreen(page, 'Integrity');
      const integrity = new IntegrityPage(page);
      await integrity.history.locator('tbody tr').first().waitFor({ timeout: 30_000 });
      const screen = await new AppFrame(page).main('Integrity').innerText();
      assert.ok(screen.includes(labelOf(own)), `${name}: Integrity names its own source`);
      assert.ok(!screen.includes(labelOf(other)), `${name}: nothing about the other engagement's source`);
      const timeline = await (async () => {
        await openScreen(page, 'Timeline');
        return new AppFrame(page).statusLine.innerText();
      })();
      assert.ok(!timeline.includes(labelOf(other)), `${name}: the status line never names the other source`);
    }

    await openScreen(page, 'Engagements');
    const e = new EngagementsPage(page);
    assert.match(await e.row('Acme Q1').innerText(), new RegExp(`Acme[\\s\\S]*intact[\\s\\S]*${labelOf(acmeSource).replace(/\./g, '\\.')}`));
    assert.match(await e.row('Globex Q1').innerText(), new RegExp(`Globex[\\s\\S]*intact[\\s\\S]*${labelOf(globexSource).replace(/\./g, '\\.')}`));
    await stack.screenshot('engagements-switcher');
    assert.deepEqual(stack.pageErrors, [], 'no console errors or CSP violations');
  });

  test('an engagement closed off the list is opened again by its folder, with the keyboard; a folder that is not one is named', async () => {
    const page = stack.page;
    await openScreen(page, 'Engagements');
    const e = new EngagementsPage(page);
    const acmeDir = (await e.row('Acme Q1').locator('td').first().locator('.mono').innerText()).trim();
    await e.row('Acme Q1').getByRole('button', { name: 'Close' }).click();
    await e.row('Acme Q1').waitFor({ state: 'detached' });

    const folder = page.getByRole('form', { name: 'Open an engagement folder' });
    await folder.getByLabel('Engagement folder').fill(stack.dataDir);
    await folder.getByLabel('Engagement folder').press('Enter');
    await folder.getByRole('alert').waitFor();
    assert.equal(await page.getByText('is not an engagement folder').count(), 1, 'said once, beside the field');
    assert.match(await folder.getByRole('alert').innerText(), new RegExp(stack.dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), 'the message names the folder');

    await folder.getByLabel('Engagement folder').fill(acmeDir);
    await folder.getByLabel('Engagement folder').press('Enter');
    await e.badge.filter({ hasText: 'Acme Q1' }).waitFor({ timeout: 30_000 });
    await openScreen(page, 'Engagements');
    await e.row('Acme Q1').waitFor();
  });

  test('an engagement whose cache the app would refuse shows why, and neither "intact" nor "never"', async () => {
    const page = stack.page;
    const e = new EngagementsPage(page);
    const globexDir = (await e.row('Globex Q1').locator('td').first().locator('.mono').innerText()).trim();
    assert.match(await e.row('Globex Q1').innerText(), /intact/, 'verified before the damage');
    // A row that breaks a CHECK constraint, written around the app: SQLite's read-only check did not see it.
    const raw = new Database(engagementPaths(globexDir).cache);
    raw.pragma('ignore_check_constraints = ON');
    raw.prepare(`INSERT INTO verify_reports (checked_at, target, intact, report_json) VALUES ('2026-12-07T10:00:00.000Z', 'elsewhere', 1, '{}')`).run();
    raw.close();
    await page.reload();
    const row = e.row('Globex Q1');
    await row.getByText(/is damaged \(CHECK constraint failed in verify_reports\)/).waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[2]?.trim(), 'unknown', 'the last sync of a file that cannot be read is not "never"');
    assert.doesNotMatch(cells[3] ?? '', /intact/);
  });

  test("a new engagement's period is typed as YYYY-MM-DD, and a date that does not parse is not dropped", async () => {
    const page = stack.page;
    await openScreen(page, 'Engagements');
    const e = new EngagementsPage(page);
    const from = e.field('Period from');
    assert.equal(await from.getAttribute('placeholder'), 'YYYY-MM-DD', 'the format the reports use, not the browser locale');
    await e.field('Name').fill('Initech Q3');
    await from.fill('07/01/2026');
    await e.field('Period to').fill('2026-09-30');
    await e.create.click();
    await e.form.getByText('Write the date as YYYY-MM-DD (UTC), e.g. 2026-08-05.').waitFor();
    assert.ok(await from.evaluate((el) => el === el.ownerDocument.activeElement), 'focus goes to the date to correct');
    const names = async () => (await clientFor(stack.ctx)['engagements.list']({})).engagements.map((x) => x.name);
    assert.ok(!(await names()).includes('Initech Q3'), 'nothing was created with the period left out');

    await from.fill('2026-07-01');
    await e.create.click();
    await e.badge.filter({ hasText: 'Initech Q3' }).waitFor({ timeout: 30_000 });
    const created = (await clientFor(stack.ctx)['engagements.list']({})).engagements.find((x) => x.name === 'Initech Q3');
    assert.deepEqual([created?.periodFrom, created?.periodTo], ['2026-07-01', '2026-09-30']);
  });
});
