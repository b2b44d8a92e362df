// Damage to the local cache file is reported as damage to the cache (E_CACHE_CORRUPT,
// with --rebuild as the way out, exit 2), never as a chain break the tenant is blamed
// for. SQLite keeps no page checksums: a flipped byte inside a row passes its checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';

const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));

function verifyCache(path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'verify', '--cache', path, '--data-dir', scratchDir('auditdesk-damage-data-')], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

/** A cache holding one intact chain of `events` rows, checkpointed into the main file. */
function cachedChain(events = 3000): { path: string; hashes: string[] } {
  const path = join(scratchDir('auditdesk-damage-'), 'cache.sqlite');
  const f = new CacheFixture(path);
  const { events: rows } = fillDemoLike(f, 'acme', events);
  f.close();
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { path, hashes: rows.map((r) => r.hash!) };
}

function assertBlamesTheCache(r: { code: number; stdout: string; stderr: string }, path: string): void {
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const errors = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.includes('created the auditor key'));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, new RegExp(`^auditdesk: cache ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged`));
  assert.match(errors[0]!, /--rebuild/);
  assert.doesNotMatch(r.stdout + r.stderr, /\[(modified|malformed|deleted|inserted)\]|BROKEN/, 'no break is attributed to the tenant');
}

test('control: the intact cached chain verifies (exit 0)', async () => {
  const { path } = cachedChain(500);
  const r = await verifyCache(path);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('a byte flipped inside a cached row (the page still well-formed) is local damage: exit 2, E_CACHE_CORRUPT, no break blamed on the tenant', async () => {
  const { path, hashes } = cachedChain();
  const bytes = readFileSync(path);
  const at = bytes.indexOf(Buffer.from(hashes[1500]!, 'latin1'));
  assert.ok(at > 0, 'the stored hash is in the file');
  bytes[at + 10] = bytes[at + 10] === 0x30 ? 0x31 : 0x30;
  writeFileSync(path, bytes);
  assertBlamesTheCache(await verifyCache(path), path);
});

test('a scribbled page of the cached chain is local damage: exit 2 with one line naming --rebuild', async () => {
  const { path } = cachedChain();
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const rootpage = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'records'").pluck().get() as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.close();
  const bytes = readFileSync(path);
  // A page well inside the file (the records table fills most of it), past its root.
  const page = Math.max(rootpage + 1, Math.floor(pages / 2));
  bytes.fill(0xa5, (page - 1) * pageSize + 8, page * pageSize - 8);
  writeFileSync(path, bytes);
  assertBlamesTheCache(await verifyCache(path), path);
});

test('a break the tenant really made (stored as synced) is still reported as a break: exit 1', async () => {
  const path = join(scratchDir('auditdesk-damage-'), 'cache.sqlite');
  const f = new CacheFixture(path);
  const { events } = fillDemoLike(f, 'acme', 50);
  f.close();
  // Same rows in a second cache, one of them edited at the source (without rehash) before the sync.
  const path2 = join(scratchDir('auditdesk-damage-'), 'cache.sqlite');
  const g = new CacheFixture(path2);
  g.addEvents(
    'acme',
    events.map((e, i) => (i === 20 ? { ...e, user_id: 'someone-else' } : e)),
  );
  g.close();
  const r = await verifyCache(path2);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\[modified\] Row seq 21/);
});

test("a cached row whose extra columns are no longer the sync's JSON is local damage naming the row: exit 2, not an internal error", async () => {
  const { path } = cachedChain(500);
  const db = new Database(path);
  db.prepare(`UPDATE records SET extra = substr(extra, 1, length(extra) - 1) WHERE kind = 'event' AND seq = 250`).run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const r = await verifyCache(path);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^auditdesk: the local cache is damaged: row seq 250 holds extra columns that are not the JSON the sync wrote\..*--rebuild/m);
  assert.doesNotMatch(r.stdout + r.stderr, /\[(modified|malformed)\]|BROKEN|internal/i);
});

test('a cached JSON value edited into text that is not JSON is local damage naming the row: exit 2, not a parser message', async () => {
  const { path } = cachedChain(500);
  const db = new Database(path);
  db.prepare(`UPDATE records SET action_details = 'forged' WHERE kind = 'event' AND seq = 250`).run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const r = await verifyCache(path);
  assertBlamesTheCache(r, path);
  assert.match(r.stderr, /row seq 250 of /);
  assert.doesNotMatch(r.stderr, /not valid JSON|Unexpected token/);
});
