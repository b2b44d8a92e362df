import type { Page } from 'playwright-core';

export class IntegrityPage {
  constructor(readonly page: Page) {}
  get chains() {
    return this.page.getByRole('table', { name: 'Chains and tables' });
  }
  chainRow(tenant: string) {
    return this.chains.locator(`tr[data-kind=chain][data-chain^="${tenant}/"]`);
  }
  saveHead(tenant: string) {
    return this.chainRow(tenant).getByRole('button', { name: /^Save the head of / });
  }
  get anchorPanel() {
    return this.page.getByRole('region', { name: 'External anchor' });
  }
  get anchorText() {
    return this.anchorPanel.getByRole('textbox', { name: 'Anchor JSON' });
  }
  get anchorFile() {
    return this.anchorPanel.getByLabel('Open anchor file…');
  }
  get checkAnchor() {
    return this.anchorPanel.getByRole('button', { name: 'Check anchor' });
  }
  get recordAnchor() {
    return this.anchorPanel.getByRole('button', { name: 'Record in checkpoint history' });
  }
  get anchorResult() {
    return this.anchorPanel.getByRole('table', { name: 'Anchor check' });
  }
  anchorRow(outcome: string) {
    return this.anchorResult.locator(`tr[data-outcome="${outcome}"]`);
  }
  get anchorError() {
    return this.anchorPanel.getByRole('alert');
  }
  get history() {
    return this.page.getByRole('table', { name: 'Checkpoint history' });
  }
}
