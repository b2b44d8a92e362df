// Browser-side speed of the workstation with 1,000,000 cached events, measured through
// Playwright in Debian Chromium against the real bridge and cache: first screen, a
// filter change to the rendered result, a full-text search, and long tasks (> 50 ms,
// PerformanceObserver 'longtask') while scrolling through the whole list.
// The 1M-row cache is the same file test/bench/ui-queries.ts builds (reused when present).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { AppContext } from '../../src-main/core/app/context.js';
import { startHttpBridge } from '../../src-main/bridge/http.js';
import { benchCachePath } from './bench-cache.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, rendererDir, VIEWPORT } from '../e2e/support/stack.js';
import type { BenchLine } from './types.js';

const ROWS = Number(process.env.AUDITDESK_BENCH_UI_ROWS ?? 1_000_000);
// Must match ui-queries.ts so both suites share one generated file.
interface InPage {
  __longTasks: { start: number; duration: number }[];
  document: { querySelector(s: string): { scrollTop: number; scrollHeight: number; clientHeight: number } | null };
  performance: { now(): number };
  requestAnimationFrame(cb: () => void): void;
}

export async function bench(): Promise<BenchLine[]> {
  const { path, generatedMs } = benchCachePath(ROWS);
  const lines: BenchLine[] = [];
  if (generatedMs !== null) lines.push({ name: `generate ${ROWS.toLocaleString('en')}-row bench cache (once)`, value: generatedMs / 1000, unit: 's' });
  const dataDir = mkdtempSync(join(tmpdir(), 'auditdesk-bench-ui-'));
  const ctx = new AppContext({ dataDir, frontDoor: 'browser', cachePath: path, log: () => undefined });
  const bridge = await startHttpBridge({ ctx, rendererDir: rendererDir() });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.addInitScript(() => {
      const w = globalThis as unknown as InPage & { PerformanceObserver: new (cb: (list: { getEntries(): { startTime: number; duration: number }[] }) => void) => { observe(o: object): void } };
      w.__longTasks = [];
      new w.PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    const count = page.getByTestId('result-count');
    const rows = page.locator('[data-rid]');

    // First screen: navigation to rows on screen with their count.
    let t0 = performance.now();
    await page.goto(bridge.url);
    await rows.first().waitFor({ timeout: 60_000 });
    await count.filter({ hasText: / rows / }).waitFor({ timeout: 60_000 });
    lines.push({ name: 'first screen (load → rows and count rendered)', value: performance.now() - t0, unit: 'ms', target: '≤ 2000 ms' });
    await page.locator('details.facet[data-facet="modelProvider"] label[data-value]').first().waitFor({ timeout: 60_000 });

    // Filter change: tick a facet value, wait for the new count and the first row.
    const countText = async () => count.innerText();
    for (const [facet, n] of [
      ['modelProvider', 0],
      ['agent', 0],
    ] as const) {
      const box = page.locator(`details.facet[data-facet="${facet}"] label[data-value]`).nth(n);
      if ((await page.locator(`details.facet[data-facet="${facet}"]`).getAttribute('open')) === null) {
        await page.locator(`details.facet[data-facet="${facet}"] summary`).click();
      }
      const before = await countText();
      const value = await box.getAttribute('data-value');
      t0 = performance.now();
      await box.locator('input').click();
      await page
        .waitForFunction((b) => {
          const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('[data-testid=result-count]');
          return el !== null && el.textContent !== b && / rows /.test(el.textContent);
        }, before)
        .catch(async (e: unknown) => {
          await page.screenshot({ path: join(process.cwd(), 'test-results', 'bench-ui-failure.png') });
          throw new Error(`filter change did not render (before: ${before}; now: ${await countText()}; url ${page.url()}): ${(e as Error).message.split('\n')[0]}`);
        });
      await rows.first().waitFor();
      lines.push({ name: `filter change → rendered (${facet} = ${value})`, value: performance.now() - t0, unit: 'ms', target: '≤ 200 ms' });
    }

    // Full-text search on the unfiltered list.
    await page.goto(`${bridge.origin}/#/timeline`);
    await count.filter({ hasText: / rows / }).waitFor();
    const search = page.getByRole('searchbox', { name: 'Search prompts, responses and event details' });
    for (const term of ['invoice', 'password reset']) {
      await search.fill(term);
      const before = await countText();
      t0 = performance.now();
      await search.press('Enter');
      await page.waitForFunction((b) => {
        const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('[data-testid=result-count]');
        return el !== null && el.textContent !== b && / rows /.test(el.textContent);
      }, before);
      await rows.first().waitFor().catch(() => undefined);
      lines.push({ name: `full-text search → rendered ("${term}")`, value: performance.now() - t0, unit: 'ms', target: '≤ 300 ms' });
      await search.fill('');
      await search.press('Enter');
      await page.waitForTimeout(300);
    }

    // Scrolling: wheel through the top, then jump across the whole (scaled) range.
    await page.goto(`${bridge.origin}/#/timeline`);
    await rows.first().waitFor();
    const scroller = page.getByTestId('record-scroller');
    await scroller.hover();
    const startMark = await page.evaluate(() => (globalThis as unknown as InPage).performance.now());
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(16);
    }
    for (let i = 1; i <= 20; i++) {
      await page.evaluate((f) => {
        const el = (globalThis as unknown as InPage).document.querySelector('[data-testid=record-scroller]')!;
        el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
      }, i / 20);
      await page.waitForTimeout(50);
    }
    await rows.last().waitFor();
    await page.waitForTimeout(500);
    const longTasks = await page.evaluate((since) => (globalThis as unknown as InPage).__longTasks.filter((t) => t.start >= since), startMark);
    lines.push({ name: 'long tasks > 50 ms while scrolling 1M rows', value: longTasks.length, unit: 'tasks', target: 'none' });
    if (longTasks.length) lines.push({ name: 'longest task while scrolling', value: Math.max(...longTasks.map((t) => t.duration)), unit: 'ms' });
  } finally {
    await browser.close();
    await bridge.close();
    ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lines;
}
