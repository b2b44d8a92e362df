import type { Page } from 'playwright-core';
import { AnomaliesPage } from '../pages/anomalies.js';
import { openScreen } from './navigate.js';

/** Opens Anomalies, selects the top-scored anomaly and records a review with a note. */
export async function reviewTopAnomaly(page: Page, decision: 'Confirmed' | 'False positive', note: string, reviewer: string): Promise<string> {
  await openScreen(page, 'Anomalies');
  const an = new AnomaliesPage(page);
  const first = an.items.first();
  await first.waitFor();
  const key = (await first.getAttribute('data-anomaly'))!;
  await first.click();
  await an.reviewForm.waitFor();
  await an.decision(decision).check();
  await an.note.fill(note);
  await an.reviewer.fill(reviewer);
  await an.submit.click();
  await an.latestReview.waitFor();
  return key;
}
