import type { Page } from 'playwright-core';
import { ConnectionsPage } from '../pages/connections.js';

/** Fills the mapping editor of the open profile form: table names by label, then column renames in order. */
export async function fillMapping(page: Page, tables: Record<string, string>, renames: { kind: string; column: string; field: string }[]): Promise<void> {
  const conn = new ConnectionsPage(page);
  for (const [label, name] of Object.entries(tables)) await conn.formField(label).fill(name);
  for (const [i, r] of renames.entries()) {
    await conn.addRename.click();
    await conn.renameTable(i + 1).selectOption(r.kind);
    await conn.renameColumn(i + 1).fill(r.column);
    await conn.renameField(i + 1).selectOption(r.field);
  }
}

/** Test inside the form; resolves with the result's text. */
export async function testInForm(page: Page): Promise<string> {
  const conn = new ConnectionsPage(page);
  await conn.formTest.click();
  await conn.formTestResult.waitFor({ timeout: 30_000 });
  return conn.formTestResult.innerText();
}
