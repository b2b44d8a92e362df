import type { Page } from 'playwright-core';

export class FindingsPage {
  constructor(readonly page: Page) {}
  tab(name: 'Anomalies' | 'Findings') {
    return this.page.getByRole('tablist', { name: 'Anomalies and findings' }).getByRole('tab', { name });
  }
  get panel() {
    return this.page.getByRole('tabpanel');
  }
  get tenant() {
    return this.panel.getByRole('combobox', { name: 'Tenant' });
  }
  get table() {
    return this.page.getByRole('table', { name: 'Findings' });
  }
  rows(kind: string) {
    return this.table.locator(`tr[data-finding-kind="${kind}"]`);
  }
  get summary() {
    return this.page.getByTestId('findings-summary');
  }
}
