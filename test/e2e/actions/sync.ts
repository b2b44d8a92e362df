import type { Page } from 'playwright-core';
import { ConnectionsPage } from '../pages/connections.js';
import { openScreen } from './navigate.js';

/** Connections → Test → Sync now, waiting for the sync job to finish. */
export async function testAndSync(page: Page, connectionId: string): Promise<{ testText: string; syncText: string }> {
  await openScreen(page, 'Connections');
  const conn = new ConnectionsPage(page);
  await conn.testButton(connectionId).click();
  await conn.testResult(connectionId).waitFor({ timeout: 30_000 });
  const testText = await conn.testResult(connectionId).innerText();
  await conn.syncButton(connectionId).click();
  await conn.syncDone.waitFor({ timeout: 120_000 });
  return { testText, syncText: await conn.syncDone.innerText() };
}
