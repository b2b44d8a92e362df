// Issue 4/6: the auditor brings a chain head from outside (published by the tenant,
// or saved here on an earlier visit) and the Integrity screen says whether the current
// chain extends it or where it left it, and records it in the checkpoint history.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import type { DemoDb } from '../helpers/demo-db.js';
import type { Stack } from './support/stack.js';
import { IntegrityPage } from './pages/integrity.js';
import { TimelinePage } from './pages/timeline.js';
import { openScreen, setTheme } from './actions/navigate.js';
import { checkAnchor, saveHead, verifyCache } from './actions/anchor.js';
import { startDemoStack } from './support/demo-stack.js';
import { measureContrast } from './support/contrast.js';
import { listCheckpoints, recordCheckpoint } from '../../src-main/core/verify/checkpoints.js';
import { AUDITOR_KEY_FILE, loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { renameSync } from 'node:fs';

describe('external anchor on the Integrity screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let integrity: IntegrityPage;
  before(async () => {
    ({ demo, stack } = await startDemoStack({ synced: true }));
    integrity = await verifyCache(stack.page, demo.groundTruth.tenants);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('"Save head" downloads a signed anchor file that the same screen then finds extended', async () => {
    const truth = demo.groundTruth;
    const intact = truth.tenants.find((t) => t !== truth.tamperedTenant)!;
    const saved = await saveHead(stack.page, intact);
    assert.equal(saved.json.tenant, intact);
    assert.equal(saved.json.format, 'auditdesk-checkpoint-v1');
    assert.equal(saved.json.last_seq, truth.chainHeads[intact]!.last_seq);
    assert.equal(saved.json.head_hash, truth.chainHeads[intact]!.hash);
    assert.equal(typeof saved.json.signature, 'string');
    assert.match(saved.fileName, /^auditdesk-anchor-.*\.json$/);

    // A later visit opens the file it saved.
    await integrity.anchorFile.setInputFiles(saved.path);
    // The file is read asynchronously: its name shows once the text is in the box.
    await integrity.anchorPanel.getByText(basename(saved.path), { exact: true }).waitFor();
    assert.match(await integrity.anchorText.inputValue(), /"head_hash"/);
    const row = await checkAnchor(stack.page, 'extended');
    const text = await row.innerText();
    assert.match(text, /extends/);
    assert.match(text, /signature valid/);
    assert.match(text, /not recorded/);
    await stack.screenshot('20-integrity-anchor-extended-light');
  });

  test('the head saved before the tampering: rewritten, with the break that says where, then recorded as an external checkpoint', async () => {
    const truth = demo.groundTruth;
    await integrity.anchorText.fill(JSON.stringify(truth.anchor, null, 2));
    // Keyboard only: the check button is reached and pressed without the mouse.
    await integrity.checkAnchor.focus();
    await stack.page.keyboard.press('Enter');
    const row = integrity.anchorRow('rewritten');
    await row.waitFor({ timeout: 60_000 });
    const text = await row.innerText();
    assert.match(text, /REWRITTEN/);
    assert.match(text, new RegExp(`row at seq ${truth.anchor.last_seq} now has hash`));
    assert.match(text, /rewritten at seq \d+/);
    assert.match(text, /unsigned head/);
    assert.match(text, /not recorded/);
    await stack.screenshot('21-integrity-anchor-rewritten-light');

    await integrity.recordAnchor.click();
    await row.getByText(/recorded as external checkpoint #\d+/).waitFor();
    await integrity.history.locator('tr', { hasText: 'external' }).filter({ hasText: truth.tamperedTenant }).waitFor();
    assert.equal(await integrity.recordAnchor.isDisabled(), true, 'nothing left to record');
    await setTheme(stack.page, 'dark');
    await stack.screenshot('22-integrity-anchor-recorded-dark');
    await setTheme(stack.page, 'light');
  });

  test("a head someone else signed into the cache is listed as not compared, and the chain's verdict does not move", async () => {
    const truth = demo.groundTruth;
    const intact = truth.tenants.find((t) => t !== truth.tamperedTenant)!;
    const own = listCheckpoints(stack.ctx.cache(), { tenantId: intact }, null).at(-1)!;
    const stranger = loadOrCreateAuditorKey(join(stack.dataDir, 'stranger'));
    recordCheckpoint(stack.ctx.cache(), stranger, { ...own, origin: 'verify', headHash: 'f'.repeat(64), createdAt: undefined });
    await stack.page.reload();
    await integrity.history.waitFor();
    const planted = integrity.history.locator('tr', { hasText: 'signed by another key: not compared' });
    assert.equal(await planted.count(), 1);
    assert.match(await planted.innerText(), new RegExp(`key ${stranger.keyId}`));
    await stack.page.getByTestId('checkpoints-not-compared').filter({ hasText: '1 checkpoint below is not compared' }).waitFor();
    await verifyCache(stack.page, truth.tenants);
    // The run's own notes say the same, as the CLI's note: lines do, and they stay with the
    // verdict they qualify when the screen is opened again (they are read from the stored report).
    const note = stack.page.getByRole('region', { name: 'Notes of the last verification' }).getByText(new RegExp(`of ${intact} was not compared: it is signed by key ${stranger.keyId}`));
    await note.waitFor();
    // The checkpoint's time reads as every time on the screen does (the Times setting), not as ISO text.
    assert.match(await note.innerText(), /^checkpoint #\d+ \((?:sync|verify|external), \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) of /);
    assert.match(await integrity.chainRow(intact).innerText(), /intact/i, "a stranger's head does not make the chain rewritten");
    await stack.page.reload();
    await note.waitFor();
    await stack.screenshot('23-integrity-foreign-checkpoint-light');
  });

  test('an anchor that is not JSON or not a head gets one line saying what to fix', async () => {
    await integrity.anchorText.fill('{"tenant": "acme-pharma", ');
    await integrity.checkAnchor.click();
    await integrity.anchorError.filter({ hasText: 'not JSON' }).waitFor();
    await integrity.anchorText.fill(JSON.stringify({ tenant: 'acme-pharma', table: 'audit_logs', last_seq: 5, head_hash: 'not-a-hash' }));
    await integrity.checkAnchor.click();
    await integrity.anchorError.filter({ hasText: 'head_hash must be 64' }).waitFor();
    assert.deepEqual(
      stack.pageErrors.filter((e) => !/Failed to load resource/.test(e)),
      [],
    );
  });

  // Last: it gives the data folder a new auditor key, as when the cache was received from another auditor.
  test("verdicts another auditor key's run gave are not shown green, until a verification here gives this workstation's own", async () => {
    const truth = demo.groundTruth;
    const intact = truth.tenants.find((t) => t !== truth.tamperedTenant)!;
    const giver = loadOrCreateAuditorKey(stack.dataDir).keyId;
    renameSync(join(stack.dataDir, AUDITOR_KEY_FILE), join(stack.dataDir, `${AUDITOR_KEY_FILE}.earlier`));
    await stack.page.reload();
    const summary = stack.page.getByTestId('integrity-summary');
    await summary.filter({ hasText: "intact by another auditor's verdict, not checked here" }).waitFor();
    assert.doesNotMatch((await summary.getAttribute('class')) ?? '', /summary-intact/, 'the summary is not green');
    const verdict = integrity.chainRow(intact).locator('[data-given="another-key"]');
    assert.equal(await verdict.getAttribute('class'), 'warn', 'the chain verdict is not green');
    assert.match(await integrity.chainRow(intact).getByTestId('verdict-another-key').innerText(), new RegExp(`another auditor's verdict \\(key ${giver}\\), not checked here`));
    // The last run's notes speak of "this data folder's" key: the screen says whose that was.
    await stack.page.getByRole('region', { name: 'Notes of the last verification' }).getByText(`Run by another auditor (key ${giver})`).waitFor();
    assert.equal((await stack.page.getByTestId('last-run-not-checked-here').innerText()).trim(), `(another auditor's verdict (key ${giver}), not checked here)`);
    assert.deepEqual((await measureContrast(stack.page)).failing, [], 'the marks are readable (WCAG AA)');
    await stack.screenshot('24-integrity-verdict-another-key-light');
    await openScreen(stack.page, 'Engagements');
    await stack.page.getByText(`another auditor's verdict (key ${giver}), not checked here`).waitFor();
    // So do the status line's flag on the broken chain and the Timeline's note.
    assert.match(await stack.page.getByTestId('status-chain-broken').innerText(), /chain broken: \d+ breaks? \(another auditor's verdict\)/);
    // An intact chain's verdict is flagged there too: no tick on another auditor's word.
    const notCheckedFlag = stack.page.locator(`[data-testid=cache-tenants] [data-tenant="${intact}"]`).getByTestId('status-chain-not-checked-here');
    assert.equal((await notCheckedFlag.innerText()).trim(), 'chain verdict not checked here');
    await openScreen(stack.page, 'Timeline');
    assert.match(await stack.page.getByTestId('timeline-chain-broken').innerText(), new RegExp(`against the cache; another auditor's verdict \\(key ${giver}\\), not checked here\\)`));
    // The intact chains' rows are not left reading as fine: a note above the list, a mark in the tenant facet.
    assert.match(
      await stack.page.getByTestId('timeline-chain-not-checked-here').innerText(),
      new RegExp(`^Chain verdict not checked here: .*${intact} \\(says intact; another auditor's verdict \\(key ${giver}\\)\\)`),
    );
    const tenantFacet = new TimelinePage(stack.page).facet('tenant');
    assert.equal((await tenantFacet.locator(`label[data-value="${intact}"]`).getByTestId('facet-chain-not-checked-here').innerText()).trim(), 'unchecked');
    assert.equal(await tenantFacet.locator(`label[data-value="${truth.tamperedTenant}"]`).getByTestId('facet-chain-not-checked-here').count(), 0, 'a broken chain keeps its own mark');
    await openScreen(stack.page, 'Export');
    await stack.page.getByRole('combobox', { name: 'Tenant to export' }).selectOption(truth.tamperedTenant);
    await stack.page
      .getByTestId('export-preview-broken')
      .filter({ hasText: `(verified against the cache; another auditor's verdict (key ${giver}), not checked here)` })
      .waitFor({ timeout: 15_000 });
    // The Review screen says so too, and does not offer a completion that would be refused.
    await openScreen(stack.page, 'Review');
    await stack.page
      .getByTestId('review-verified-elsewhere')
      .filter({ hasText: `first: another auditor's verdict (key ${giver})):` })
      .waitFor();
    assert.equal(await stack.page.getByRole('button', { name: /Complete (the review|again)/ }).isDisabled(), true);

    await verifyCache(stack.page, truth.tenants);
    await summary.filter({ hasNotText: 'another auditor' }).waitFor();
    assert.equal(await stack.page.getByTestId('last-run-not-checked-here').count(), 0);
    assert.equal(await integrity.chainRow(intact).locator('[data-given="another-key"]').count(), 0);
    // Its own verdict now; the earlier key's heads are no longer compared, so it is marked as having no anchor.
    assert.equal(await integrity.chainRow(intact).locator('[data-verdict="intact"]').getAttribute('data-limited'), 'yes');
    assert.match(await integrity.chainRow(intact).innerText(), /as far as this run can see/);
    await stack.page.getByTestId('status-chain-broken').filter({ hasNotText: 'another auditor' }).waitFor();
    assert.equal(await notCheckedFlag.count(), 0);
    await openScreen(stack.page, 'Timeline');
    await stack.page.getByTestId('timeline-chain-broken').filter({ hasNotText: 'another auditor' }).waitFor();
    assert.equal(await stack.page.getByTestId('timeline-chain-not-checked-here').count(), 0);
    assert.equal(await stack.page.getByTestId('facet-chain-not-checked-here').count(), 0);
    await openScreen(stack.page, 'Review');
    await stack.page.getByTestId('review-coverage').waitFor();
    assert.equal(await stack.page.getByTestId('review-verified-elsewhere').count(), 0);
    assert.equal(await stack.page.getByRole('button', { name: /Complete (the review|again)/ }).isDisabled(), false);
  });
});
