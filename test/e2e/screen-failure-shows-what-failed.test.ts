// Issue 16: a screen that throws while rendering must not blank the window. Its route's
// error boundary says which screen failed and why, offers Reload, and the rest of the app
// (navigation, other screens) keeps working. The failure is forced from outside the app:
// the page's call for the Integrity report gets a reply the contract never gives (an
// empty object), as a bug in one handler would, so no debug hook is needed in the app.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from './support/stack.js';
import { AppFrame } from './pages/app-frame.js';
import { openScreen } from './actions/navigate.js';

describe('a screen that fails to render', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
  });

  test('says which screen failed and why, offers Reload, and the other screens still work', async () => {
    const { page } = stack;
    const broken = '**/api/integrity.report';
    await page.route(broken, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: true, value: {} }) }));
    await openScreen(page, 'Integrity');
    const failed = page.getByTestId('screen-failed');
    await failed.waitFor({ timeout: 15_000 });
    const text = await failed.innerText();
    assert.match(text, /^The Integrity screen failed to display\./);
    // The renderer's own TypeError, whichever field it reached first.
    assert.match(text, /^The Integrity screen failed to display\.\n.*(Cannot read properties of undefined|is not iterable)/, `the error itself is shown: ${text}`);
    assert.match(text, /The cached data is unchanged\. Other screens still work from the navigation above\./);
    assert.equal(await failed.getByRole('button', { name: 'Reload' }).count(), 1);
    assert.equal(await failed.getAttribute('role'), 'alert', 'announced to a screen reader');

    // The frame survived: another screen opens and renders.
    await openScreen(page, 'Connections');
    assert.equal(await page.getByTestId('screen-failed').count(), 0);
    await new AppFrame(page).main('Connections').getByRole('button', { name: 'Add connection' }).waitFor();

    // Once the cause is gone, Reload brings the screen back.
    await openScreen(page, 'Integrity');
    await failed.waitFor();
    await page.unroute(broken);
    await Promise.all([page.waitForEvent('load'), failed.getByRole('button', { name: 'Reload' }).click()]);
    await new AppFrame(page).main('Integrity').waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByTestId('screen-failed').count(), 0, 'the reloaded screen renders');
  });
});
