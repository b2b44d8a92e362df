// The embedded demo tenant: a real PostgreSQL on 127.0.0.1 filled with deterministic,
// realistic source data, one tenant of which was tampered with. Used by `auditdesk demo`,
// by `npm start` when no connection is configured, and by the integration tests.
//
// A demo folder holds:
//   pgdata/            the PostgreSQL cluster
//   ground-truth.json  what was planted (tampering, incidents, counts): see ground-truth.ts
//   demo.json          parameters, build key and the two passwords (mode 0600); written
//                      last, so its presence means "complete"
//   AUDITDESK_DEMO     marker: this folder is ours and may be regenerated
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { migrationsDir } from '../util/paths.js';
import { ADMIN_USER, anyFreePort, checkNotRunning, checkPortFree, ensureWritableDir, initCluster, portIsFree, startCluster, type RunningCluster } from './cluster.js';
import { RpcWorker } from '../util/worker-rpc.js';
import { DEMO_DATABASE, DEMO_READONLY_ROLE, fillDemoDatabase, type FillOptions, type FillProgress } from './fill.js';
import { GENERATOR } from './generate.js';
import type { GroundTruth } from './ground-truth.js';
import { DLQ_FILE } from './controls-plant.js';

export type { GroundTruth, ChainAnchor, Tampering, DemoTable } from './ground-truth.js';
export { DEMO_TABLES } from './ground-truth.js';

export { DEMO_DATABASE, DEMO_READONLY_ROLE } from './fill.js';
export { DEFAULT_EVENTS, DEFAULT_SEED, DEFAULT_PORT, MIN_EVENTS, MAX_EVENTS, defaultDemoDir } from './defaults.js';
import { DEFAULT_EVENTS, DEFAULT_PORT, DEFAULT_SEED, MAX_EVENTS, MIN_EVENTS, defaultDemoDir } from './defaults.js';

export interface DemoProgress {
  phase: string;
  message: string;
  done?: number;
  total?: number;
}

export interface DemoOptions {
  /** Default: 54329 if free, else any free port. */
  port?: number;
  events?: number;
  seed?: number;
  /** Default: /tmp/auditdesk-demo. */
  dataDir?: string;
  /** Reuse a complete demo built with the same parameters and code (default true). */
  reuse?: boolean;
  onProgress?: (p: DemoProgress) => void;
  /** PostgreSQL server log lines. */
  onLog?: (line: string) => void;
}

export interface RunningDemo {
  /** Read-only URL (auditor_ro): what the app connects with. */
  url: string;
  /** Superuser URL; tests use it to write. Never show it in the UI. */
  adminUrl: string;
  port: number;
  dataDir: string;
  groundTruthPath: string;
  groundTruth: GroundTruth;
  /** True when an existing demo folder was reused without regenerating. */
  reused: boolean;
  /** Settles when PostgreSQL ends (after stop(), or if it dies). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

interface Manifest {
  key: string;
  generator: string;
  events: number;
  seed: number;
  database: string;
  adminPassword: string;
  auditorPassword: string;
}

const MARKER = 'AUDITDESK_DEMO';

function validate(events: number, seed: number): void {
  if (!Number.isInteger(events) || events < MIN_EVENTS || events > MAX_EVENTS) {
    throw new UserError(`--events must be a whole number from ${MIN_EVENTS} to ${MAX_EVENTS} (got ${events}).`, 'E_USAGE');
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UserError(`--seed must be a whole number from 0 to 4294967295 (got ${seed}).`, 'E_USAGE');
  }
}

/**
 * Identifies the data a build produces: schema files, this module's code, events, seed.
 * A changed generator therefore never reuses stale demo data or test templates.
 */
export async function demoBuildKey(opts: { events: number; seed: number }): Promise<string> {
  const h = createHash('sha256').update(`${GENERATOR}\n${opts.events}\n${opts.seed}\n`);
  const schemaDir = migrationsDir('demo');
  for (const f of (await readdir(schemaDir)).filter((f) => f.endsWith('.sql')).sort()) {
    h.update(f).update(await readFile(join(schemaDir, f)));
  }
  const codeDir = dirname(fileURLToPath(import.meta.url));
  for (const f of (await readdir(codeDir)).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
    h.update(f).update(await readFile(join(codeDir, f)));
  }
  return h.digest('hex').slice(0, 20);
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'demo.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function urlFor(user: string, password: string, port: number): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DEMO_DATABASE}`;
}

function running(dir: string, cluster: RunningCluster, m: Manifest, groundTruth: GroundTruth, reused: boolean): RunningDemo {
  return {
    url: urlFor(DEMO_READONLY_ROLE, m.auditorPassword, cluster.port),
    adminUrl: urlFor(ADMIN_USER, m.adminPassword, cluster.port),
    port: cluster.port,
    dataDir: dir,
    groundTruthPath: join(dir, 'ground-truth.json'),
    groundTruth,
    reused,
    exited: cluster.exited,
    stop: () => cluster.stop(),
  };
}

/**
 * Builds a demo folder from scratch (removing an earlier build of ours in it) and leaves
 * the database running on `port`.
 */
export async function buildDemoFolder(dir: string, opts: { events: number; seed: number; port: number; onProgress?: (p: DemoProgress) => void; onLog?: (line: string) => void }): Promise<RunningDemo> {
  const { events, seed, port, onProgress } = opts;
  validate(events, seed);
  const started = Date.now();
  const say = (phase: string, message: string, done?: number, total?: number) => onProgress?.({ phase, message, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) });

  await refuseForeignFolder(dir);
  await checkNotRunning(join(dir, 'pgdata'));
  await checkPortFree(port);
  await writeFileMarker(dir);
  for (const f of ['demo.json', 'ground-truth.json', 'pgdata', DLQ_FILE]) await rm(join(dir, f), { recursive: true, force: true });

  const manifest: Manifest = {
    key: await demoBuildKey({ events, seed }),
    generator: GENERATOR,
    events,
    seed,
    database: DEMO_DATABASE,
    adminPassword: randomBytes(18).toString('base64url'),
    auditorPassword: randomBytes(18).toString('base64url'),
  };
  const pgdata = join(dir, 'pgdata');
  say('initdb', `creating a PostgreSQL cluster in ${pgdata}`);
  await initCluster(pgdata, manifest.adminPassword, opts.onLog);
  const cluster = await startCluster({ pgdata, port, ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  try {
    const groundTruth = await fillInWorker({ port, adminPassword: manifest.adminPassword, auditorPassword: manifest.auditorPassword, events, seed }, (p) => onProgress?.(p));
    writeFileAtomic(join(dir, 'ground-truth.json'), JSON.stringify(groundTruth, null, 2) + '\n', 0o644);
    // The dead-letter file of the source's audit writer, for `auditdesk controls --dlq`.
    writeFileAtomic(join(dir, groundTruth.controls.dlq.file), groundTruth.controls.dlq.lines.join('\n') + '\n', 0o644);
    writeFileAtomic(join(dir, 'demo.json'), JSON.stringify(manifest, null, 2) + '\n', 0o600);
    say('ready', `generated ${events.toLocaleString('en')} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return running(dir, cluster, manifest, groundTruth, false);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

async function fillInWorker(options: FillOptions, onProgress: (p: DemoProgress) => void): Promise<GroundTruth> {
  const worker = RpcWorker.start<FillOptions, GroundTruth, FillProgress>(new URL('./build-worker.js', import.meta.url), 'demo generator', {
    // A larger young generation cuts the generator's GC time by about a quarter.
    resourceLimits: { maxYoungGenerationSizeMb: 96 },
  });
  if (!worker) return fillDemoDatabase(options, onProgress);
  try {
    return await worker.call(options, { onProgress });
  } finally {
    void worker.terminate();
  }
}

/** Starts a complete demo folder as it is (no regeneration). */
export async function openDemoFolder(dir: string, opts: { port: number; onLog?: (line: string) => void }): Promise<RunningDemo> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new UserError(`${dir} holds no complete AuditDesk demo.`, 'E_DATA_DIR', 'Run `auditdesk demo --data-dir` on it to build one.');
  const groundTruth = JSON.parse(await readFile(join(dir, 'ground-truth.json'), 'utf8')) as GroundTruth;
  const cluster = await startCluster({ pgdata: join(dir, 'pgdata'), port: opts.port, ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  return running(dir, cluster, manifest, groundTruth, true);
}

async function refuseForeignFolder(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new UserError(`${dir} is not empty and is not an AuditDesk demo folder.`, 'E_DATA_DIR', 'Choose an empty or new folder with --data-dir.');
  }
}

async function writeFileMarker(dir: string): Promise<void> {
  const existed = await stat(dir).then(
    () => true,
    () => false,
  );
  await ensureWritableDir(dir);
  // The server runs as the postgres user when we are root; it must reach pgdata/.
  if (!existed) await chmod(dir, 0o755);
  try {
    await writeFile(join(dir, MARKER), 'This folder holds an AuditDesk demo database; `auditdesk demo` may delete and rebuild it.\n');
  } catch (e) {
    throw new UserError(`cannot write the demo data folder ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 'E_DATA_DIR', 'Pass --data-dir with a folder you can write to.');
  }
}

/**
 * Brings the demo up: reuses a complete folder built with the same parameters and code,
 * otherwise (re)generates it. Resolves once the database accepts connections.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const events = opts.events ?? DEFAULT_EVENTS;
  const seed = opts.seed ?? DEFAULT_SEED;
  validate(events, seed);
  const dir = opts.dataDir ?? defaultDemoDir();
  let port = opts.port;
  if (port === undefined) port = (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : await anyFreePort();
  else if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`--port must be 1–65535 (got ${port}).`, 'E_USAGE');

  const manifest = await readManifest(dir);
  if (manifest && opts.reuse !== false && manifest.key === (await demoBuildKey({ events, seed }))) {
    opts.onProgress?.({ phase: 'reuse', message: `reusing the demo in ${dir} (same events, seed and generator)` });
    return openDemoFolder(dir, { port, ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  }
  if (manifest) opts.onProgress?.({ phase: 'rebuild', message: `the demo in ${dir} was built with other parameters or code; regenerating` });
  return buildDemoFolder(dir, { events, seed, port, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.onLog ? { onLog: opts.onLog } : {}) });
}
