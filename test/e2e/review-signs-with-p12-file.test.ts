// Issue 14: the auditor's identity for a signature can be their own PKCS#12 file (a path
// typed here; the native open dialog in Electron), not only one the app made. The first
// signature names it with its password; a wrong password records nothing; the next
// signature of the session asks for the password alone (the identity field is absent).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { clientFor } from '../helpers/app-calls.js';
import { createIdentity } from '../../src-main/core/identity/index.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import { startStack, type Stack } from './support/stack.js';
import { testAndSync } from './actions/sync.js';
import { openScreen } from './actions/navigate.js';

const PASSWORD = 'correct horse battery staple';

describe('a review decision signed with a PKCS#12 file', () => {
  let demo: DemoDb;
  let stack: Stack;
  let p12: string;
  before(async () => {
    demo = await startDemoDb();
    stack = await startStack({ demo: { url: demo.url, tenants: [demo.groundTruth.tamperedTenant] } });
    p12 = join(scratchDir('auditdesk-review-p12-'), 'rita.p12');
    createIdentity({ name: 'Rita Reviewer', org: 'Example Audit LLP', email: 'rita@example.org', password: PASSWORD, out: p12 });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  async function openDecide(n: number) {
    const item = stack.page.locator('li.exception').nth(n);
    await item.getByRole('button', { name: /^Decide: / }).click();
    const dialog = stack.page.getByRole('dialog');
    await dialog.getByLabel('Identity password').waitFor();
    await dialog.getByLabel('Note').fill(`decision ${n + 1}`);
    return dialog;
  }

  test('identity file and password first (a wrong password records nothing), then the password only', async () => {
    const page = stack.page;
    await openScreen(page, 'Review');
    assert.deepEqual(await clientFor(stack.ctx)['identity.list']({}), [], 'no identity in the app yet');
    const journalBefore = (await clientFor(stack.ctx)['journal.list']({})).length;

    const first = await openDecide(0);
    await first.getByRole('textbox', { name: 'Identity file' }).fill(p12);
    await first.getByLabel('Identity password').fill('not the password');
    await first.getByRole('button', { name: 'Sign decision' }).click();
    await first.getByTestId('decide-error').filter({ hasText: 'Nothing was recorded.' }).waitFor();
    const q = await clientFor(stack.ctx)['review.queue']({});
    assert.equal(q.coverage.decided, 0, 'a wrong password records no decision');
    assert.equal((await clientFor(stack.ctx)['journal.list']({})).length, journalBefore, 'nor a journal entry');
    assert.deepEqual(await clientFor(stack.ctx)['identity.list']({}), [], 'nor imports the identity');

    await first.getByLabel('Identity password').fill(PASSWORD);
    await first.getByRole('button', { name: 'Sign decision' }).click();
    await first.waitFor({ state: 'detached' });
    await page.locator('li.exception').first().getByTestId('decision-current').filter({ hasText: 'signed by Rita Reviewer' }).waitFor();
    const ids = await clientFor(stack.ctx)['identity.list']({});
    assert.equal(ids.length, 1);
    assert.equal(ids[0]!.passwordStored, false, 'the signing password is not kept');

    const second = await openDecide(1);
    await second.getByTestId('signing-as').filter({ hasText: 'Signing as Rita Reviewer (Example Audit LLP)' }).waitFor();
    assert.equal(await second.getByRole('textbox', { name: 'Identity file' }).count(), 0, 'the identity is not asked again');
    assert.equal(await second.getByRole('combobox', { name: 'Signing identity' }).count(), 0);
    await second.getByLabel('Identity password').fill(PASSWORD);
    await second.getByRole('button', { name: 'Sign decision' }).click();
    await second.waitFor({ state: 'detached' });
    const after = await clientFor(stack.ctx)['review.queue']({});
    assert.equal(after.coverage.decided, 2);
    assert.ok(after.items.filter((i) => i.decision).every((i) => i.decision!.signature.signerName === 'Rita Reviewer'));
    await stack.screenshot('34-review-signed-with-p12-file-light');
    assert.deepEqual(stack.pageErrors, []);
  });
});
