// A process that builds a cache's pending facet indexes the way the app's background job
// does, and says "building" just before the build's transaction, so a test can kill it
// mid-build (kill -9) at a known point.
import { buildPendingIndexes } from '../../src-main/core/app/index-job.js';

await buildPendingIndexes(
  { cachePath: process.argv[2]! },
  {
    progress: (p) => {
      if (p.phase === 'indexing' && p.done === 0) process.stdout.write('building\n');
    },
    signal: new AbortController().signal,
  },
);
process.stdout.write('built\n');
