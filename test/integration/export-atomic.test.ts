// An export that is cancelled or fails at any point leaves nothing at --out (and no
// temp file beside it); an existing package is never overwritten.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage, type ExportProgress } from '../../src-main/core/export/package.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { ExportJobResult, ExportPreview, IdentityView } from '../../src-main/core/contract/export.js';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
const WORK_PREFIX = '.auditdesk-export-';
let dir: string;
let fixture: CacheFixture;
let id: LoadedIdentity;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-atomic-'));
  fixture = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(fixture, 'acme', 6000, { conversations: 300 });
  createIdentity({ name: 'Atomic Tester', org: 'QA', email: 'qa@audit.example', password: 'atomic-password', out: join(dir, 'id.p12') });
  id = loadIdentity(join(dir, 'id.p12'), 'atomic-password');
});

after(() => {
  fixture.close();
  rmSync(dir, { recursive: true, force: true });
});

function outDir(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

const PHASES: ExportProgress['phase'][] = ['events', 'conversations', 'anomalies', 'reviews', 'access', 'report', 'sign', 'zip'];

describe('cancelling an export', () => {
  for (const phase of ['events', 'report', 'sign', 'zip'] as const) {
    test(`during ${phase} leaves no file at --out`, async () => {
      const d = outDir(`cancel-${phase}`);
      const out = join(d, 'pkg.zip');
      const ctl = new AbortController();
      await assert.rejects(
        writePackage({
          auditorKey: testAuditorKey(),
          db: fixture.db,
          filter: { tenant: ['acme'] },
          identity: id,
          out,
          signal: ctl.signal,
          onProgress: (p) => {
            if (p.phase === phase) ctl.abort();
          },
        }),
        (e: Error & { code?: string }) => e.code === 'E_CANCELLED',
      );
      assert.equal(existsSync(out), false);
      assert.deepEqual(readdirSync(d), []);
    });
  }

  test('through the job API (export.start, then jobs.cancel) ends cancelled with no file', async () => {
    const ctx = new AppContext({ dataDir: join(dir, 'app'), frontDoor: 'test', cachePath: fixture.path, log: () => undefined });
    try {
      const created = await dispatch(ctx, 'identity.create', { name: 'Job Tester', org: 'QA', email: 'job@audit.example', password: 'job-password' });
      assert.equal(created.ok, true, JSON.stringify(created));
      const identity = (created as { value: IdentityView }).value;
      const d = outDir('job');
      const out = join(d, 'pkg.zip');
      const started = await dispatch(ctx, 'export.start', { filter: { tenant: ['acme'] }, identity: identity.fingerprint, out });
      assert.equal(started.ok, true, JSON.stringify(started));
      const { jobId } = (started as { value: { jobId: string } }).value;
      await dispatch(ctx, 'jobs.cancel', { jobId });
      const final = await ctx.jobs.wait(jobId, 20);
      assert.equal(final.state, 'cancelled');
      assert.equal(existsSync(out), false);
      assert.deepEqual(readdirSync(d), []);

      // The same job API, left alone, writes a package that verifies.
      const again = await dispatch(ctx, 'export.start', { filter: { tenant: ['acme'] }, identity: identity.fingerprint, out });
      const done = (await ctx.jobs.wait((again as { value: { jobId: string } }).value.jobId, 50)) as JobStatus<ExportJobResult>;
      assert.equal(done.state, 'done', JSON.stringify(done.error));
      assert.equal(done.result?.counts.events, 6000);
      // The finished job's progress line counts the rows packaged, not "1 / 1 row".
      const packaged = Object.values(done.result!.counts).reduce((a, b) => a + b, 0);
      assert.deepEqual([done.progress.done, done.progress.total], [packaged, packaged]);
      assert.ok(packaged > 6000);
      // export.preview counts what the export then writes.
      const preview = await dispatch(ctx, 'export.preview', { filter: { tenant: ['acme'] } });
      const counts = (preview as { value: ExportPreview }).value;
      assert.deepEqual(
        [counts.events, counts.conversations, counts.anomalies, counts.reviews, counts.accessLog],
        [done.result!.counts.events, done.result!.counts.conversations, done.result!.counts.anomalies, done.result!.counts.reviews, done.result!.counts.accessLog],
      );
      const verified = await dispatch(ctx, 'export.verifyPackage', { path: out, trust: identity.fingerprint });
      assert.equal((verified as { value: { valid: boolean } }).value.valid, true);
      const listed = await dispatch(ctx, 'identity.list', {});
      assert.deepEqual(
        (listed as { value: IdentityView[] }).value.map((i) => [i.fingerprint, i.passwordStored]),
        [[identity.fingerprint, true]],
      );
    } finally {
      ctx.close();
    }
  });
});

describe('a failing export', () => {
  for (const phase of PHASES) {
    test(`that fails after ${phase} leaves no file at --out`, async () => {
      const d = outDir(`fail-${phase}`);
      const out = join(d, 'pkg.zip');
      await assert.rejects(
        writePackage({
          auditorKey: testAuditorKey(),
          db: fixture.db,
          filter: { tenant: ['acme'] },
          identity: id,
          out,
          afterPhase: (p) => {
            if (p === phase) throw new Error(`disk full during ${phase}`);
          },
        }),
        /disk full/,
      );
      assert.equal(existsSync(out), false);
      assert.deepEqual(readdirSync(d), []);
    });
  }

  test('refuses to overwrite an existing package and leaves it untouched', async () => {
    const d = outDir('exists');
    const out = join(d, 'pkg.zip');
    writeFileSync(out, 'an earlier package');
    await assert.rejects(writePackage({ auditorKey: testAuditorKey(), db: fixture.db, filter: { tenant: ['acme'] }, identity: id, out }), (e: Error & { code?: string }) => e.code === 'E_EXISTS');
    assert.equal(readFileSync(out, 'utf8'), 'an earlier package');
  });

  test('refuses a filter without exactly one tenant before writing anything', async () => {
    const d = outDir('no-tenant');
    await assert.rejects(writePackage({ auditorKey: testAuditorKey(), db: fixture.db, filter: {}, identity: id, out: join(d, 'pkg.zip') }), /exactly one tenant/);
    assert.deepEqual(readdirSync(d), []);
  });
});

describe('export work folders', () => {
  test('live beside --out while the export runs, and are gone after it', async () => {
    const d = outDir('beside');
    const out = join(d, 'pkg.zip');
    const seen: string[][] = [];
    await writePackage({ auditorKey: testAuditorKey(), db: fixture.db, filter: { tenant: ['acme'] }, identity: id, out, onProgress: (p) => p.phase === 'report' && seen.push(readdirSync(d)) });
    assert.ok(seen.length > 0);
    assert.ok(
      seen[0]!.some((n) => n.startsWith(WORK_PREFIX)),
      `work folder beside --out: ${JSON.stringify(seen[0])}`,
    );
    assert.deepEqual(readdirSync(d), ['pkg.zip']);
  });

  test('left by a killed export are removed by the next export into that folder', async () => {
    const d = outDir('stale');
    // A pid that cannot be running: the export that made it was killed.
    const stale = join(d, `${WORK_PREFIX}2147483646-x1y2z3`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'conversation_logs.csv'), 'plaintext left by a killed export');
    await writePackage({ auditorKey: testAuditorKey(), db: fixture.db, filter: { tenant: ['acme'] }, identity: id, out: join(d, 'pkg.zip') });
    assert.deepEqual(readdirSync(d), ['pkg.zip']);
  });

  test("a full disk gets the export's own words: which file, nothing written, free space, run it again", async () => {
    const d = outDir('full');
    const out = join(d, 'pkg.zip');
    await assert.rejects(
      writePackage({
        auditorKey: testAuditorKey(),
        db: fixture.db,
        filter: { tenant: ['acme'] },
        identity: id,
        out,
        afterPhase: (p) => {
          if (p === 'conversations') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: join(d, 'x', 'conversation_logs.csv') });
        },
      }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'E_DISK_FULL');
        assert.match(e.message, /export/);
        assert.match(e.message, /conversation_logs\.csv/);
        assert.match(e.message, /nothing was written/);
        assert.match(e.message, /free/);
        assert.match(e.message, /run the export again/);
        return true;
      },
    );
    assert.deepEqual(readdirSync(d), []);
  });

  test('a zip writer error (a work file gone) fails the export cleanly', async () => {
    const d = outDir('zip-error');
    const out = join(d, 'pkg.zip');
    await assert.rejects(
      writePackage({
        auditorKey: testAuditorKey(),
        db: fixture.db,
        filter: { tenant: ['acme'] },
        identity: id,
        out,
        afterPhase: (p) => {
          if (p !== 'sign') return;
          const work = readdirSync(d).find((n) => n.startsWith(WORK_PREFIX))!;
          rmSync(join(d, work, 'report.pdf'));
        },
      }),
      (e: Error & { code?: string }) => e.code === 'E_EXPORT_WRITE' && /report\.pdf/.test(e.message),
    );
    assert.deepEqual(readdirSync(d), []);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to \`auditdesk export\` mid-way: exit 2, one line, no stack trace, nothing left`, async () => {
      const d = outDir(`cli-${signal}`);
      const out = join(d, 'pkg.zip');
      const child = spawn(process.execPath, [CLI, 'export', '--cache', fixture.path, '--identity', join(dir, 'id.p12'), '--tenant', 'acme', '--out', out], {
        env: { ...process.env, AUDITDESK_P12_PASSWORD: 'atomic-password' },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
      // Signal as soon as the export has written its first work file.
      for (let i = 0; i < 2000 && !readdirSync(d).some((n) => n.startsWith(WORK_PREFIX)); i++) await new Promise((r) => setTimeout(r, 5));
      child.kill(signal);
      const code = await exited;
      assert.equal(code, 2, stderr);
      const lines = stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('signing as'));
      assert.deepEqual(lines, ['auditdesk: export cancelled; nothing was written.']);
      assert.deepEqual(readdirSync(d), []);
    });
  }
});
