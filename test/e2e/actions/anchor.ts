import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { IntegrityPage } from '../pages/integrity.js';
import { openScreen } from './navigate.js';

/** Integrity → Re-verify cache, waiting until every given tenant has a verdict row. */
export async function verifyCache(page: Page, tenants: string[]): Promise<IntegrityPage> {
  await openScreen(page, 'Integrity');
  const integrity = new IntegrityPage(page);
  await page.getByRole('button', { name: 'Re-verify cache' }).click();
  await page.getByTestId('job-verify').and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
  for (const t of tenants) await integrity.chainRow(t).waitFor();
  return integrity;
}

/** "Save head" of one chain: the downloaded anchor file's path and JSON. */
export async function saveHead(page: Page, tenant: string): Promise<{ path: string; json: Record<string, unknown>; fileName: string }> {
  const integrity = new IntegrityPage(page);
  const [download] = await Promise.all([page.waitForEvent('download'), integrity.saveHead(tenant).click()]);
  const path = await download.path();
  return { path, json: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>, fileName: download.suggestedFilename() };
}

/** Checks the anchor now in the panel; resolves with the result row of the expected outcome. */
export async function checkAnchor(page: Page, outcome: string) {
  const integrity = new IntegrityPage(page);
  await integrity.checkAnchor.click();
  const row = integrity.anchorRow(outcome);
  await row.waitFor({ timeout: 60_000 });
  return row;
}
