// What `auditdesk review list` and `journal list` print comes from files others write: item
// titles from the source's rows, and decisions, notes and names from whoever worked in the
// engagement before (one handed over). A control character there reached the terminal raw,
// able to move the cursor over the lines above; the human output now escapes it as the
// verify report does (\u{XX}), and --json stays JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { appendJournal } from '../../src-main/core/journal/journal.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

test('a decision note, and a recorded anchor label, with terminal escapes are shown escaped by review list and journal list', { timeout: 120_000 }, async () => {
  const dir = scratchDir('auditdesk-review-escapes-');
  const cache = join(dir, 'cache.sqlite');
  const env = { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'escapes-password' };
  const cli = (args: string[]) => runAuditdesk(args, { env, cwd: dir });
  const f = new CacheFixture(cache);
  fillDemoLike(f, 'acme', 60, { conversations: 20 });
  // An anchor's label comes from the anchor file someone handed over.
  appendJournal(f.db, 'anchor_recorded', { label: 'their head\u001b[2A\u001b[2K\u202eall clear', table: 'audit_logs', tenant: 'acme', lastSeq: '10', headHash: 'f'.repeat(64) });
  f.close();
  assert.equal((await cli(['identity', 'create', '--name', 'Esc Ape', '--org', 'Audit', '--email', 'esc@audit.example', '--out', 'id.p12'])).code, 0);
  const queue = JSON.parse((await cli(['review', 'list', '--cache', cache, '--json'])).stdout) as { items: { itemId: string; evidenceHash: string }[] };
  const item = queue.items[0]!;
  const note = 'fine\u001b[2A\u001b[2K\u202eall clear';
  const decided = await cli([
    'review',
    'decide',
    '--cache',
    cache,
    '--item',
    item.itemId,
    '--evidence',
    item.evidenceHash,
    '--decision',
    'escalated',
    '--meaning',
    'Reviewed',
    '--note',
    note,
    '--identity',
    'id.p12',
  ]);
  assert.equal(decided.code, 0, decided.stderr);

  for (const [args, shown] of [
    [['review', 'list', '--cache', cache], /fine\\u\{1B\}\[2A\\u\{1B\}\[2K\\u\{202E\}all clear/],
    [['journal', 'list', '--cache', cache], /their head\\u\{1B\}\[2A\\u\{1B\}\[2K\\u\{202E\}all clear/],
  ] as const) {
    const r = await cli([...args]);
    assert.equal(r.code === 0 || r.code === 1, true, r.stderr);
    assert.doesNotMatch(r.stdout, RAW_CONTROL, `${args.slice(0, 2).join(' ')}: no control or bidi character reaches the terminal`);
    assert.match(r.stdout, shown, `${args.slice(0, 2).join(' ')}: the text is shown, escaped`);
  }
});
