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
  editButton(id: string) {
    return this.card(id).getByRole('button', { name: 'Edit', exact: true });
  }
  mappingSummary(id: string) {
    return this.card(id).getByTestId('connection-mapping');
  }
  get form() {
    return this.page.getByRole('form', { name: /^(Edit|Add) connection$/ });
  }
  formField(label: string) {
    return this.form.getByRole('textbox', { name: label, exact: true });
  }
  get formTest() {
    return this.form.getByRole('button', { name: 'Test', exact: true });
  }
  get formSave() {
    return this.form.getByRole('button', { name: 'Save', exact: true });
  }
  get formCancel() {
    return this.form.getByRole('button', { name: 'Cancel', exact: true });
  }
  get formTestResult() {
    return this.form.getByTestId('connection-test-result');
  }
  get addRename() {
    return this.form.getByRole('button', { name: 'Add column rename' });
  }
  renameTable(n: number) {
    return this.form.getByRole('combobox', { name: `Table of column rename ${n}` });
  }
  renameColumn(n: number) {
    return this.form.getByRole('textbox', { name: `Source column of column rename ${n}` });
  }
  renameField(n: number) {
    return this.form.getByRole('combobox', { name: `AuditDesk field of column rename ${n}` });
  }
}
