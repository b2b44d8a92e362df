// The reviewer journal starts where the auditor's work does: opening an engagement in
// the app (creating one opens it) is journaled in that engagement's cache, each time.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AppContext } from '../../src-main/core/app/context.js';
import { clientFor } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';

const root = scratchDir('auditdesk-review-engagement-');
const ctx = new AppContext({ dataDir: join(root, 'data'), frontDoor: 'test', queryWorkers: 0, log: () => undefined });
after(() => ctx.close());
const api = () => clientFor(ctx);

test('opening an engagement is the journal entry engagement_opened in its own cache', async () => {
  const acme = await api()['engagements.create']({ name: 'Acme review 2026', dir: join(root, 'acme') });
  const first = await api()['journal.list']({});
  assert.deepEqual(
    first.map((e) => [e.action, e.summary]),
    [['engagement_opened', 'engagement opened: Acme review 2026']],
  );
  await api()['engagements.create']({ name: 'Globex', dir: join(root, 'globex') });
  assert.deepEqual(
    (await api()['journal.list']({})).map((e) => e.summary),
    ['engagement opened: Globex'],
    'the other engagement has its own journal',
  );
  await api()['engagements.open']({ dir: acme.dir });
  const again = await api()['journal.list']({});
  assert.deepEqual(
    again.map((e) => e.action),
    ['engagement_opened', 'engagement_opened'],
  );
  assert.equal((await api()['journal.verify']({})).verdict, 'intact');
});
