// Issue 14, done when: in Chromium against the real stack, the auditor reviews every
// exception of the tampered demo tenant with electronic signatures (identity and password
// on the first signature, the password alone after that), a wrong password records
// nothing, the review is completed with a signed record, the tenant is exported, and the
// package verifies with its reviewer journal (verify-package on the ZIP).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { runAuditdesk } from '../helpers/cli.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { Reply } from '../../src-main/core/contract/index.js';
import type { ExceptionQueue } from '../../src-main/core/contract/review.js';
import { startStack, type Stack } from './support/stack.js';
import { testAndSync } from './actions/sync.js';
import { openScreen } from './actions/navigate.js';
import { createIdentityOnExport } from './actions/identity.js';

const PASSWORD = 'review journey password';

describe('review by exception on the tampered demo tenant', () => {
  let demo: DemoDb;
  let stack: Stack;
  let tenant: string;
  const queue = async (): Promise<ExceptionQueue> => {
    const reply = (await dispatch(stack.ctx, 'review.queue', { tenant })) as Reply<ExceptionQueue>;
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value;
  };
  before(async () => {
    demo = await startDemoDb();
    tenant = demo.groundTruth.tamperedTenant;
    stack = await startStack({ demo: { url: demo.url, tenants: [tenant] } });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
    await openScreen(stack.page, 'Export');
    await createIdentityOnExport(stack.page, { name: 'Rhea Reviewer', org: 'Example Audit LLP', email: 'rhea@example.org' }, PASSWORD);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('every exception decided with signatures: identity and password once, then the password only; a wrong password records nothing', async () => {
    const page = stack.page;
    await openScreen(page, 'Review');
    const start = await queue();
    assert.ok(start.coverage.byKind.chain_break.open >= 2, 'the tampered tenant has chain breaks to review');
    assert.equal(start.coverage.decided, 0);
    const coverage = page.getByTestId('review-coverage');
    assert.equal(await coverage.innerText(), `${start.coverage.total} exceptions: 0 decided, ${start.coverage.total} open`);
    assert.match(await page.getByTestId('review-completion').innerText(), /Review not completed/);
    await stack.screenshot('30-review-open-light');

    // Keyboard only: Enter opens the dialog, Tab stays inside it, Esc closes it having recorded nothing.
    const decideButton = page
      .locator('li.exception[data-status="open"]')
      .first()
      .getByRole('button', { name: /^Decide: / });
    await decideButton.focus();
    await page.keyboard.press('Enter');
    const modal = page.getByRole('dialog');
    await modal.waitFor();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await modal.evaluate((d) => d.contains((d.ownerDocument as unknown as { activeElement: unknown }).activeElement as never)), `focus stays in the dialog after ${i + 1} Tab(s)`);
    }
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'detached' });
    assert.ok(await decideButton.evaluate((b) => b === (b.ownerDocument as unknown as { activeElement: unknown }).activeElement), 'focus returns to the button that opened the dialog');
    assert.equal((await queue()).coverage.decided, 0, 'Esc records nothing');

    for (let n = 0; n < start.coverage.total; n++) {
      const item = page.locator('li.exception[data-status="open"]').first();
      const title = (await item.locator('.exception-title').innerText()).trim();
      // Evidence is a readable table, not JSON.
      await item.getByText(/^Evidence/).click();
      const evidence = item.getByRole('table', { name: `Evidence of ${title}` });
      assert.ok((await evidence.getByRole('row').count()) > 0);
      assert.doesNotMatch(await evidence.innerText(), /^\s*[{[]/m, 'evidence values are text, not raw JSON');

      await item.getByRole('button', { name: `Decide: ${title}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      const isBreak = (await item.getAttribute('data-kind')) === 'chain_break';
      await dialog.getByLabel('Disposition').selectOption(isBreak ? 'confirmed' : 'false_positive');
      await dialog.getByLabel('Note').fill(`decision ${n + 1}: ${isBreak ? 'row changed after writing' : 'expected in staging'}`);
      if (isBreak) await dialog.getByLabel('Reference').fill(`CAPA-${n + 1}`);
      if (n === 0) {
        // First signature of the session: both components.
        await dialog.getByRole('combobox', { name: 'Signing identity' }).waitFor();
        await dialog.getByLabel('Identity password').fill('not the password');
        await dialog.getByRole('button', { name: 'Sign decision' }).click();
        await dialog.getByTestId('decide-error').waitFor();
        assert.equal(await dialog.getByTestId('decide-error').innerText(), 'Wrong password for this identity. Nothing was recorded.');
        assert.equal((await queue()).coverage.decided, 0, 'a wrong password records nothing');
        await dialog.getByLabel('Identity password').fill(PASSWORD);
        await stack.screenshot('31-review-sign-first-light');
      } else {
        // Later signatures in the session: the password only.
        await dialog.getByTestId('signing-as').waitFor();
        assert.match(await dialog.getByTestId('signing-as').innerText(), /^Signing as Rhea Reviewer \(Example Audit LLP\)/);
        assert.equal(await dialog.getByRole('combobox', { name: 'Signing identity' }).count(), 0, 'the identity is not asked again');
        await dialog.getByLabel('Identity password').fill(PASSWORD);
      }
      await dialog.getByRole('button', { name: 'Sign decision' }).click();
      await dialog.waitFor({ state: 'detached' });
      await coverage.filter({ hasText: `${n + 1} decided` }).waitFor();
    }
    assert.equal(await coverage.innerText(), `${start.coverage.total} exceptions: ${start.coverage.total} decided, 0 open`);
    const decided = page.locator('li.exception').first().getByTestId('decision-current');
    assert.match(await decided.innerText(), /signed by Rhea Reviewer at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n/);
    await stack.screenshot('32-review-decided-light');
    // In local time each signing time carries its offset, never a bare clock time.
    await page.getByRole('combobox', { name: 'Time zone' }).selectOption('local');
    await decided.filter({ hasText: /signed by Rhea Reviewer at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+−]\d\d:\d\d/ }).waitFor();
    await page.getByRole('combobox', { name: 'Time zone' }).selectOption('utc');

    // A new decision supersedes; both stay visible.
    const first = page.locator('li.exception').first();
    const firstTitle = (await first.locator('.exception-title').innerText()).trim();
    await first.getByRole('button', { name: `Decide again: ${firstTitle}` }).click();
    const again = page.getByRole('dialog');
    await again.getByLabel('Disposition').selectOption('escalated');
    await again.getByLabel('Note').fill('escalated to the QA lead after a second look');
    await again.getByLabel('Identity password').fill(PASSWORD);
    await again.getByRole('button', { name: 'Sign decision' }).click();
    await again.waitFor({ state: 'detached' });
    await first.getByTestId('decision-superseded').waitFor();
    assert.match(await first.getByTestId('decision-current').innerText(), /Escalated .*“Escalated”/);
    assert.deepEqual(stack.pageErrors, []);
  });

  test('the review is completed with a signed record, and the exported package verifies with its journal', async () => {
    const page = stack.page;
    await page.getByRole('button', { name: 'Complete the review…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Complete the review' });
    assert.equal(await dialog.getByTestId('open-at-completion').count(), 0, 'no item is open');
    await dialog.getByLabel('Completion note').fill('all exceptions of globex-bank reviewed');
    await dialog.getByLabel('Identity password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign completion' }).click();
    await dialog.waitFor({ state: 'detached' });
    const completion = page.getByTestId('review-completion');
    await completion.filter({ hasText: 'Review completed by' }).waitFor();
    assert.match(await completion.innerText(), /^Review completed by Rhea Reviewer at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, “Review completed”\. all exceptions of globex-bank reviewed/);
    await stack.screenshot('33-review-completed-light');

    await openScreen(page, 'Export');
    await page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(tenant);
    const zip = `${stack.dataDir}/reviewed-${tenant}.zip`;
    await page.getByRole('textbox', { name: 'Package file' }).fill(zip);
    await page.getByRole('button', { name: 'Export and sign' }).click();
    await page.getByTestId('package-verification').waitFor({ timeout: 120_000 });
    assert.equal(await page.getByTestId('package-data-integrity').getAttribute('data-state'), 'bad', 'a broken chain is never green');

    const checked = await runAuditdesk(['verify-package', zip]);
    assert.match(checked.stdout, /reviewer journal: intact, \d+ entries, (\d+) signatures checked, head signed by auditor key/, `verify-package exit ${checked.code}, stderr: ${checked.stderr}`);
    const signatures = Number(/(\d+) signatures checked/.exec(checked.stdout)![1]);
    const q = await queue();
    assert.ok(signatures >= q.coverage.total + 2, `every decision, the superseding one and the completion are signed in the journal (${signatures})`);
    assert.doesNotMatch(checked.stdout + checked.stderr, /JOURNAL|DECISION_/);
    assert.deepEqual(stack.pageErrors, []);
  });
});
