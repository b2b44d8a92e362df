// Issue 6: "the same bundle runs in Electron and in browser mode". Without the Electron
// binary, Chromium plays the window: the built renderer is served by the app:// file
// server (serveRenderer, with its CSP), the compiled preload runs before the page with
// Electron's two objects as stand-ins (contextBridge, ipcRenderer), and ipcRenderer's
// one channel reaches the IPC handler of main.ts in this process, which sees the frame
// as app://auditdesk. No HTTP bridge is running: the renderer only knows window.auditdesk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { AppContext } from '../../src-main/core/app/context.js';
import { APP_ORIGIN, serveRenderer } from '../../src-main/electron/app-protocol.js';
import { INVOKE_CHANNEL, createInvokeHandler } from '../../src-main/electron/ipc.js';
import { preloadPath } from '../../src-main/electron/window-options.js';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, SCREENSHOT_DIR, VIEWPORT, rendererDir } from './support/stack.js';
import type { PageGlobals } from './support/in-page.js';
import { TimelinePage } from './pages/timeline.js';
import { verifyCache } from './actions/anchor.js';

// Chromium cannot be taught the app: scheme from here, so the window's origin is this
// stand-in; every request to it is answered by serveRenderer as app://auditdesk.
const WINDOW_ORIGIN = 'http://auditdesk.invalid';
const FOREIGN_ORIGIN = 'http://evil.invalid';
const TENANTS = ['acme-pharma', 'globex-bank'];

/** The compiled preload, run as Electron runs a sandboxed preload: CommonJS with require('electron') only. */
function preloadInitScript(): string {
  return `(() => {
    const ipcRenderer = {
      invoke: (channel, ...args) => window.__electronIpc(channel, ...args),
    };
    const contextBridge = {
      exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: Object.freeze({ ...api }), writable: false, configurable: false }),
    };
    const require = (name) => { if (name !== 'electron') throw new Error('sandboxed preload: ' + name); return { ipcRenderer, contextBridge }; };
    const module = { exports: {} };
    const exports = module.exports;
    ${readFileSync(preloadPath(), 'utf8')}
  })();`;
}

describe('the renderer over the Electron IPC host', () => {
  let dir: string;
  let ctx: AppContext;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const channels: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auditdesk-e2e-electron-'));
    const f = new CacheFixture(join(dir, 'cache.sqlite'));
    for (const t of TENANTS) fillDemoLike(f, t, 150, { conversations: 40 });
    f.close();
    ctx = new AppContext({ dataDir: join(dir, 'data'), frontDoor: 'electron', cachePath: join(dir, 'cache.sqlite'), log: () => undefined });
    const handler = createInvokeHandler(ctx);

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
    await context.route(`${WINDOW_ORIGIN}/**`, async (route: Route) => {
      const url = new URL(route.request().url());
      const res = serveRenderer(rendererDir(), new Request(`${APP_ORIGIN}${url.pathname}${url.search}`, { method: route.request().method() }));
      await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
    });
    await context.route(`${FOREIGN_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>elsewhere</title>' }));
    // ipcMain's side: the sender frame's URL as Electron would report it.
    await context.exposeBinding('__electronIpc', async (source, channel: string, method: unknown, input: unknown) => {
      channels.push(channel);
      if (channel !== INVOKE_CHANNEL) throw new Error(`no handler for ${channel}`);
      const frameUrl = source.frame.url();
      const senderUrl = frameUrl.startsWith(`${WINDOW_ORIGIN}/`) ? APP_ORIGIN + frameUrl.slice(WINDOW_ORIGIN.length) : frameUrl;
      return structuredClone(await handler({ senderFrame: { url: senderUrl } }, method, input));
    });
    await context.addInitScript({ content: preloadInitScript() });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${WINDOW_ORIGIN}/index.html`);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await ctx?.shutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the timeline shows the cached rows', async () => {
    const timeline = new TimelinePage(page);
    await timeline.resultCount.filter({ hasText: /380 rows/ }).waitFor({ timeout: 30_000 });
    await timeline.rows.first().waitFor();
    assert.ok((await timeline.rows.count()) > 5);
    // The timeline asks for rows before facet counts, so the tenant facet may fill later.
    const tenantLabels = page.locator('details.facet[data-facet="tenant"] label[data-value]');
    await tenantLabels.nth(TENANTS.length - 1).waitFor({ state: 'attached' });
    const tenants = await tenantLabels.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-value')));
    assert.deepEqual([...tenants].sort(), TENANTS);
    const status = (await page.evaluate(() => (globalThis as unknown as PageGlobals).auditdesk!.invoke('status.get', {}))) as { ok: boolean; value: { frontDoor: string } };
    assert.equal(status.value.frontDoor, 'electron');
    await page.screenshot({ path: join(SCREENSHOT_DIR, '30-electron-ipc-timeline-light.png') });
  });

  test('the integrity screen verifies the cache and lists each chain intact', async () => {
    const integrity = await verifyCache(page, TENANTS);
    for (const t of TENANTS) {
      const row = integrity.chainRow(t);
      assert.match(await row.innerText(), /intact/i);
      assert.match(await row.innerText(), /150/);
    }
    await page.screenshot({ path: join(SCREENSHOT_DIR, '31-electron-ipc-integrity-light.png') });
  });

  test('only the one channel was used, the page met its CSP, and a foreign frame with the same preload is refused', async () => {
    assert.deepEqual([...new Set(channels)], [INVOKE_CHANNEL]);
    assert.deepEqual(pageErrors, [], 'no console errors or CSP violations');
    const csp = await page.evaluate(async () => (await fetch('./index.html')).headers.get('content-security-policy'));
    assert.match(csp ?? '', /script-src 'self'/);
    const other = await context.newPage();
    await other.goto(`${FOREIGN_ORIGIN}/`);
    const reply = (await other.evaluate(() => (globalThis as unknown as PageGlobals).auditdesk!.invoke('status.get', {}))) as { ok: boolean; error: { code: string } };
    await other.close();
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'E_FORBIDDEN');
  });
});
