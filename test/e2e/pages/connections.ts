import type { Page } from 'playwright-core';

export class ConnectionsPage {
  constructor(readonly page: Page) {}
  card(id: string) {
    return this.page.locator(`li.card[data-connection="${id}"]`);
  }
  testButton(id: string) {
    return this.card(id).getByRole('button', { name: 'Test', exact: true });
  }
  syncButton(id: string) {
    return this.card(id).getByRole('button', { name: 'Sync now' });
  }
  testResult(id: string) {
    return this.card(id).getByTestId('connection-test-result');
  }
  get syncJob() {
    return this.page.getByTestId('job-sync');
  }
  get syncDone() {
    return this.page.getByTestId('sync-done');
  }
}
