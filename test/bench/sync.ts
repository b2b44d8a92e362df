// Sync speed and memory (issue 3): 1,000,000 demo events synced into a fresh cache
// (facet indexes and FTS included), printed beside `psql \copy` of the same rows to
// CSV in the same run; and the sync's peak RSS, measured in a child process.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startDemoDb } from '../helpers/demo-db.js';
import type { BenchLine } from './types.js';


const run = promisify(execFile);
const EVENTS = Number(process.env.AUDITDESK_BENCH_SYNC_EVENTS ?? 1_000_000);
const PSQL = process.env.PSQL ?? '/usr/bin/psql';

/** Runs the sync in a child process so its peak RSS is its own. */
interface Phase {
  phase: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

function childSync(
  url: string,
  cachePath: string,
  tenants: string[],
): Promise<{ seconds: number; rows: number; maxRssMb: number; cpuSeconds: number; phases: Phase[] }> {
  const syncModule = fileURLToPath(new URL('../../src-main/core/sync/index.js', import.meta.url));
  const sourceModule = fileURLToPath(new URL('../../src-main/core/source/index.js', import.meta.url));
  const cacheModule = fileURLToPath(new URL('../../src-main/core/cache/open.js', import.meta.url));
  const script = `
    import { syncToCache } from ${JSON.stringify(syncModule)};
    import { connectSource } from ${JSON.stringify(sourceModule)};
    import { openCache } from ${JSON.stringify(cacheModule)};
    const [url, cachePath, tenantsJson] = process.argv.slice(1);
    const db = openCache(cachePath);
    const session = await connectSource(url);
    const t0 = performance.now();
    // Wall and CPU (all threads) per sync phase, from the progress events' phase changes.
    const phases = [];
    let open = null;
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    const close = () => { if (open) phases.push({ phase: open.phase, seconds: (performance.now() - open.t) / 1000, cpuSeconds: cpu() - open.c, peakRssMb: Math.max(open.rss, process.memoryUsage.rss()) / 1048576 }); };
    const onProgress = (p) => {
      if (open && open.phase === p.phase) return;
      close();
      open = { phase: p.phase, t: performance.now(), c: cpu(), rss: process.memoryUsage.rss() };
    };
    // Sampled while the main thread is free; the exact peak of the whole run is maxRSS below.
    const sampler = setInterval(() => { if (open) open.rss = Math.max(open.rss, process.memoryUsage.rss()); }, 50);
    const summary = await syncToCache(session, db, { tenants: JSON.parse(tenantsJson), kinds: ['events'], onProgress });
    close();
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    await session.close();
    db.close();
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    process.stdout.write(JSON.stringify({ seconds, rows: summary.rowsFetched, maxRssMb: usage.maxRSS / 1024, cpuSeconds, phases }));
  `;
  return new Promise((resolve, reject) => {
    // AUDITDESK_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the sync child, workers included.
    const nodeArgs = (process.env.AUDITDESK_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', script, url, cachePath, JSON.stringify(tenants)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sync child exited ${code}`))));
  });
}

/** The `auditdesk sync` command itself over every demo table (events, conversations, anomalies, access log). */
async function cliSyncAll(url: string, cachePath: string, tenants: string[]): Promise<{ seconds: number; rows: number; maxRssMb: number; cpuSeconds: number }> {
  const child = fileURLToPath(new URL('./cli-child.js', import.meta.url));
  const args = ['sync', '--source', url, ...tenants.flatMap((t) => ['--tenant', t]), '--cache', cachePath, '--json', '--data-dir', join(cachePath, '..', 'data')];
  const t0 = performance.now();
  const { stdout, stderr } = await run(process.execPath, [child, '--', ...args], { maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  const usage = JSON.parse(stderr.trim().split('\n').pop()!) as { maxRssMb: number; cpuSeconds: number };
  return { seconds, rows: (JSON.parse(stdout) as { rowsFetched: number }).rowsFetched, ...usage };
}

/** `psql \copy` of the same rows (same role, same tenants, RLS applied) to CSV files. */
async function psqlCopy(url: string, dir: string, tenants: string[]): Promise<number> {
  const t0 = performance.now();
  for (const tenant of tenants) {
    const file = join(dir, `${tenant}.csv`);
    await run(PSQL, [
      url,
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `SELECT set_config('app.current_tenant_id', '${tenant.replace(/'/g, "''")}', false)`,
      '-c',
      `\\copy (SELECT * FROM audit_logs WHERE tenant_id = '${tenant.replace(/'/g, "''")}' ORDER BY seq) TO '${file}' CSV`,
    ]);
  }
  return (performance.now() - t0) / 1000;
}

export async function bench(): Promise<BenchLine[]> {
  const demo = await startDemoDb({ events: EVENTS });
  const dir = mkdtempSync(join(tmpdir(), 'auditdesk-bench-sync-'));
  try {
    const tenants = demo.groundTruth.tenants;
    // The machine is shared: the load beside the figures says how far to trust wall times.
    const loadBefore = loadavg()[0]!;
    const copySeconds = await psqlCopy(demo.url, dir, tenants);
    const sync = await childSync(demo.url, join(dir, 'cache.sqlite'), tenants);
    const cli = await cliSyncAll(demo.url, join(dir, 'cli-cache.sqlite'), tenants);
    const loadAfter = loadavg()[0]!;
    return [
      {
        name: `sync of ${sync.rows.toLocaleString('en-US')} demo events into a fresh cache (indexes + FTS)`,
        value: sync.seconds,
        unit: 's',
        reference: { name: 'psql \\copy of the same rows to CSV', value: copySeconds },
        target: 'ratio ≤ 1.5',
      },
      { name: 'sync throughput', value: sync.rows / sync.seconds, unit: 'rows/s' },
      { name: 'sync peak RSS', value: sync.maxRssMb, unit: 'MB', target: '≤ 300 MB' },
      // CPU of the sync process (all its threads; PostgreSQL not included): steadier than wall time on a busy machine.
      { name: 'sync CPU time (sync process, all threads)', value: sync.cpuSeconds, unit: 's' },
      ...sync.phases.map((p) => ({
        name: `  phase ${p.phase} (CPU ${p.cpuSeconds.toFixed(1)} s, all threads; RSS up to ${p.peakRssMb.toFixed(0)} MB sampled)`,
        value: p.seconds,
        unit: 's',
      })),
      {
        name: `auditdesk sync (the CLI) of every demo table, ${cli.rows.toLocaleString('en-US')} rows (events, conversations, anomalies, access log): peak RSS`,
        value: cli.maxRssMb,
        unit: 'MB',
        target: '≤ 300 MB',
      },
      { name: `  its wall time (CPU ${cli.cpuSeconds.toFixed(1)} s, all threads)`, value: cli.seconds, unit: 's' },
      { name: 'load average (1 min) before → after', value: loadBefore, unit: `→ ${loadAfter.toFixed(2)}` },
    ];
  } finally {
    await demo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
