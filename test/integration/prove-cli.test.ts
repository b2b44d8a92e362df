// `auditdesk prove` end to end: a cached chain's row proven in a tlog-proof file that
// Go's sumdb/tlog and sumdb/note accept with the printed vkey; a row that is not in
// the chain, or a tampered cached hash, gives no proof that verifies. Once a
// verification has recorded a signed-note checkpoint in the cache, proofs point at it.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { auditorVerifierKeyOf } from '../../src-main/core/verify/checkpoint-note.js';
import { engagementPaths } from '../../src-main/core/engagement/paths.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';

const run = promisify(execFile);
const GO_SOURCE = fileURLToPath(new URL('../../../test/interop/tlogcheck', import.meta.url));
const dir = scratchDir('auditdesk-prove-');
const tool = join(dir, 'tlogcheck');
const engagement = engagementPaths(join(dir, 'engagement'));
const cache = engagement.cache;
const env = { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data') };

const cli = (...args: string[]) => runAuditdesk(args, { env, cwd: dir });

async function goCheck(...args: string[]): Promise<number> {
  try {
    await run(tool, args);
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

describe('auditdesk prove', () => {
  before(async () => {
    mkdirSync(engagement.dir);
    const f = new CacheFixture(cache);
    fillDemoLike(f, 'acme', 120);
    f.close();
    await run('go', ['build', '-o', tool, '.'], { cwd: GO_SOURCE, env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(dir, 'gocache') } });
  });

  test('writes a proof for one row that an independent verifier accepts with the printed vkey', async () => {
    const r = await cli('prove', '--cache', cache, '--tenant', 'acme', '--seq', '57', '--out', 'row57.tlog-proof');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /is leaf 56 of 120 in a checkpoint of the cached chain signed now\./);
    const vkey = /verifier key: (\S+)/.exec(r.stdout)![1]!;
    const leaf = /leaf data \(the row's stored hash\): ([0-9a-f]{64})/.exec(r.stdout)![1]!;
    writeFileSync(join(dir, 'auditor.vkey'), vkey + '\n');
    assert.equal(await goCheck('proof', join(dir, 'auditor.vkey'), join(dir, 'row57.tlog-proof'), leaf), 0);
    // The same proof does not show another row's hash.
    assert.equal(await goCheck('proof', join(dir, 'auditor.vkey'), join(dir, 'row57.tlog-proof'), 'ab'.repeat(32)), 1);
  });

  test('a seq the chain does not hold is one line and exit 2', async () => {
    const r = await cli('prove', '--cache', cache, '--tenant', 'acme', '--seq', '999');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^auditdesk: tenant acme has no cached row at seq 999/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('an unknown tenant names the way out', async () => {
    const r = await cli('prove', '--cache', cache, '--tenant', 'acme-typo', '--seq', '1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds no chain for tenant acme-typo\. Sync that tenant first/);
  });
});

describe('auditdesk prove after a verification', () => {
  let recorded: { checkpoint_id: number; note: string; public_key: string };

  before(async () => {
    const v = await cli('verify', '--cache', cache, '--tenant', 'acme');
    assert.equal(v.code, 0, v.stderr + v.stdout);
    const db = openCache(cache, { readonly: true });
    try {
      recorded = db.prepare(`SELECT checkpoint_id, note, public_key FROM checkpoints WHERE origin = 'verify' ORDER BY checkpoint_id DESC LIMIT 1`).get() as typeof recorded;
    } finally {
      db.close();
    }
  });

  test('the verification recorded a signed-note checkpoint that Go sumdb/note opens with the auditor vkey', async () => {
    assert.ok(recorded?.note, 'verify --cache records the checkpoint as a signed note too');
    writeFileSync(join(dir, 'recorded.vkey'), auditorVerifierKeyOf(recorded.public_key) + '\n');
    writeFileSync(join(dir, 'recorded.note'), recorded.note);
    assert.equal(await goCheck('checkpoint', join(dir, 'recorded.vkey'), join(dir, 'recorded.note')), 0);
    assert.match(recorded.note, /^auditdesk\.local\/chain\/ffffffffffffffff\/acme\/[^\n]+\n120\n/);
  });

  test('a proof from the engagement folder points at that recorded checkpoint, verbatim, and Go accepts it', async () => {
    const r = await cli('prove', '--engagement', engagement.dir, '--tenant', 'acme', '--seq', '7', '--out', 'row7.tlog-proof');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`is leaf 6 of 120 in checkpoint #${recorded.checkpoint_id} \\(verify, `));
    const proof = readFileSync(join(dir, 'row7.tlog-proof'), 'utf8');
    assert.ok(proof.endsWith(`\n\n${recorded.note}`), 'the proof carries the recorded note byte for byte');
    const leaf = /leaf data \(the row's stored hash\): ([0-9a-f]{64})/.exec(r.stdout)![1]!;
    assert.equal(await goCheck('proof', join(dir, 'recorded.vkey'), join(dir, 'row7.tlog-proof'), leaf), 0);
  });

  test('a recorded note altered in the cache is passed over: the proof does not point at it', async () => {
    const db = openCache(cache);
    try {
      db.prepare('UPDATE checkpoints SET note = replace(note, ?, ?) WHERE checkpoint_id = ?').run('\n120\n', '\n119\n', recorded.checkpoint_id);
    } finally {
      db.close();
    }
    const r = await cli('prove', '--cache', cache, '--tenant', 'acme', '--seq', '7', '--out', 'row7-again.tlog-proof');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, new RegExp(`checkpoint #${recorded.checkpoint_id} `));
  });

  test('--cache and --engagement together is a usage error naming the way out', async () => {
    const r = await cli('prove', '--cache', cache, '--engagement', engagement.dir, '--tenant', 'acme', '--seq', '7');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cache and --engagement both name a cache\. Pass one of them\./);
  });
});
