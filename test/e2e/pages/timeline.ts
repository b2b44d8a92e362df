import type { Page } from 'playwright-core';

export class TimelinePage {
  constructor(readonly page: Page) {}
  get search() {
    return this.page.getByRole('searchbox', { name: 'Search prompts, responses and event details' });
  }
  get resultCount() {
    return this.page.getByTestId('result-count');
  }
  get grid() {
    return this.page.getByRole('grid', { name: 'Events and conversations' });
  }
  get rows() {
    return this.grid.locator('[data-rid]');
  }
  get activeFilters() {
    return this.page.getByRole('list', { name: 'Active filters' });
  }
  facet(name: string) {
    return this.page.locator(`details.facet[data-facet="${name}"]`);
  }
  facetValue(name: string, value: string) {
    return this.facet(name).locator(`label[data-value="${value}"] input[type=checkbox]`);
  }
  get drawer() {
    return this.page.getByRole('dialog', { name: 'Event details' });
  }
  get threadDrawer() {
    return this.page.getByRole('dialog', { name: 'Conversation thread' });
  }
  get histogram() {
    return this.page.getByRole('figure', { name: 'Events over time' });
  }
}
