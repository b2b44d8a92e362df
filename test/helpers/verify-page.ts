// Runs the verify page (verify.html) in Debian Chromium on a package, the way a reader
// would: open the file, type the expected fingerprint, pick the ZIP, read the verdict.
// One browser page serves every call of a test file; it closes when the process exits.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page, type Request } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/stack.js';

// <build>/test/helpers → <build>/verify-page/verify.html, built by npm run build
export const BUILT_VERIFY_PAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'verify-page', 'verify.html');

export interface PageVerdict {
  verdict: 'valid' | 'unpinned' | 'invalid';
  codes: string[];
  dataIntact: boolean | null;
  breakKinds: string[];
  text: string;
  /** console errors, CSP violations and page exceptions */
  errors: string[];
  /** requests the page tried to make beyond its own file */
  requests: string[];
}

let browser: Promise<Browser> | null = null;
let reusable: Promise<Page> | null = null;

function shared(): Promise<Browser> {
  if (!browser) {
    browser = chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    process.once('exit', () => void browser?.then((b) => b.close()));
  }
  return browser;
}

/**
 * One page serves every call of a test file: each call loads verify.html afresh (a new
 * document, so nothing of the last package's check survives), and a new browser context
 * per call cost ~0.4 s, a third of a tamper case.
 */
function sharedPage(): Promise<Page> {
  reusable ??= shared().then((b) => b.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage()));
  return reusable;
}

export async function closeVerifyPageBrowser(): Promise<void> {
  reusable = null;
  if (browser) await (await browser).close();
  browser = null;
}

export async function runVerifyPage(pkg: string, opts: { pin?: string; page?: string; screenshot?: string } = {}): Promise<PageVerdict> {
  const page = await sharedPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const pageUrl = pathToFileURL(opts.page ?? BUILT_VERIFY_PAGE).href;
  const onConsole = (m: ConsoleMessage) => m.type() === 'error' && errors.push(m.text());
  const onError = (e: Error) => errors.push(e.message);
  const onRequest = (r: Request) => r.url() !== pageUrl && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && requests.push(r.url());
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('request', onRequest);
  try {
    await page.goto(pageUrl);
    if (opts.pin) await page.fill('#pin', opts.pin);
    await page.setInputFiles('#zip', pkg);
    await page.waitForSelector('#result .verdict:not(.busy)', { timeout: 120_000 });
    const r = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: { querySelector(s: string): { dataset: Record<string, string>; textContent: string } | null; querySelectorAll(s: string): { dataset: Record<string, string> }[] };
        }
      ).document;
      const v = d.querySelector('#result .verdict');
      return {
        verdict: v?.dataset.verdict ?? 'invalid',
        codes: [...d.querySelectorAll('#failures li')].map((li) => li.dataset.code ?? ''),
        intact: d.querySelector('#data-verdict')?.dataset.intact ?? '',
        breakKinds: [...d.querySelectorAll('#breaks li')].map((li) => li.dataset.kind ?? ''),
        text: d.querySelector('#result')?.textContent ?? '',
      };
    });
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true });
    return {
      verdict: r.verdict as PageVerdict['verdict'],
      codes: [...new Set(r.codes)].sort(),
      dataIntact: r.intact === '' ? null : r.intact === 'true',
      breakKinds: r.breakKinds,
      text: r.text,
      errors,
      requests,
    };
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
    page.off('request', onRequest);
  }
}
