// Fixed-height rows make virtual scrolling pure arithmetic. Chromium clamps element
// heights somewhere between ~15M and ~33M px, so a million 32 px rows (32M px) cannot
// be one tall element: above MAX_SCROLL_PX the scrollbar range is compressed and mapped
// linearly onto the full virtual height.
export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollWindow {
  /** height of the scrolling spacer element */
  spacerHeight: number;
  /** first row index to draw */
  first: number;
  /** last row index to draw (inclusive); -1 when there are no rows */
  last: number;
  /** top (px, inside the spacer) where row `first` is drawn */
  firstTop: number;
}

function virtualRange(count: number, rowHeight: number, viewport: number) {
  const total = count * rowHeight;
  const spacerHeight = Math.min(total, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, spacerHeight - viewport);
  const maxVirtual = Math.max(0, total - viewport);
  return { total, spacerHeight, maxScroll, maxVirtual };
}

export function windowAt(scrollTop: number, count: number, rowHeight: number, viewport: number, overscan = 4): ScrollWindow {
  const { spacerHeight, maxScroll, maxVirtual } = virtualRange(count, rowHeight, viewport);
  if (count === 0) return { spacerHeight: 0, first: 0, last: -1, firstTop: 0 };
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  const virtual = maxScroll === 0 ? 0 : spacerHeight === count * rowHeight ? top : (top / maxScroll) * maxVirtual;
  // The epsilon absorbs float error of the scaled mapping (row 1 must not come out as 0.9999).
  const firstVisible = Math.min(count - 1, Math.floor(virtual / rowHeight + 1e-6));
  const shift = virtual - firstVisible * rowHeight;
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(count - 1, firstVisible + Math.ceil(viewport / rowHeight) + overscan);
  return { spacerHeight, first, last, firstTop: top - shift - (firstVisible - first) * rowHeight };
}

/** The scrollTop that shows row `index` at the top of the viewport. */
export function scrollTopFor(index: number, count: number, rowHeight: number, viewport: number): number {
  const { spacerHeight, maxScroll, maxVirtual } = virtualRange(count, rowHeight, viewport);
  const virtual = Math.min(index * rowHeight, maxVirtual);
  if (spacerHeight === count * rowHeight) return virtual;
  // Browsers keep scrollTop in whole pixels; rounding up lands inside the row (one
  // scroll pixel is less than a row when scaled), rounding down could show the row above.
  return maxVirtual === 0 ? 0 : Math.min(maxScroll, Math.ceil((virtual / maxVirtual) * maxScroll));
}
