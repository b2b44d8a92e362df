// The timeline asks for what puts rows on screen (first page, count) before the side
// panels (histogram, facets), and never computes side panels for a filter the user has
// already replaced: the request order and inputs seen by the browser prove it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'playwright-core';
import { startStack, type Stack } from './support/stack.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';

interface Seen {
  method: string;
  filter: unknown;
  sentAt: number;
  doneAt: number | null;
}

describe('timeline request order', () => {
  let fx: RecordsFixture;
  let stack: Stack;
  const seen: Seen[] = [];
  const byRequest = new Map<Request, Seen>();

  before(async () => {
    fx = createRecordsFixture({ events: 600, conversations: 400 });
    fx.close();
    stack = await startStack({ cachePath: fx.path, open: false });
    let tick = 0;
    stack.page.on('request', (r) => {
      const m = /\/api\/([^?]+)$/.exec(r.url());
      if (!m) return;
      const entry: Seen = { method: decodeURIComponent(m[1]!), filter: (r.postDataJSON() as { filter?: unknown } | null)?.filter, sentAt: tick++, doneAt: null };
      seen.push(entry);
      byRequest.set(r, entry);
    });
    stack.page.on('requestfinished', (r) => {
      const e = byRequest.get(r);
      if (e) e.doneAt = tick++;
    });
    await stack.page.goto(stack.bridge.url);
    await stack.page
      .getByTestId('result-count')
      .filter({ hasText: /1,000 rows/ })
      .waitFor();
    await stack.page.locator('details.facet[data-facet="tenant"] label[data-value]').first().waitFor();
  });
  after(async () => stack?.stop());

  const facetsFor = (filter: unknown) => seen.filter((s) => s.method === 'records.facets' && JSON.stringify(s.filter) === JSON.stringify(filter));

  test('a filter change gets its page and count before histogram and facets are asked for', async () => {
    seen.length = 0;
    const tenant = stack.page.locator('details.facet[data-facet="tenant"] label[data-value]').first();
    const value = (await tenant.getAttribute('data-value'))!;
    await tenant.locator('input').click();
    const filter = { tenant: [value] };
    await waitUntil(() => facetsFor(filter).some((s) => s.doneAt !== null));
    const rowsDone = seen.filter((s) => (s.method === 'records.query' || s.method === 'records.count') && JSON.stringify(s.filter) === JSON.stringify(filter));
    assert.ok(rowsDone.length >= 2, JSON.stringify(seen));
    const panels = seen.filter((s) => (s.method === 'records.facets' || s.method === 'records.histogram') && JSON.stringify(s.filter) === JSON.stringify(filter));
    assert.equal(panels.length, 2);
    for (const p of panels) for (const r of rowsDone) assert.ok(r.doneAt !== null && r.doneAt < p.sentAt, `${p.method} was asked for before ${r.method} was back`);
    await stack.screenshot('timeline-rows-first');
  });

  test('a filter replaced at once never has its side panels computed', async () => {
    await stack.page.goto(`${stack.bridge.origin}/#/timeline`);
    await stack.page
      .getByTestId('result-count')
      .filter({ hasText: /1,000 rows/ })
      .waitFor();
    await stack.page.locator('details.facet[data-facet="severity"] label[data-value]').nth(1).waitFor();
    seen.length = 0;
    const [first, second] = await stack.page.locator('details.facet[data-facet="severity"] label[data-value]').evaluateAll((labels) => {
      const values = labels.slice(0, 2).map((l) => l.getAttribute('data-value'));
      // two ticks in one task: the first filter is superseded before any answer arrives
      for (const l of labels.slice(0, 2)) l.querySelector('input')!.click();
      return values;
    });
    const last = { severity: [first!, second!] };
    await waitUntil(() => facetsFor(last).some((s) => s.doneAt !== null));
    assert.deepEqual(facetsFor({ severity: [first!] }), []);
    assert.deepEqual(
      seen.filter((s) => s.method === 'records.histogram' && JSON.stringify(s.filter) === JSON.stringify({ severity: [first!] })),
      [],
    );
  });
});

async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(ok(), 'the expected requests did not happen');
}
