import type { Page } from 'playwright-core';
import { EngagementsPage } from '../pages/engagements.js';
import { openScreen } from './navigate.js';

/** Engagements → fill the new-engagement form → Create and open; waits for the app to reopen on it. */
export async function createEngagement(page: Page, name: string, client: string): Promise<void> {
  await openScreen(page, 'Engagements');
  const e = new EngagementsPage(page);
  await e.field('Name').fill(name);
  await e.field('Client').fill(client);
  await e.create.click();
  await e.badge.filter({ hasText: name }).waitFor({ timeout: 30_000 });
}

/** Engagements → Open on that row; waits for the app to reopen on it. */
export async function switchEngagement(page: Page, name: string): Promise<void> {
  await openScreen(page, 'Engagements');
  const e = new EngagementsPage(page);
  await e.openButton(name).click();
  await e.badge.filter({ hasText: name }).waitFor({ timeout: 30_000 });
}
