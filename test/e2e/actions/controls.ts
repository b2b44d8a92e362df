import type { Page } from 'playwright-core';
import { ControlsPage } from '../pages/controls.js';
import { openScreen } from './navigate.js';

/** Opens Controls, runs every control on the active connection and waits for the per-tenant tables. */
export async function runControls(page: Page, tenants: string[]): Promise<ControlsPage> {
  await openScreen(page, 'Controls');
  const controls = new ControlsPage(page);
  await controls.run.click();
  for (const t of tenants) await controls.tenant(t).waitFor({ timeout: 120_000 });
  return controls;
}
