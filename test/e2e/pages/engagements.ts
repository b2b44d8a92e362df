// Locators for the engagement switcher and the header badge.
import type { Page } from 'playwright-core';

export class EngagementsPage {
  constructor(readonly page: Page) {}
  get badge() {
    return this.page.getByTestId('engagement-badge');
  }
  row(name: string) {
    return this.page.getByTestId('engagement-row').filter({ hasText: name });
  }
  openButton(name: string) {
    return this.row(name).getByRole('button', { name: 'Open', exact: true });
  }
  get form() {
    return this.page.getByRole('form', { name: 'New engagement' });
  }
  field(label: string) {
    return this.form.getByLabel(label, { exact: true });
  }
  get create() {
    return this.form.getByRole('button', { name: 'Create and open' });
  }
}
