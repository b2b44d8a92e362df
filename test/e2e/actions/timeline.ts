import type { Page } from 'playwright-core';
import { TimelinePage } from '../pages/timeline.js';
import { openScreen } from './navigate.js';

/** Waits until the result line shows a finished count and returns the total. */
export async function resultTotal(page: Page): Promise<number> {
  const tl = new TimelinePage(page);
  await tl.resultCount.filter({ hasText: / rows / }).waitFor();
  const text = await tl.resultCount.innerText();
  return Number(/([\d,]+) rows/.exec(text)![1]!.replace(/,/g, ''));
}

export async function pickFacet(page: Page, facet: string, value: string): Promise<void> {
  const tl = new TimelinePage(page);
  await tl.facet(facet).locator('summary').waitFor();
  if ((await tl.facet(facet).getAttribute('open')) === null) await tl.facet(facet).locator('summary').click();
  await tl.facetValue(facet, value).click();
  await page.waitForFunction(([f, v]) => (globalThis as unknown as { location: { hash: string } }).location.hash.includes(`${f}=${encodeURIComponent(v!)}`), [facet, value]);
}

export async function searchText(page: Page, text: string): Promise<void> {
  const tl = new TimelinePage(page);
  await tl.search.fill(text);
  await tl.search.press('Enter');
}

export async function openTimeline(page: Page): Promise<TimelinePage> {
  await openScreen(page, 'Timeline');
  return new TimelinePage(page);
}
