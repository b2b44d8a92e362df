// A verification worker that starts, then keeps everything it allocates for its first
// piece of work until its heap limit stops it: what a read worker does with a row far
// larger than any chain should hold.
import { serveBatches } from '../../src-main/core/verify/worker-gang.js';

serveBatches<{ type: 'work' }>(() => {
  // Arrays of doubles (8 MB each) on the JavaScript heap reach any limit in a second.
  const kept: number[][] = [];
  for (;;) kept.push(new Array<number>(1_000_000).fill(kept.length + 0.5));
});
