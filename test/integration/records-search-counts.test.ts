// Issue 16: counts never contradict each other silently. A full-text search shows
// "N rows" (records.count) above a tenant facet (records.facets); the two must agree,
// and agree with the rows the search index really matches, or say why not (sampled).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { clientFor } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';
import type { AppContext } from '../../src-main/core/app/context.js';

let demo: DemoDb;
let ctx: AppContext;

before(async () => {
  demo = await startDemoDb();
  ctx = await appOnDemo(demo, scratchDir('auditdesk-search-counts-'), { synced: true });
});

after(async () => {
  ctx?.close();
  await demo?.stop();
});

/**
 * The rows the FTS index matches for one word, counted in SQL beside the app's own
 * queries; as a prefix, as the search box matches its last word (results follow typing).
 */
function sqlCount(word: string, kind?: 'event' | 'conversation'): number {
  const row = ctx
    .cache()
    .prepare(`SELECT count(*) AS n FROM records r WHERE r.rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?) ${kind ? 'AND r.kind = ?' : ''}`)
    .get(...(kind ? [`"${word}"*`, kind] : [`"${word}"*`])) as { n: number };
  return row.n;
}

// The last word matches more rows than the facets count exactly (FACET_SAMPLE_ROWS).
for (const [word, kind, sampled] of [
  ['login', 'all', false],
  ['export', 'all', false],
  ['export', 'event', false],
  ['a', 'all', true],
] as const) {
  test(`searching "${word}" (${kind}): the "N rows" count, the tenant facet's total and a SQL count of the matches agree`, async () => {
    const filter = { text: word, kind };
    const count = await clientFor(ctx)['records.count']({ filter });
    const facets = await clientFor(ctx)['records.facets']({ filter, facets: ['tenant'] });
    const tenant = facets.facets.tenant!;
    const expected = sqlCount(word, kind === 'all' ? undefined : kind);
    assert.ok(expected > 0, `the demo has rows matching "${word}"`);
    assert.equal(count.total, expected, '"N rows" is the number of rows the search matches');
    assert.equal(count.events + count.conversations, count.total);
    assert.equal(Boolean(tenant.sampled), sampled, 'the facet says whether it was sampled');
    if (tenant.sampled) {
      // Allowed only when the facet says so: the UI marks such counts "≈" with how they were made.
      assert.equal(tenant.sampled.of, count.total, 'a sampled facet names the same total');
    } else {
      assert.equal(tenant.truncated, false);
      assert.equal(
        tenant.values.reduce((n, v) => n + v.count, 0),
        count.total,
        `tenant facet: ${tenant.values.map((v) => `${v.value} ${v.count}`).join(', ')}`,
      );
    }
  });
}
