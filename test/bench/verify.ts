// Verification speed (issue 4): 1,000,000 cached rows verified, printed beside a bare
// SHA-256 pass over the same payloads; and a live source of 1,000,000 rows verified,
// printed beside `psql \copy` of the same rows. Both measured in the same run.
// The bench cache is generated once into the temp dir and reused by later runs.
import { execFile } from 'node:child_process';
import { createHash, hash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { openCache, loadMigrations, type CacheDb } from '../../src-main/core/cache/open.js';
import { mapColumns, toRecord } from '../../src-main/core/cache/record-mapping.js';
import { chainHash } from '../../src-main/core/chain/hash.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { readCachedChain } from '../../src-main/core/verify/adapters.js';
import { compilePayloadBuilder } from '../../src-main/core/chain/payload.js';
import { chainShape } from '../../src-main/core/verify/rows.js';
import { runVerification } from '../../src-main/core/verify/run.js';
import { startDemoDb } from '../helpers/demo-db.js';
import type { BenchLine } from './types.js';

/** Same shape as test/bench/types.ts BenchLine. */

const ROWS = Number(process.env.AUDITDESK_BENCH_VERIFY_ROWS ?? 1_000_000);
const GENERATOR_VERSION = 1;
const TENANT = 'bench-tenant';

const COLUMNS = [
  ['id', 'uuid'],
  ['seq', 'int8'],
  ['tenant_id', 'text'],
  ['event_type', 'text'],
  ['entity_type', 'text'],
  ['entity_id', 'text'],
  ['severity', 'text'],
  ['user_id', 'text'],
  ['action_details', 'jsonb'],
  ['ip_address', 'text'],
  ['created_at', 'timestamptz'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));
const MAPPED = mapColumns('events', COLUMNS);

const EVENT_TYPES = ['login', 'read', 'update', 'export', 'delete', 'permission_change'];

/** A cache holding one chain of ROWS events shaped like the demo's, built once. */
function benchCache(): CacheDb {
  const dir = join(tmpdir(), 'auditdesk-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `verify-${ROWS}-g${GENERATOR_VERSION}-m${loadMigrations().length}.sqlite`);
  if (existsSync(path)) return openCache(path);
  const partial = `${path}.partial`;
  for (const p of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(p, { force: true });
  const db = openCache(partial);
  db.prepare(`INSERT INTO sources VALUES (1, 'bench-fingerprint', 'bench', 'bench', '18', 'bench', '2026-01-01T00:00:00Z')`).run();
  db.prepare(`INSERT INTO source_tables VALUES (1, 1, 'events', 'public', 'audit_logs', ?, NULL)`).run(JSON.stringify(MAPPED));
  db.prepare(`INSERT INTO syncs (sync_id, source_id, started_at, finished_at, status) VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'done')`).run();
  const cols = [
    'table_id',
    'kind',
    'sync_id',
    'digest',
    'source_key',
    'seq',
    'tenant_id',
    'event_type',
    'entity_type',
    'entity_id',
    'severity',
    'user_id',
    'action_details',
    'ip_address',
    'ts',
    'prev_hash',
    'hash',
    'extra',
  ];
  const insert = db.prepare(`INSERT INTO records (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  const payload = compilePayloadBuilder(COLUMNS);
  let prev = '0'.repeat(64);
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  const batch = db.transaction((from: number, to: number) => {
    for (let s = from; s < to; s++) {
      const h = createHash('md5').update(String(s)).digest('hex');
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
      const micros = String((s * 7919) % 1_000_000).padStart(6, '0');
      const ts = new Date(start + s * 1000).toISOString().slice(0, 19).replace('T', ' ') + `.${micros}+00`;
      const values: (string | null)[] = [
        id,
        String(s),
        TENANT,
        EVENT_TYPES[s % EVENT_TYPES.length]!,
        'document',
        `doc-${s % 5000}`,
        s % 17 ? 'info' : 'high',
        `u-${s % 300}`,
        `{"client": "web", "fields": ["title", "body"], "version": ${s % 40}, "reason": "review ${s % 11}"}`,
        `10.20.${s % 250}.${s % 200}`,
        ts,
        prev,
        null,
      ];
      values[12] = chainHash(prev, payload(values));
      prev = values[12]!;
      const rec = toRecord(MAPPED, values);
      insert.run(
        1,
        'event',
        1,
        'x',
        rec.source_key,
        rec.seq,
        rec.tenant_id,
        rec.event_type,
        rec.entity_type,
        rec.entity_id,
        rec.severity,
        rec.user_id,
        rec.action_details,
        rec.ip_address,
        rec.ts,
        rec.prev_hash,
        rec.hash,
        rec.extra,
      );
    }
  });
  for (let s = 1; s <= ROWS; s += 20_000) batch(s, Math.min(ROWS + 1, s + 20_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(partial, path);
  for (const suffix of ['-wal', '-shm']) rmSync(partial + suffix, { force: true });
  return openCache(path);
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** One cached verification: wall and CPU seconds (CPU of this process, all threads). */
async function timedVerify(db: CacheDb, threads: number | undefined): Promise<{ seconds: number; cpu: number }> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const report = await runVerification({ cache: { db, path: 'bench' }, readers: threads === undefined ? undefined : { threads } });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  if (report.summary.rows !== ROWS || !report.intact) throw new Error(`bench chain did not verify: ${JSON.stringify(report.summary)}`);
  return { seconds, cpu };
}

async function cachedBench(): Promise<BenchLine[]> {
  const db = benchCache();
  try {
    // The machine is shared: the load beside the figures says how far to trust wall times.
    const loadBefore = loadavg()[0]!;
    // Warm the page cache once so every pass reads from memory.
    db.prepare('SELECT count(*), sum(length(hash)) FROM records').get();

    // Two rounds, alternating, and the faster of each: the machine is shared, and a
    // neighbour's burst should not decide a figure (the reference gets the same treatment).
    const best = (a: { seconds: number; cpu: number }, b: { seconds: number; cpu: number }) => (a.seconds <= b.seconds ? a : b);
    let workers = await timedVerify(db, undefined);
    let oneThread = await timedVerify(db, 0);
    workers = best(workers, await timedVerify(db, undefined));
    oneThread = best(oneThread, await timedVerify(db, 0));

    // The reference: the same bytes the chain hashes (prev_hash, separator, payload;
    // prepared beforehand and flattened, not timed), hashed in one thread with the
    // fastest primitive Node has for it (one-shot crypto.hash to hex). Flat strings
    // matter: hashing the concatenated strings as built would time V8 copying them.
    const shape = chainShape(MAPPED, JCS_SHA256_V1, 'audit_logs');
    const inputs: string[] = [];
    await readCachedChain(db, { tableId: 1, tenant: TENANT, columns: MAPPED }, shape, (r) => inputs.push(Buffer.from(`${r.prevHash}\n${r.payload}`, 'utf8').toString('utf8')));
    let x = 0;
    let shaSeconds = Infinity;
    for (let round = 0; round < 2; round++) {
      const t1 = performance.now();
      for (const s of inputs) x ^= hash('sha256', s, 'hex').charCodeAt(0);
      shaSeconds = Math.min(shaSeconds, (performance.now() - t1) / 1000);
    }
    if (x < 0) console.log(x);

    // The floor of any verification: reading the payload's columns of every row from SQLite, in one thread.
    let n = 0;
    let readSeconds = Infinity;
    const stmt = db.prepare(
      `SELECT source_key, seq, tenant_id, event_type, entity_type, entity_id, severity, user_id, action_details, ip_address, ts, prev_hash, hash FROM records WHERE table_id = 1 AND tenant_id = ? AND kind = 'event' ORDER BY seq`,
    );
    for (let round = 0; round < 2; round++) {
      const t2 = performance.now();
      for (const r of stmt.raw(true).iterate(TENANT) as IterableIterator<unknown[]>) n += r.length;
      readSeconds = Math.min(readSeconds, (performance.now() - t2) / 1000);
    }
    // Read, like x above, so the loop's work cannot be optimised away.
    if (n < 0) console.log(n);
    const loadAfter = loadavg()[0]!;

    return [
      {
        name: `verify ${ROWS.toLocaleString('en-US')} cached rows (read, rebuild values, payload, SHA-256, classify; read workers; best of 2)`,
        value: workers.seconds,
        unit: 's',
        target: '≤ 3 s and ≤ 2 × the bare SHA-256 pass',
        reference: { name: 'bare SHA-256 over the same payloads (one thread)', value: shaSeconds },
      },
      { name: '  CPU time of that verification (all threads)', value: workers.cpu, unit: 's' },
      { name: '  the same verification in one thread (best of 2)', value: oneThread.seconds, unit: 's', reference: { name: 'bare SHA-256', value: shaSeconds } },
      { name: '  CPU time in one thread', value: oneThread.cpu, unit: 's' },
      { name: "  floor: reading the rows' columns from SQLite (one thread, no payload, no hash; best of 2)", value: readSeconds, unit: 's' },
      { name: 'cached rows verified per second', value: ROWS / workers.seconds, unit: 'rows/s' },
      { name: 'load average (1 min) before → after', value: loadBefore, unit: `→ ${loadAfter.toFixed(2)}` },
    ];
  } finally {
    db.close();
  }
}

const run = promisify(execFile);

async function liveBench(): Promise<BenchLine[]> {
  const demo = await startDemoDb({ events: ROWS, seed: 1 });
  try {
    const tenants = demo.groundTruth.tenants;
    const rows = tenants.reduce((n, t) => n + demo.groundTruth.counts[t]!.audit_logs, 0);
    // psql \copy of the same rows (same role, same row-level security, same order).
    const copyAll = async () => {
      for (const t of tenants) {
        await run(
          'psql',
          [demo.url, '-X', '-q', '-c', `SELECT set_config('app.current_tenant_id', '${t}', false)`, '-c', `\\copy (SELECT * FROM audit_logs WHERE tenant_id = '${t}' ORDER BY seq) TO '/dev/null'`],
          {
            maxBuffer: 1 << 20,
          },
        );
      }
    };
    await copyAll(); // warm the server's buffers
    const t0 = performance.now();
    await copyAll();
    const copySeconds = (performance.now() - t0) / 1000;

    const loadBefore = loadavg()[0]!;
    const session = await connectSource(demo.url);
    // A second URL of the same server (issue 17, "at scale"): the ranges a replica would read.
    const secondUrl = demo.url.replace('@127.0.0.1:', '@localhost:');
    const second = await connectSource(secondUrl);
    const timedLive = async (threads: number | undefined, replicas = false, connections = 1) => {
      const c0 = cpuSeconds();
      const t1 = performance.now();
      const report = await runVerification({
        session,
        copy: { target: demo.url },
        replicas: replicas ? [{ session: second, copy: { target: secondUrl } }] : undefined,
        tenants,
        readers: threads === undefined ? (connections > 1 ? { connections } : undefined) : { threads, connections },
      });
      const seconds = (performance.now() - t1) / 1000;
      if (report.summary.rows !== rows) throw new Error(`verified ${report.summary.rows} rows, expected ${rows}`);
      return { seconds, cpu: cpuSeconds() - c0 };
    };
    let workers: { seconds: number; cpu: number };
    let oneThread: { seconds: number; cpu: number };
    let twoUrls: { seconds: number; cpu: number };
    let twoConnections: { seconds: number; cpu: number };
    try {
      workers = await timedLive(undefined);
      oneThread = await timedLive(0);
      twoUrls = await timedLive(undefined, true);
      twoConnections = await timedLive(undefined, false, 2);
    } finally {
      await session.close();
      await second.close();
    }
    const loadAfter = loadavg()[0]!;
    return [
      {
        name: `verify a live source of ${rows.toLocaleString('en-US')} rows (${tenants.length} tenants, streamed with COPY, parse workers)`,
        value: workers.seconds,
        unit: 's',
        target: '≤ 1.2 × psql \\copy',
        reference: { name: 'psql \\copy of the same rows', value: copySeconds },
      },
      { name: '  CPU time of that verification (this process, all threads; PostgreSQL not included)', value: workers.cpu, unit: 's' },
      { name: '  the same verification parsed in one thread', value: oneThread.seconds, unit: 's', reference: { name: 'psql \\copy', value: copySeconds } },
      { name: '  CPU time in one thread', value: oneThread.cpu, unit: 's' },
      {
        name: '  the same verification read in 2 seq ranges at once from 2 URLs of the server (parse workers)',
        value: twoUrls.seconds,
        unit: 's',
        reference: { name: 'one URL, parse workers', value: workers.seconds },
      },
      {
        name: '  the same verification read in 2 seq spans at once over 2 connections in one snapshot (--jobs 2)',
        value: twoConnections.seconds,
        unit: 's',
        reference: { name: 'one connection, parse workers', value: workers.seconds },
      },
      { name: 'load average (1 min) before → after', value: loadBefore, unit: `→ ${loadAfter.toFixed(2)}` },
    ];
  } finally {
    await demo.stop();
  }
}

export async function bench(): Promise<BenchLine[]> {
  const lines = await cachedBench();
  if (process.env.AUDITDESK_BENCH_SKIP_LIVE !== '1') lines.push(...(await liveBench()));
  return lines;
}
