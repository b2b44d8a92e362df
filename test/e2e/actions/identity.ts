import type { Page } from 'playwright-core';

/** Export screen → "Create a new identity": fills the form as a user would and waits until it closes. */
export async function createIdentityOnExport(page: Page, who: { name: string; org: string; email: string }, password = 'correct horse battery staple'): Promise<void> {
  await page.getByRole('button', { name: 'Create a new identity' }).click();
  const form = page.getByRole('form', { name: 'Create identity' });
  await form.getByLabel('Name').fill(who.name);
  await form.getByLabel('Organisation').fill(who.org);
  await form.getByLabel('Email').fill(who.email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Create' }).click();
  await form.waitFor({ state: 'detached' });
}
