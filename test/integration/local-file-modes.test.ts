// What AuditDesk writes on this machine is for this user only: the cache and its
// -wal/-shm side files are 0600, the data folder 0700 (a looser existing one is
// tightened, with a notice), an export's work folder 0700 with 0600 files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCache } from '../../src-main/core/cache/open.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { createIdentity, loadIdentity } from '../../src-main/core/identity/index.js';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));
const modeOf = (p: string) => statSync(p).mode & 0o777;
const octal = (m: number) => m.toString(8).padStart(4, '0');

test('a new cache and its -wal/-shm side files are readable by the owner only', () => {
  const dir = scratchDir('auditdesk-modes-');
  chmodSync(dir, 0o755); // as a user's own folder typically is
  const path = join(dir, 'visit.sqlite');
  const db = openCache(path);
  db.prepare("INSERT INTO saved_filters VALUES ('a', '{}', '2026-01-01T00:00:00Z')").run();
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    assert.ok(existsSync(p), p);
    assert.equal(octal(modeOf(p)), '0600', p);
  }
  db.close();
});

test('an existing data folder open to others is tightened to 0700, with a notice', () => {
  const dataDir = join(scratchDir('auditdesk-modes-'), 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  const logged: string[] = [];
  const ctx = new AppContext({ dataDir, frontDoor: 'test', queryWorkers: 0, log: (level, m) => logged.push(`${level}: ${m}`) });
  ctx.close();
  assert.equal(octal(modeOf(dataDir)), '0700');
  assert.deepEqual(logged, [`warn: the data folder ${dataDir} was open to other users (mode 0755); it is now 0700 (owner only).`]);
  const again: string[] = [];
  new AppContext({ dataDir, frontDoor: 'test', queryWorkers: 0, log: (_l, m) => again.push(m) }).close();
  assert.deepEqual(again, [], 'no notice once it is private');
});

test('a new data folder is created 0700 (CLI), and a loose one is tightened with a note on stderr', async () => {
  const parent = scratchDir('auditdesk-modes-');
  const cache = join(parent, 'c.sqlite');
  openCache(cache).close();
  const verifyWith = (dataDir: string) => new Promise<string>((resolve) => execFile(process.execPath, [cli, 'verify', '--cache', cache, '--data-dir', dataDir], (_e, _o, stderr) => resolve(stderr)));
  const fresh = join(parent, 'fresh');
  assert.doesNotMatch(await verifyWith(fresh), /was open to other users/);
  assert.equal(octal(modeOf(fresh)), '0700');
  const loose = join(parent, 'loose');
  mkdirSync(loose);
  chmodSync(loose, 0o775);
  const stderr = await verifyWith(loose);
  assert.match(
    stderr,
    new RegExp(`^auditdesk: note: the data folder ${loose.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} was open to other users \\(mode 0775\\); it is now 0700 \\(owner only\\)\\.$`, 'm'),
  );
  assert.equal(octal(modeOf(loose)), '0700');
});

test("an export's work folder is 0700 and every file in it 0600 while the package is built", async () => {
  const dir = scratchDir('auditdesk-modes-');
  chmodSync(dir, 0o755);
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 200, { conversations: 20 });
  createIdentity({ name: 'Mode Tester', org: 'QA', email: 'qa@audit.example', password: 'mode-password', out: join(dir, 'id.p12') });
  const identity = loadIdentity(join(dir, 'id.p12'), 'mode-password');
  const out = join(dir, 'out', 'pkg.zip');
  mkdirSync(dirname(out));
  // The work folder lives in the temp folder or beside --out: whichever appears during the export.
  const places = [tmpdir(), dirname(out)];
  const before = new Set(places.flatMap((p) => readdirSync(p).map((n) => join(p, n))));
  const seen: { path: string; mode: number }[] = [];
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['acme'] },
    identity,
    out,
    afterPhase: (phase) => {
      if (phase !== 'sign') return;
      for (const p of places.flatMap((d) => readdirSync(d).map((n) => join(d, n)))) {
        if (before.has(p) || !/auditdesk-export/.test(p)) continue;
        let names: string[];
        try {
          names = readdirSync(p); // another test's export may vanish meanwhile: only ours holds our manifest
        } catch {
          continue;
        }
        if (!names.includes('manifest.json')) continue;
        seen.push({ path: p, mode: modeOf(p) });
        for (const name of names) seen.push({ path: join(p, name), mode: modeOf(join(p, name)) });
      }
    },
  });
  f.close();
  assert.ok(
    seen.some((s) => s.path.endsWith('manifest.json')),
    `the work folder was found: ${JSON.stringify(seen)}`,
  );
  const [folder, ...files] = seen;
  assert.equal(octal(folder!.mode), '0700', folder!.path);
  for (const file of files) assert.equal(octal(file.mode), '0600', file.path);
});

test('the auditor key is created 0600 and a looser one is tightened when loaded', () => {
  const dataDir = join(scratchDir('auditdesk-modes-'), 'data');
  const key = loadOrCreateAuditorKey(dataDir);
  assert.equal(octal(modeOf(key.path)), '0600');
  assert.equal(octal(modeOf(dataDir)), '0700');
  chmodSync(key.path, 0o644);
  loadOrCreateAuditorKey(dataDir);
  assert.equal(octal(modeOf(key.path)), '0600');
});
