// Locators for the frame every screen shares: navigation, status line, banner, toggles.
import type { Page } from 'playwright-core';

export type ScreenName = 'Timeline' | 'Anomalies' | 'Integrity' | 'Controls' | 'Review' | 'Export' | 'Connections' | 'Engagements';

export class AppFrame {
  constructor(readonly page: Page) {}
  nav(screen: ScreenName) {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen, exact: true });
  }
  get statusLine() {
    return this.page.getByRole('status', { name: 'Status' });
  }
  get sourceState() {
    return this.page.getByTestId('source-state');
  }
  get sourceTenants() {
    return this.page.getByTestId('source-tenants');
  }
  get cacheTenants() {
    return this.page.getByTestId('cache-tenants');
  }
  get lostBanner() {
    return this.page.getByTestId('source-lost-banner');
  }
  get themeToggle() {
    return this.page.getByRole('button', { name: /Switch to (dark|light) theme/ });
  }
  get timeZone() {
    return this.page.getByRole('combobox', { name: 'Time zone' });
  }
  main(screen: ScreenName) {
    return this.page.getByRole('main', { name: screen });
  }
}
