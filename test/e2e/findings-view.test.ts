// Issue 6: the model and configuration findings the export PDF lists, in the UI: a
// Findings tab on the Anomalies screen, each finding linked to its calls in the
// timeline and to its first rows, with the empty state and keyboard access.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoDb } from '../helpers/demo-db.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { Reply } from '../../src-main/core/contract/index.js';
import type { Finding } from '../../src-main/core/contract/anomalies.js';
import type { Stack } from './support/stack.js';
import { FindingsPage } from './pages/findings.js';
import { AnomaliesPage } from './pages/anomalies.js';
import { openScreen, setTheme } from './actions/navigate.js';
import { resultTotal } from './actions/timeline.js';
import { startDemoStack } from './support/demo-stack.js';

async function api<T>(stack: Stack, method: string, input: unknown): Promise<T> {
  const reply = (await dispatch(stack.ctx, method, input)) as Reply<T>;
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.value;
}

describe('findings view', () => {
  let demo: DemoDb;
  let stack: Stack;
  let fp: FindingsPage;
  before(async () => {
    ({ demo, stack } = await startDemoStack({ synced: true }));
    fp = new FindingsPage(stack.page);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('the Findings tab is reached by keyboard and lists the planted findings, the secret redacted', async () => {
    const { highTemperature, apiKeyInModelConfig, relaxedProductionAgent } = demo.groundTruth.incidents;
    await openScreen(stack.page, 'Anomalies');
    await new AnomaliesPage(stack.page).list.waitFor();
    await fp.tab('Anomalies').focus();
    await stack.page.keyboard.press('ArrowRight');
    await fp.table.or(fp.panel.getByRole('status')).first().waitFor();
    assert.equal(await fp.tab('Findings').getAttribute('aria-selected'), 'true');
    assert.match(stack.page.url(), /#\/anomalies\?view=findings/);

    await fp.tenant.selectOption(highTemperature.tenant);
    const hot = fp.rows('high_temperature').filter({ hasText: highTemperature.agent_id });
    await hot.first().waitFor();
    assert.match(await hot.first().innerText(), new RegExp(`temperature ${highTemperature.temperature.replace('.', '\\.')}`));

    if (apiKeyInModelConfig.tenant === highTemperature.tenant) {
      const secret = await fp.rows('secret_in_config').first().innerText();
      assert.match(secret, /REDACTED/);
    }
    if (relaxedProductionAgent.tenant === highTemperature.tenant) {
      await fp.rows('relaxed_safety').filter({ hasText: relaxedProductionAgent.agent_id }).first().waitFor();
    }
    assert.match(await fp.summary.innerText(), /\d+ findings for /);
    assert.match(stack.page.url(), new RegExp(`tenant=${highTemperature.tenant}`));
    await stack.screenshot('40-findings-light');
    await setTheme(stack.page, 'dark');
    await stack.screenshot('41-findings-dark');
    await setTheme(stack.page, 'light');
  });

  test('a finding opens its calls in the timeline, and its first rows one by one', async () => {
    const { highTemperature } = demo.groundTruth.incidents;
    const all = await api<Finding[]>(stack, 'anomalies.findings', { tenant: highTemperature.tenant });
    const finding = all.find((f) => f.kind === 'high_temperature' && f.agentId === highTemperature.agent_id)!;
    const row = fp.rows('high_temperature').filter({ hasText: finding.title });

    await row.getByText('First').click();
    const samples = row.getByRole('list', { name: `Rows of: ${finding.title}` });
    await samples.getByRole('listitem').first().waitFor();
    assert.equal(await samples.getByRole('listitem').count(), finding.sampleRids.length);
    assert.match(await samples.innerText(), new RegExp(`temperature ${highTemperature.temperature.replace('.', '\\.')}`));
    await stack.screenshot('42-findings-rows-light');

    await row.getByRole('link', { name: /^Show the [\d,]+ calls of/ }).click();
    await stack.page.getByRole('main', { name: 'Timeline' }).waitFor();
    assert.match(stack.page.url(), /kind=conversation/);
    assert.match(stack.page.url(), new RegExp(`agent=${highTemperature.agent_id}`));
    assert.equal(await resultTotal(stack.page), finding.count);

    await stack.page.goBack();
    await row.getByText('First').click();
    await samples.getByRole('link').first().click();
    await stack.page.getByRole('main', { name: 'Timeline' }).waitFor();
    assert.match(stack.page.url(), /to=/);
  });

  test('a tenant without findings gets the empty state; a refused request the error state with a retry', async () => {
    await stack.page.goto(`${stack.bridge.origin}/#/anomalies?view=findings&tenant=no-such-tenant`);
    await fp.panel.getByText('No findings for no-such-tenant.').waitFor();
    // A tenant id longer than any the contract accepts (a hand-edited URL) is refused at the door.
    await stack.page.goto(`${stack.bridge.origin}/#/anomalies?view=findings&tenant=${'x'.repeat(600)}`);
    const error = fp.panel.getByRole('alert');
    await error.waitFor();
    assert.match(await error.innerText(), /anomalies\.findings: tenant/);
    await error.getByRole('button', { name: 'Try again' }).waitFor();
    assert.deepEqual(
      stack.pageErrors.filter((e) => !/Failed to load resource/.test(e)),
      [],
    );
  });
});
