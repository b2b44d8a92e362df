// Issue 21: an EMPTY chain is a finding in the exceptions queue too. A verification
// of a tenant id the cache does not hold (a typo) records an EMPTY verdict; `review
// list` then shows one chain_empty item for that tenant, open, with the sentence that
// says why a chain can show no rows, and exits 1 (an exception is open).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';

test("a typo'd tenant verified offline becomes an open chain_empty item of the queue", async () => {
  const dir = scratchDir('auditdesk-review-empty-');
  const cache = join(dir, 'cache.sqlite');
  const f = new CacheFixture(cache);
  fillDemoLike(f, 'acme', 50);
  f.close();
  const env = { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data') };

  const verified = await runAuditdesk(['verify', '--cache', cache, '--tenant', 'acmee'], { env });
  assert.equal(verified.code, 1, verified.stderr);
  assert.match(verified.stdout, /EMPTY/);

  const listed = await runAuditdesk(['review', 'list', '--cache', cache, '--kind', 'chain_empty', '--json'], { env });
  assert.equal(listed.code, 1, listed.stderr);
  const queue = JSON.parse(listed.stdout) as { items: { kind: string; tenant: string; status: string; title: string; evidence: { label: string; value: string }[] }[] };
  assert.deepEqual(
    queue.items.map((i) => [i.kind, i.tenant, i.status]),
    [['chain_empty', 'acmee', 'open']],
  );
  assert.match(queue.items[0]!.title, /tenant acmee showed no rows/);
  const explanation = queue.items[0]!.evidence.find((e) => e.label === 'Explanation')!.value;
  assert.match(
    explanation,
    /no rows are visible for tenant acmee: the id may be wrong, row-level security may hide them from this role, or the chain was removed\. 1 other tenant\(s\) are held in this cache: check the id\.$/,
  );
});
