// The timeline list scales its scroll range above MAX_SCROLL_PX (Chromium clamps tall
// elements), so a million rows stay reachable: the arithmetic behind the list, checked
// without a browser (the browser journey checks the rendering).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SCROLL_PX, scrollTopFor, windowAt } from '../../src-renderer/timeline/scroll-scale.js';

const ROW = 32;
const VIEW = 600;

test('a million rows fit under the browser height limit and both ends are reachable', () => {
  const count = 1_000_000;
  const top = windowAt(0, count, ROW, VIEW, 0);
  assert.equal(top.spacerHeight, MAX_SCROLL_PX);
  assert.equal(top.first, 0);
  const bottom = windowAt(MAX_SCROLL_PX - VIEW, count, ROW, VIEW, 0);
  assert.equal(bottom.last, count - 1);
  // the last row ends exactly at the bottom of the spacer
  assert.equal(bottom.firstTop + (bottom.last - bottom.first + 1) * ROW, MAX_SCROLL_PX);
});

test('scrolling to any row shows that row at the top', () => {
  // (rows past count - rowsInView cannot reach the top: the list ends there)
  for (const count of [5_000, 312_500, 1_000_000, 3_000_000]) {
    for (const index of [0, 1, 2, 777, Math.floor(count / 3), count - Math.ceil(VIEW / ROW) - 1]) {
      const st = scrollTopFor(index, count, ROW, VIEW);
      const w = windowAt(st, count, ROW, VIEW, 0);
      assert.equal(w.first, index, `count ${count} index ${index}`);
      // the row is drawn within one row height of the viewport top
      assert.ok(Math.abs(w.firstTop - st) < ROW);
    }
  }
});

test('small lists are not scaled', () => {
  const w = windowAt(320, 100, ROW, VIEW, 0);
  assert.equal(w.spacerHeight, 3200);
  assert.equal(w.first, 10);
  assert.equal(w.firstTop, 320);
});

test('an empty list draws nothing', () => {
  const w = windowAt(0, 0, ROW, VIEW);
  assert.equal(w.last, -1);
  assert.equal(w.spacerHeight, 0);
});
