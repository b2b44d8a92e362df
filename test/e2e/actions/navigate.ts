import { AppFrame, type ScreenName } from '../pages/app-frame.js';
import type { Page } from 'playwright-core';
import type { PageGlobals } from '../support/in-page.js';

export async function openScreen(page: Page, screen: ScreenName): Promise<void> {
  const frame = new AppFrame(page);
  await frame.nav(screen).click();
  await frame.main(screen).waitFor();
}

export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const current = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme);
  if (current !== theme) await new AppFrame(page).themeToggle.click();
  await page.waitForFunction((t) => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === t, theme);
}
