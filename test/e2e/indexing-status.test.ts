// Issue 17 goal 2, as the auditor sees it: a cache whose facet indexes are still to build
// (a sync left them for later, or a build was killed) opens with every row on the
// timeline and a plain "Indexing — filters may be slower" in the status line, which says
// why it waits; once the background build ends the note goes away by itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from './support/stack.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { enterBulkMode, indexesStillToBuild, restoreDeferredSchema } from '../../src-main/core/sync/deferred.js';
import { takeWriterLease, type WriterLease } from '../../src-main/core/sync/writer-lease.js';

describe('the status line while facet indexes are built in the background', () => {
  let fx: RecordsFixture;
  let stack: Stack;
  let lease: WriterLease;

  before(async () => {
    fx = createRecordsFixture({ events: 600, conversations: 400 });
    fx.close();
    // What a sync that leaves the facet indexes for later leaves behind.
    const db = openCache(fx.path);
    enterBulkMode(db);
    restoreDeferredSchema(db, undefined, 'for-reading');
    assert.ok(indexesStillToBuild(db).length >= 2);
    db.close();
    // A sync of the same cache from a terminal holds it: the app's build has to wait.
    lease = await takeWriterLease(fx.path);
    stack = await startStack({ cachePath: fx.path });
  });
  after(async () => {
    lease?.release();
    await stack?.stop();
  });

  test('every row is there, the status line says indexing and why it waits, and the note goes once the build is done', async () => {
    const { page } = stack;
    await page
      .getByTestId('result-count')
      .filter({ hasText: /1,000 rows/ })
      .waitFor();
    const note = page.getByTestId('cache-indexing');
    await note.filter({ hasText: 'waiting for another sync of this cache to finish' }).waitFor();
    assert.match((await note.textContent()) ?? '', /^Indexing — filters may be slower \(\d+ facet indexes still to build, waiting for another sync of this cache to finish\)$/);
    await stack.screenshot('indexing-status-waiting');

    lease.release();
    await note.waitFor({ state: 'detached', timeout: 20_000 });
    await page
      .getByTestId('result-count')
      .filter({ hasText: /1,000 rows/ })
      .waitFor();
    assert.deepEqual(stack.pageErrors, []);
  });
});
