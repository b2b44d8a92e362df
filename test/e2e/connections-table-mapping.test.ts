// Issue 3/6: a source whose events table is called roche_audit_logs, with its own
// column names. The mapping is edited on the Connections screen, a wrong table name
// is one clear line on Test, and the saved mapping is what the next sync reads.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { createMappedEventsTable, MAPPED_ROWS, MAPPED_TENANT } from '../helpers/mapped-table.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import type { Reply } from '../../src-main/core/contract/index.js';
import type { ConnectionView } from '../../src-main/core/contract/connections.js';
import type { RecordCount } from '../../src-main/core/contract/records.js';
import { startStack, type Stack } from './support/stack.js';
import { AppFrame } from './pages/app-frame.js';
import { ConnectionsPage } from './pages/connections.js';
import { openScreen, setTheme } from './actions/navigate.js';
import { fillMapping, testInForm } from './actions/mapping.js';

async function api<T>(stack: Stack, method: string, input: unknown): Promise<T> {
  const reply = (await dispatch(stack.ctx, method, input)) as Reply<T>;
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.value;
}

describe('table mapping on the Connections screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let conn: ConnectionsPage;
  before(async () => {
    demo = await startDemoDb();
    // The customer's own table, created as the admin in setup: the app's role only reads.
    await createMappedEventsTable(demo.adminUrl);
    stack = await startStack({ demo: { url: demo.url, tenants: demo.groundTruth.tenants } });
    conn = new ConnectionsPage(stack.page);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('a mapped table that does not exist: Test connects, then names the table and the way out', async () => {
    await openScreen(stack.page, 'Connections');
    await conn.editButton(DEMO_CONNECTION_ID).click();
    await conn.form.waitFor();
    // Browser mode has no keychain: the form says where a typed password goes.
    const passwordHint = await conn.form
      .getByRole('textbox', { name: /^Password/ })
      .or(conn.form.locator('input[type=password]'))
      .first()
      .getAttribute('aria-describedby');
    assert.match(await stack.page.locator(`#${passwordHint}`).innerText(), /Kept in memory until AuditDesk closes \(then asked again\); never written to disk/);
    // The card says the same, not "stored".
    assert.match(await conn.card(DEMO_CONNECTION_ID).innerText(), /· password held in memory until AuditDesk closes/);
    await fillMapping(stack.page, { 'Events table': 'roche_audit_logz' }, []);
    const text = await testInForm(stack.page);
    assert.match(text, /Connected to .*, but the tables do not match/);
    assert.match(text, /public\.roche_audit_logz \(mapped as events\) does not exist/);
    assert.match(text, /Check the table name in the mapping/);
    await stack.screenshot('30-connections-mapping-missing-table-light');
  });

  test('a half-filled column rename is refused before anything is sent', async () => {
    await conn.addRename.click();
    await conn.renameColumn(1).fill('event_uuid');
    await conn.formTest.click();
    await conn.form.getByText('Column rename 1: pick the AuditDesk field that event_uuid holds.').waitFor();
    await conn.form.getByRole('button', { name: 'Remove column rename 1' }).click();
  });

  test('the mapping is saved into the profile, reopens as saved, and the sync reads the mapped table', async () => {
    await fillMapping(stack.page, { 'Events table': 'roche_audit_logs' }, [
      { kind: 'events', column: 'event_uuid', field: 'id' },
      { kind: 'events', column: 'occurred_at', field: 'created_at' },
    ]);
    // That source's tenants are uuids (its tenant_id column is uuid).
    await conn.form.getByRole('textbox', { name: /^Tenants/ }).fill(MAPPED_TENANT);
    const text = await testInForm(stack.page);
    assert.match(text, /^Connected/);
    assert.match(text, /events → public\.roche_audit_logs/);
    await stack.screenshot('31-connections-mapping-editor-light');
    await conn.formSave.click();
    await conn.form.waitFor({ state: 'detached' });

    const summary = await conn.mappingSummary(DEMO_CONNECTION_ID).innerText();
    assert.match(summary, /events → roche_audit_logs/);
    assert.match(summary, /events\.event_uuid as id/);
    const [saved] = await api<ConnectionView[]>(stack, 'connections.list', {});
    assert.deepEqual(saved!.mapping, { events: 'roche_audit_logs', columns: { events: { event_uuid: 'id', occurred_at: 'created_at' } } });
    assert.equal(saved!.isDemo, true, 'editing keeps the fields the form does not show');

    // Reopened, the editor shows what was saved.
    await conn.editButton(DEMO_CONNECTION_ID).click();
    assert.equal(await conn.formField('Events table').inputValue(), 'roche_audit_logs');
    assert.equal(await conn.renameColumn(2).inputValue(), 'occurred_at');
    assert.equal(await conn.renameField(2).inputValue(), 'created_at');
    await setTheme(stack.page, 'dark');
    await stack.screenshot('32-connections-mapping-reopened-dark');
    await setTheme(stack.page, 'light');
    await conn.formCancel.click();

    await conn.syncButton(DEMO_CONNECTION_ID).click();
    await conn.syncDone.waitFor({ timeout: 120_000 });
    const tenant = MAPPED_TENANT.toLowerCase();
    await new AppFrame(stack.page).cacheTenants.locator(`[data-tenant="${tenant}"]`).waitFor();
    const cached = await api<RecordCount>(stack, 'records.count', { filter: { tenant: [tenant], kind: 'event' } });
    assert.equal(cached.total, MAPPED_ROWS);
    const history = stack.page.getByRole('table').filter({ has: stack.page.locator('caption', { hasText: 'Sync history' }) });
    assert.match(await history.innerText(), new RegExp(`${tenant} · events · ${MAPPED_ROWS}`));
    await stack.screenshot('33-connections-mapped-sync-light');
  });
});
