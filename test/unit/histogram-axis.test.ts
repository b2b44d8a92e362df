// Issue 16: the histogram's y-axis ticks are evenly spaced whole numbers (they read
// 0, 35, 70, 140 before), and the top tick is at or above the tallest bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evenTicks } from '../../src-renderer/timeline/axis-ticks.js';

test('ticks are evenly spaced, whole, start at 0 and reach the tallest bar', () => {
  for (const max of [1, 3, 7, 10, 99, 140, 141, 1_234, 98_765]) {
    const ticks = evenTicks(max);
    assert.equal(ticks[0], 0);
    assert.ok(ticks[ticks.length - 1]! >= max, `${max}: ${ticks}`);
    assert.ok(ticks.length <= 6, `${max}: ${ticks}`);
    const step = ticks[1]! - ticks[0]!;
    assert.ok(Number.isInteger(step) && step > 0);
    ticks.forEach((t, i) => assert.equal(t, i * step, `${max}: ${ticks}`));
  }
  assert.deepEqual(evenTicks(140), [0, 50, 100, 150]);
  assert.deepEqual(evenTicks(0), [0, 1]);
});
