// The shared demo-database fixture for integration tests: a real PostgreSQL filled
// by the demo generator. Generating costs seconds, so the first call builds a TEMPLATE
// folder under /tmp keyed by everything that shapes the data (schema files, generator
// code, events, seed); every call then copies that folder (cp -a keeps the postgres
// user's ownership and the 0700 mode initdb wants) and starts it on a free port.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDemoFolder, demoBuildKey, openDemoFolder, type GroundTruth } from '../../src-main/core/demo/index.js';
import { freePort } from './free-port.js';

export type { GroundTruth } from '../../src-main/core/demo/index.js';

const run = promisify(execFile);

export interface DemoDb {
  /** postgres://auditor_ro:…@127.0.0.1:PORT/auditdesk_demo (SELECT only, RLS applies). */
  url: string;
  /** The cluster superuser: for tests that must write (e.g. plant more damage). */
  adminUrl: string;
  port: number;
  /** This copy's demo folder: pgdata/ (the cluster), ground-truth.json, demo.json. */
  dataDir: string;
  groundTruth: GroundTruth;
  /** Stops PostgreSQL and deletes this copy. Safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_TEST_EVENTS = 5_000;
export const DEFAULT_TEST_SEED = 42;

const TEMPLATE_ROOT = join(tmpdir(), 'auditdesk-demo-templates');

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The template folder for these parameters, built once per machine (and per code change). */
async function templateFor(events: number, seed: number): Promise<string> {
  const key = await demoBuildKey({ events, seed });
  const dir = join(TEMPLATE_ROOT, key);
  if (await exists(join(dir, 'demo.json'))) {
    const now = new Date();
    await utimes(dir, now, now).catch(() => undefined); // in use: keep it past pruning
    return dir;
  }
  await mkdir(TEMPLATE_ROOT, { recursive: true });
  await chmod(TEMPLATE_ROOT, 0o755);
  await pruneTemplates(key);
  // Build beside the final name and rename: a concurrent test run on the same machine
  // either wins the rename or throws its copy away; nobody sees a half-built template.
  const building = await mkdtemp(join(TEMPLATE_ROOT, `${key}.building-`));
  await chmod(building, 0o755);
  try {
    const demo = await buildDemoFolder(building, { events, seed, port: await freePort() });
    await demo.stop();
    try {
      await rename(building, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

/** Templates of older generator code (or abandoned builds) not used for an hour. */
async function pruneTemplates(keep: string): Promise<void> {
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const name of await readdir(TEMPLATE_ROOT).catch(() => [] as string[])) {
    if (name === keep) continue;
    const path = join(TEMPLATE_ROOT, name);
    const s = await stat(path).catch(() => undefined);
    if (s && s.mtimeMs < cutoff) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

export async function startDemoDb(opts: { events?: number; seed?: number } = {}): Promise<DemoDb> {
  const events = opts.events ?? DEFAULT_TEST_EVENTS;
  const seed = opts.seed ?? DEFAULT_TEST_SEED;
  const template = await templateFor(events, seed);
  const parent = await mkdtemp(join(tmpdir(), 'auditdesk-demo-test-'));
  // mkdtemp makes 0700 root folders; the postgres user must be able to walk into it.
  await chmod(parent, 0o755);
  const dataDir = join(parent, 'demo');
  try {
    await run('cp', ['-a', template, dataDir]);
    let lastError: unknown;
    // freePort() can race with another process; one retry on a fresh port covers it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        const demo = await openDemoFolder(dataDir, { port });
        let stopped: Promise<void> | undefined;
        return {
          url: demo.url,
          adminUrl: demo.adminUrl,
          port: demo.port,
          dataDir,
          groundTruth: demo.groundTruth,
          stop: () => (stopped ??= demo.stop().finally(() => rm(parent, { recursive: true, force: true }))),
        };
      } catch (e) {
        lastError = e;
        if ((e as { code?: string }).code !== 'E_PORT_IN_USE') break;
      }
    }
    throw lastError;
  } catch (e) {
    await rm(parent, { recursive: true, force: true });
    throw e;
  }
}
