// Issue 19 on the Export screen: after a conversation of an intact tenant was edited at
// the source and synced again, the preview states the drift before the export, and the
// export result's data line says the chain links up BUT a row changed at the source —
// never the green "intact".
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import { startStack, type Stack } from './support/stack.js';
import { testAndSync } from './actions/sync.js';
import { openScreen } from './actions/navigate.js';
import { createIdentityOnExport } from './actions/identity.js';

describe('drift on the Export screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let tenant: string;
  let editedId: string;
  before(async () => {
    demo = await startDemoDb();
    tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
    stack = await startStack({ demo: { url: demo.url, tenants: [tenant] } });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
    const admin = new pg.Client({ connectionString: demo.adminUrl });
    await admin.connect();
    try {
      const edited = await admin.query<{ id: string }>(
        `UPDATE conversation_audit_logs SET prompt = 'edited at the source after the first sync'
          WHERE id = (SELECT id FROM conversation_audit_logs WHERE tenant_id = $1 ORDER BY "timestamp", id LIMIT 1 OFFSET 3) RETURNING id::text`,
        [tenant],
      );
      editedId = edited.rows[0]!.id;
    } finally {
      await admin.end();
    }
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('the Integrity screen names the changed row; its summary does not stop at "intact"', async () => {
    const page = stack.page;
    await openScreen(page, 'Integrity');
    const summary = page.getByTestId('integrity-summary');
    await summary.filter({ hasText: 'changed at the source' }).waitFor({ timeout: 15_000 });
    assert.match(await summary.innerText(), /1 row changed at the source after it was first cached \(listed below\)/);
    assert.match((await summary.getAttribute('class')) ?? '', /summary-broken/, 'the summary is marked as a finding, not as intact');
    const changes = page.getByRole('table', { name: 'Changes at the source' });
    const row = changes.getByRole('row').filter({ hasText: editedId });
    assert.equal(await row.count(), 1, 'the changed conversation is listed by its row id');
    assert.match(await row.innerText(), /conversation_audit_logs[\s\S]*modified[\s\S]*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC[\s\S]*this cache[\s\S]*open/);
    assert.match(await page.locator('[data-last-run]').innerText(), /1 row changed at the source/);
    assert.deepEqual(stack.pageErrors, []);
  });

  test('the preview and the result state the changed row; the data line is not green', async () => {
    const page = stack.page;
    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    const preview = page.getByTestId('export-preview');
    await preview.filter({ hasText: 'changed at the source' }).waitFor({ timeout: 15_000 });
    assert.match(await preview.innerText(), /1 row of the selection changed at the source after it was first cached; the package lists both versions in changes\.csv\./);

    await createIdentityOnExport(page, { name: 'Dee Drift', org: 'Example Audit LLP', email: 'dee@example.org' });
    await page.getByRole('textbox', { name: 'Package file' }).fill(`${stack.dataDir}/package-${tenant}.zip`);
    await page.getByRole('button', { name: 'Export and sign' }).click();
    await page.getByTestId('package-verification').waitFor({ timeout: 120_000 });
    assert.match(await page.getByTestId('export-done').innerText(), /Chain check at export: intact\. 1 row changed at the source after it was first cached: both versions are in changes\.csv\./);
    const data = page.getByTestId('package-data-integrity');
    assert.match(await data.innerText(), /^Data integrity: hash chain links up \([\d,]+ rows, .*\); but 1 row changed at the source after it was first cached \(both versions in changes\.csv\)\.$/);
    assert.equal(await data.getAttribute('data-state'), 'bad');
    assert.equal(await page.locator('[data-testid="package-verification"] .ok').count(), 0, 'nothing green about a changed tenant');
    assert.deepEqual(stack.pageErrors, []);
    await stack.screenshot('18-export-drift-light');
  });

  test("a data-subject export (issue 15): the rule on screen, the subject's rows in the preview, and a data line that never says intact", async () => {
    const admin = new pg.Client({ connectionString: demo.adminUrl });
    await admin.connect();
    let user: string;
    let events: number;
    try {
      const top = (
        await admin.query<{ user_id: string; n: string }>(`SELECT user_id, count(*) AS n FROM audit_logs WHERE tenant_id = $1 AND user_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`, [tenant])
      ).rows[0]!;
      [user, events] = [top.user_id, Number(top.n)];
    } finally {
      await admin.end();
    }
    const page = stack.page;
    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    await page.getByRole('textbox', { name: 'Data subject user id' }).fill(user);
    assert.match(await page.getByTestId('subject-rule').innerText(), /conversation logs carry no user id/);
    const preview = page.getByTestId('export-preview');
    await preview.filter({ hasText: `Data subject ${user}` }).waitFor({ timeout: 15_000 });
    assert.match(await preview.innerText(), new RegExp(`^${events.toLocaleString('en-US')} system events?, 0 conversations,`));
    await page.getByRole('textbox', { name: 'Package file' }).fill(`${stack.dataDir}/subject-${tenant}.zip`);
    await page.getByRole('button', { name: 'Export and sign' }).click();
    const data = page.getByTestId('package-data-integrity');
    await data.filter({ hasText: 'a subset' }).waitFor({ timeout: 120_000 });
    assert.match(
      await data.innerText(),
      new RegExp(
        `^Data integrity: each of [\\d,]+ rows re-verified \\(${tenant}/audit_logs\\); a subset, so the chain's continuity is not shown \\(data subject ${user.replace(/[.]/g, '\\.')}\\)\\.$`,
      ),
    );
    assert.equal(await data.getAttribute('data-state'), 'warn');
    assert.match(
      await page.getByTestId('export-done').innerText(),
      new RegExp(`Chain check at export: each of data subject ${user.replace(/[.]/g, '\\.')}'s rows recomputed \\(a subset: the chain's continuity is not shown\\)`),
    );
    assert.doesNotMatch(await page.getByTestId('export-done').innerText(), /Chain check at export: intact/);
    assert.deepEqual(stack.pageErrors, []);
    await stack.screenshot('19-export-data-subject-light');
  });
});
