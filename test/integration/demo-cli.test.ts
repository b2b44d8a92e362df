// `auditdesk demo` as a user runs it: help for every option, one-line errors with exit 2,
// a working read-only URL, and a clean PostgreSQL shutdown on Ctrl-C.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../helpers/free-port.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');

function runCli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('auditdesk demo', () => {
  const cleanup: string[] = [];
  after(async () => {
    for (const d of cleanup) await rm(d, { recursive: true, force: true });
  });

  async function tempParent(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'auditdesk-demo-cli-'));
    await chmod(d, 0o755);
    cleanup.push(d);
    return d;
  }

  test('--help describes every option', () => {
    const res = runCli(['demo', '--help']);
    assert.equal(res.status, 0);
    for (const opt of ['--port', '--events', '--data-dir', '--seed']) assert.match(res.stdout, new RegExp(`${opt} <`), opt);
    assert.match(res.stdout, /auditor_ro/);
  });

  test('a port already in use is one line on stderr and exit 2', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const res = runCli(['demo', '--events', '1000', '--port', String(port), '--data-dir', join(await tempParent(), 'demo')]);
      assert.equal(res.status, 2);
      assert.match(res.stderr, new RegExp(`^auditdesk: port ${port} on 127.0.0.1 is already in use\\..*\\n$`));
    } finally {
      server.close();
    }
  });

  test('an unusable data folder and a bad --events are one line and exit 2', () => {
    const res = runCli(['demo', '--events', '1000', '--data-dir', '/proc/auditdesk-nope/demo']);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /^auditdesk: cannot write the demo data folder \/proc\/auditdesk-nope\/demo \(\w+\)\..*\n$/);
    const bad = runCli(['demo', '--events', 'many']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--events must be a whole number/);
  });

  test('prints a working read-only URL and the ground-truth path, then stops PostgreSQL cleanly on Ctrl-C', async () => {
    const dataDir = join(await tempParent(), 'demo');
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'demo', '--events', '1000', '--seed', '3', '--port', String(port), '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 90 s; stderr: ${stderr}`)), 90_000);
        const check = () => {
          if (stdout.includes('Press Ctrl-C')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      assert.match(stderr, /auditdesk demo: .*audit_logs/, 'progress is printed');
      const url = /Read-only URL:\s+(\S+)/.exec(stdout)![1]!;
      assert.match(url, new RegExp(`^postgres://auditor_ro:[^@]+@127\\.0\\.0\\.1:${port}/auditdesk_demo$`));
      assert.equal(/Ground truth:\s+(\S+)/.exec(stdout)![1], join(dataDir, 'ground-truth.json'));
      assert.ok(existsSync(join(dataDir, 'ground-truth.json')));

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query("SELECT set_config('app.current_tenant_id', 'acme-pharma', true)");
        const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_logs');
        assert.ok(Number(rows[0]!.n) > 0);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
      assert.ok(existsSync(join(dataDir, 'pgdata', 'postmaster.pid')), 'server running');
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.equal(existsSync(join(dataDir, 'pgdata', 'postmaster.pid')), false, 'PostgreSQL shut down cleanly');
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    }
  });
});
