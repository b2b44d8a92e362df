import type { Page } from 'playwright-core';

export class ControlsPage {
  constructor(readonly page: Page) {}
  get run() {
    return this.page.getByRole('button', { name: 'Run controls' });
  }
  get source() {
    return this.page.getByTestId('controls-source');
  }
  tenant(tenant: string) {
    return this.page.getByRole('table', { name: `Controls of ${tenant}` });
  }
  row(tenant: string, control: string) {
    return this.tenant(tenant).locator(`tr[data-control="${control}"]`);
  }
  evidenceToggle(tenant: string, control: string) {
    return this.row(tenant, control).getByText('Evidence and SQL');
  }
  evidence(tenant: string, control: string) {
    return this.row(tenant, control).getByLabel(`Evidence of ${control}`);
  }
  sql(tenant: string, control: string, n = 1) {
    return this.row(tenant, control).getByLabel(`SQL ${n} of ${control}`);
  }
}
