// Connection problems are one clear line on stderr and exit code 2, never a stack
// trace and never the password: wrong password, unreachable host, TLS required
// but not offered, a mapped table that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { freePort } from '../helpers/free-port.js';

const cli = fileURLToPath(new URL('../../src-main/cli/main.js', import.meta.url));
let demo: DemoDb;
let dir: string;

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-sync-errors-'));
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runSync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'sync', '--cache', join(dir, 'cache.sqlite'), ...args], { env: { ...process.env, PGPASSWORD: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

function assertOneLine(r: { code: number; stderr: string }, pattern: RegExp, secret?: string): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  // A password typed into --source is warned about on a line of its own (source-password-leaks.test.ts).
  const lines = r.stderr
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('auditdesk: warning: the password in --source'));
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^auditdesk: /);
  assert.match(lines[0]!, pattern);
  if (secret) assert.ok(!r.stderr.includes(secret), 'the password never appears');
}

test('wrong password: one line, exit 2, password not echoed', async () => {
  const r = await runSync(['--source', withPassword(demo.url, 'Sup3r-s3cret-WRONG'), '--tenant', 'x']);
  assertOneLine(r, /wrong password for user "auditor_ro" at 127\.0\.0\.1:\d+\/auditdesk_demo/, 'Sup3r-s3cret-WRONG');
});

test('wrong password from --password-stdin: the same line', async () => {
  const u = new URL(demo.url);
  u.password = '';
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, 'sync', '--cache', join(dir, 'cache.sqlite'), '--source', u.toString(), '--tenant', 'x', '--password-stdin'],
      { env: { ...process.env, PGPASSWORD: '' }, timeout: 60_000 },
      (err, _stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stderr }),
    );
    child.stdin!.end('Sup3r-s3cret-WRONG\n');
  });
  assertOneLine(r, /wrong password/, 'Sup3r-s3cret-WRONG');
});

test('unreachable host: one line, exit 2', async () => {
  const port = await freePort();
  const r = await runSync(['--source', `postgres://auditor_ro:pw@127.0.0.1:${port}/auditdesk_demo`, '--tenant', 'x']);
  assertOneLine(r, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}/auditdesk_demo \\(ECONNREFUSED\\)`), ':pw@');
});

test('TLS required but the server offers none: one line, exit 2', async () => {
  const r = await runSync(['--source', `${demo.url}?sslmode=require`, '--tenant', 'x']);
  assertOneLine(r, /TLS is required but 127\.0\.0\.1:\d+\/auditdesk_demo does not offer it/, new URL(demo.url).password);
});

test('a mapped table that does not exist: one line, exit 2', async () => {
  const mapping = join(dir, 'mapping.json');
  writeFileSync(mapping, JSON.stringify({ events: 'roche_audit_logs' }));
  const r = await runSync(['--source', demo.url, '--tenant', 'x', '--mapping', mapping]);
  assertOneLine(r, /table public\.roche_audit_logs \(mapped as events\) does not exist/, new URL(demo.url).password);
});

test('an unknown database: one line, exit 2', async () => {
  const u = new URL(demo.url);
  u.pathname = '/no_such_db';
  const r = await runSync(['--source', u.toString(), '--tenant', 'x']);
  assertOneLine(r, /database not found at 127\.0\.0\.1:\d+\/no_such_db/, u.password);
});

test('a damaged cache: one line naming --rebuild, exit 2; with --rebuild the sync starts a new cache', async () => {
  const damaged = join(dir, 'damaged.sqlite');
  writeFileSync(damaged, 'this is not a SQLite database, just bytes that look like one might have been here'.repeat(100));
  const tenant = demo.groundTruth.tenants[0]!;
  const bad = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, [cli, 'sync', '--cache', damaged, '--source', demo.url, '--tenant', tenant], (err, _o, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stderr }),
    ),
  );
  assertOneLine(bad, /--rebuild/, new URL(demo.url).password);
  const good = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(process.execPath, [cli, 'sync', '--cache', damaged, '--rebuild', '--json', '--source', demo.url, '--tenant', tenant], (err, stdout) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout }),
    ),
  );
  assert.equal(good.code, 0);
  const summary = JSON.parse(good.stdout) as { rowsFetched: number; tables: { kind: string; fetched: number }[] };
  assert.equal(summary.tables.find((t) => t.kind === 'events')!.fetched, demo.groundTruth.counts[tenant]!.audit_logs);
});
