// The real stack for browser tests: an AppContext on a temp data folder, the HTTP
// bridge in this process, the built renderer, and Debian Chromium driven by
// playwright-core. Only the demo database (when a test wants one) runs elsewhere.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AppContext } from '../../../src-main/core/app/context.js';
import { startHttpBridge, type HttpBridge } from '../../../src-main/bridge/http.js';
import { saveDemoProfile } from '../../../src-main/bridge/startup.js';

export const CHROMIUM_PATH = process.env.AUDITDESK_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const VIEWPORT = { width: 1280, height: 800 };

// <build>/test/e2e/support → <build>/renderer: the renderer built next to these compiled tests.
export function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', 'renderer');
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

export interface Stack {
  ctx: AppContext;
  bridge: HttpBridge;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** console errors and CSP violations seen in the page */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** a running demo database to save as the active connection profile */
  demo?: { url: string; tenants: string[]; chainProfiles?: Record<string, string> };
  colorScheme?: 'light' | 'dark';
  /** open the launch URL right away (default true) */
  open?: boolean;
  /** the browser's time zone and locale (default: the machine's) */
  timezoneId?: string;
  locale?: string;
  /** an existing cache file (e.g. a records fixture) instead of a new one in the data folder */
  cachePath?: string;
}

/** Console errors, CSP violations and uncaught exceptions of one page, as they happen. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auditdesk-e2e-'));
  const ctx = new AppContext({ dataDir, frontDoor: 'browser', log: () => undefined, ...(opts.cachePath ? { cachePath: opts.cachePath } : {}) });
  if (opts.demo) await saveDemoProfile(ctx, opts.demo.url, opts.demo.tenants, opts.demo.chainProfiles);
  const bridge = await startHttpBridge({ ctx, rendererDir: rendererDir() });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({
    viewport: VIEWPORT,
    colorScheme: opts.colorScheme ?? 'light',
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
    ...(opts.locale ? { locale: opts.locale } : {}),
  });
  const page = await context.newPage();
  const pageErrors = collectPageErrors(page);
  if (opts.open ?? true) await page.goto(bridge.url);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    ctx,
    bridge,
    browser,
    context,
    page,
    dataDir,
    pageErrors,
    async screenshot(name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async stop() {
      await browser.close().catch(() => undefined);
      await bridge.close();
      await ctx.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
