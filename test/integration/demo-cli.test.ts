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

  /** Starts `auditdesk demo` and resolves once it printed "Press Ctrl-C". */
  async function startCli(args: string[]) {
    const child = spawn(process.execPath, [CLI, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out.stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const stop = async (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    };
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 90 s; stderr: ${out.stderr}`)), 90_000);
        child.stdout.on('data', () => {
          if (out.stdout.includes('Press Ctrl-C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${out.stderr}`)));
      });
    } catch (e) {
      await stop('SIGINT');
      throw e;
    }
    return { out, stop, url: /Read-only URL:\s+(\S+)/.exec(out.stdout)![1]! };
  }

  async function auditRows(url: string): Promise<number> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.current_tenant_id', 'acme-pharma', true)");
      const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_logs');
      await client.query('COMMIT');
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  test('prints a working read-only URL and the ground-truth path, stops cleanly on Ctrl-C, and reuses the folder next time', async () => {
    const dataDir = join(await tempParent(), 'demo');
    const port = await freePort();
    const args = ['--events', '1000', '--seed', '3', '--port', String(port), '--data-dir', dataDir];
    const first = await startCli(args);
    try {
      assert.match(first.out.stderr, /auditdesk demo: .*audit_logs/, 'progress is printed');
      assert.match(first.url, new RegExp(`^postgres://auditor_ro:[^@]+@127\\.0\\.0\\.1:${port}/auditdesk_demo$`));
      assert.equal(/Ground truth:\s+(\S+)/.exec(first.out.stdout)![1], join(dataDir, 'ground-truth.json'));
      assert.ok(existsSync(join(dataDir, 'ground-truth.json')));
      assert.ok((await auditRows(first.url)) > 0);
      assert.ok(existsSync(join(dataDir, 'pgdata', 'postmaster.pid')), 'server running');
    } finally {
      assert.equal(await first.stop('SIGINT'), 0);
    }
    assert.equal(existsSync(join(dataDir, 'pgdata', 'postmaster.pid')), false, 'PostgreSQL shut down cleanly');

    // Same parameters: no regeneration, same data, same URL; SIGTERM stops it as well.
    const second = await startCli(args);
    try {
      assert.match(second.out.stdout, /, reused\)/);
      assert.doesNotMatch(second.out.stderr, /creating a PostgreSQL cluster/);
      assert.equal(second.url, first.url);
      assert.ok((await auditRows(second.url)) > 0);
    } finally {
      assert.equal(await second.stop('SIGTERM'), 0);
    }
    assert.equal(existsSync(join(dataDir, 'pgdata', 'postmaster.pid')), false);
  });
});
