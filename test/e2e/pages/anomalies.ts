import type { Page } from 'playwright-core';

export class AnomaliesPage {
  constructor(readonly page: Page) {}
  get threshold() {
    return this.page.getByRole('slider', { name: 'Score threshold' });
  }
  get list() {
    return this.page.getByRole('listbox', { name: 'Anomalies by score' });
  }
  get items() {
    return this.list.getByRole('option');
  }
  get reviewForm() {
    return this.page.getByRole('form', { name: 'Review this anomaly' });
  }
  decision(label: 'Confirmed' | 'False positive') {
    return this.reviewForm.getByRole('radio', { name: label });
  }
  get note() {
    return this.reviewForm.getByRole('textbox', { name: 'Note (required)' });
  }
  get reviewer() {
    return this.reviewForm.getByRole('textbox', { name: 'Reviewer' });
  }
  get submit() {
    return this.reviewForm.getByRole('button', { name: 'Record review' });
  }
  get latestReview() {
    return this.page.getByTestId('latest-review');
  }
}
