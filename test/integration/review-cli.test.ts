// `auditdesk review` and `auditdesk journal` end to end, as an auditor runs them on an
// engagement folder over the demo's tampered tenant (real PostgreSQL): sync, verify
// and a stored controls run fill the queue; a wrong password signs nothing; decisions
// and the completion are signed; the journal re-verifies, and an entry altered in the
// cache file is named by `journal verify`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { engagementPaths } from '../../src-main/core/engagement/paths.js';
import type { ExceptionQueue } from '../../src-main/core/contract/review.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
const P12_PASSWORD = 'engagement-pw-2026';
let demo: DemoDb;
let root: string;
let engagement: string;
let p12: string;

function cli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const url = new URL(demo.url);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const argv = args.map((a) => (a === '$SOURCE' ? url.toString() : a));
  return spawnSync(process.execPath, [CLI, ...argv], {
    encoding: 'utf8',
    timeout: 180_000,
    input: opts.input,
    env: { ...process.env, PGPASSWORD: password, AUDITDESK_DATA_DIR: join(root, 'data'), AUDITDESK_P12_PASSWORD: '', ...opts.env },
  });
}

const queue = (...extra: string[]) => JSON.parse(cli(['review', 'list', '--engagement', engagement, '--json', ...extra]).stdout) as ExceptionQueue;

before(async () => {
  demo = await startDemoDb();
  root = scratchDir('auditdesk-review-cli-');
  engagement = join(root, 'engagement');
  mkdirSync(engagement);
  const tenant = demo.groundTruth.tamperedTenant;
  const cache = engagementPaths(engagement).cache;
  const sync = cli(['sync', '--source', '$SOURCE', '--tenant', tenant, '--cache', cache]);
  assert.ok(sync.status === 0 || sync.status === 1, sync.stderr);
  assert.equal(cli(['verify', '--cache', cache, '--tenant', tenant, '--full']).status, 1, 'the tampered tenant is broken');
  const controls = cli(['controls', '--source', '$SOURCE', '--tenant', tenant, '--engagement', engagement, '--json']);
  assert.ok(controls.status !== null && controls.status <= 2, controls.stderr);
  assert.match(controls.stderr, /controls run #1 stored/);
  p12 = join(root, 'ada.p12');
  const made = cli(['identity', 'create', '--name', 'Ada CLI', '--org', 'Audit', '--email', 'ada@example.org', '--out', p12], { env: { AUDITDESK_P12_PASSWORD: P12_PASSWORD } });
  assert.equal(made.status, 0, made.stderr);
});

after(async () => {
  await demo?.stop();
});

test('review list shows the planted breaks and the stored controls failures, and exits 1 while items are open', () => {
  const res = cli(['review', 'list', '--engagement', engagement]);
  assert.equal(res.status, 1, res.stderr);
  assert.match(res.stdout, /^\d+ exceptions: 0 decided, \d+ open/);
  assert.match(res.stdout, /OPEN {5}chain_break:[0-9a-f]{16} {2}Chain break \(modified\)/);
  assert.match(res.stdout, /review not completed/);
  const q = queue();
  assert.equal(q.coverage.byKind.chain_break.total, 2);
  assert.ok(
    q.items.some((i) => i.kind === 'control_failure'),
    'a failed control of the stored run is an exception',
  );
  assert.equal(cli(['review', 'list', '--cache', engagementPaths(engagement).cache, '--kind', 'chain_break', '--json']).status, 1, '--cache works too');
  const bad = cli(['review', 'list', '--engagement', join(root, 'nowhere')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^auditdesk: cache .* does not exist\. /);
  const wrongKind = cli(['review', 'list', '--engagement', engagement, '--kind', 'breaks']);
  assert.equal(wrongKind.status, 2);
  assert.match(wrongKind.stderr, /--kind "breaks" is not one of: chain_break/);
});

test('decide: a wrong password records nothing; the right one signs with the certificate name and meaning', () => {
  const item = queue('--kind', 'chain_break').items[0]!;
  const args = [
    'review',
    'decide',
    '--engagement',
    engagement,
    '--item',
    item.itemId,
    '--decision',
    'confirmed',
    '--meaning',
    'Confirmed as exception',
    '--note',
    'edited after writing',
    '--reference',
    'CAPA-7',
    '--identity',
    p12,
  ];
  const wrong = cli(args, { env: { AUDITDESK_P12_PASSWORD: 'not-the-password' } });
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /wrong password for identity/);
  const journalBefore = cli(['journal', 'list', '--engagement', engagement]).stdout;
  assert.equal(queue().coverage.decided, 0, 'nothing recorded');
  const ok = cli([...args, '--password-stdin'], { input: `${P12_PASSWORD}\n` });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^decision #1 on chain_break:[0-9a-f]{16}: confirmed, “Confirmed as exception”, signed by Ada CLI at \S+Z \(UTC\)/);
  assert.notEqual(cli(['journal', 'list', '--engagement', engagement]).stdout, journalBefore);
  const stale = cli([...args, '--evidence', '0'.repeat(64)], { env: { AUDITDESK_P12_PASSWORD: P12_PASSWORD } });
  assert.equal(stale.status, 2);
  assert.match(stale.stderr, /changed since it was shown/);
  const badMeaning = cli([...args.slice(0, 9), 'Looks fine', ...args.slice(10)], { env: { AUDITDESK_P12_PASSWORD: P12_PASSWORD } });
  assert.equal(badMeaning.status, 2);
  assert.match(badMeaning.stderr, /--meaning "Looks fine" is not one of/);
  const listed = cli(['review', 'list', '--engagement', engagement, '--kind', 'chain_break']).stdout;
  assert.match(listed, /confirmed: “Confirmed as exception” signed by Ada CLI at \S+Z \(UTC\): edited after writing \[CAPA-7\]/);
});

test('complete is refused with open items, then signed listing them', () => {
  const refused = cli(['review', 'complete', '--engagement', engagement, '--note', 'done', '--identity', p12], { env: { AUDITDESK_P12_PASSWORD: P12_PASSWORD } });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /exceptions are still open/);
  const open = queue().coverage.open;
  const done = cli(['review', 'complete', '--engagement', engagement, '--note', 'breaks reviewed', '--accept-open-items', '--identity', p12], { env: { AUDITDESK_P12_PASSWORD: P12_PASSWORD } });
  assert.equal(done.status, 0, done.stderr);
  assert.equal((done.stdout.match(/^open at completion: /gm) ?? []).length, open);
  assert.match(cli(['review', 'list', '--engagement', engagement]).stdout, /review completed by Ada CLI at \S+Z \(UTC\) with \d+ open items/);
});

test('journal verify: intact with every action and signature, and an altered entry is named', () => {
  const res = cli(['journal', 'verify', '--engagement', engagement]);
  assert.equal(res.status, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /^journal: INTACT, 5 entries, 2 signatures checked, head [0-9a-f]{64}/);
  const actions = cli(['journal', 'list', '--engagement', engagement, '--json'])
    .stdout.trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { action: string }).action);
  // A sync ends with its own verification of the synced chains (issue 17), then the explicit verify.
  assert.deepEqual(actions, ['sync', 'verification', 'verification', 'decision', 'review_completed']);

  // Someone with the file edits a decision's note behind the triggers' back.
  const copy = join(root, 'tampered.sqlite');
  copyFileSync(engagementPaths(engagement).cache, copy);
  const db = new Database(copy);
  db.exec('DROP TRIGGER review_journal_no_update');
  db.prepare(`UPDATE review_journal SET details = json_set(details, '$.note', 'nothing to see') WHERE action = 'decision'`).run();
  db.close();
  const broken = cli(['journal', 'verify', '--cache', copy]);
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /^journal: BROKEN/);
  assert.match(broken.stdout, /entry 4: its content does not give its hash/);
  assert.match(broken.stdout, /entry 4: decision on chain_break:[0-9a-f]{16}: its note differs from the signed note/);
});
