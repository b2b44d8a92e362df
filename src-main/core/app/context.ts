// Everything a handler needs, built once per front door. Plain Node: the Electron
// door passes a keychain-backed SecretStore, the others an in-memory one.
// The context works on one open engagement (src-main/core/engagement/): its cache, its
// query workers and its connection profiles; switching closes all three and opens the
// other's, so no screen can show one client's data in another's engagement.
import { join } from 'node:path';
import { openCache, type CacheDb } from '../cache/open.js';
import { openRebuilt, rebuiltMessage } from '../verify/carry-over.js';
import { loadOrCreateAuditorKey } from '../identity/auditor-key.js';
import { JobRunner } from './jobs.js';
import { ConfigStore } from './config.js';
import { MemorySecretStore, type SecretStore } from './secrets.js';
import { toolVersion } from '../util/version.js';
import { ensurePrivateDir, tightenedNotice } from '../util/private-files.js';
import { UserError } from '../util/errors.js';
import { QueryPool, defaultQueryWorkers } from './query-pool.js';
import { SigningSessionState } from '../review/session.js';
import { journalEngagementOpened } from '../journal/journal-events.js';
import { engagementPaths } from '../engagement/paths.js';
import { readEngagementMeta, type EngagementMeta } from '../engagement/meta.js';
import { EngagementRegistry, createEngagementFolder, freeFolderFor } from '../engagement/registry.js';
import { migrateLegacyCache } from '../engagement/legacy.js';
import { indexesStillToBuild } from '../sync/deferred.js';
import { runIndexJob } from './index-job.js';
import type { JobStatus } from '../contract/jobs.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Native file dialogs (Electron); other front doors have none and the screens show a path field instead. */
export interface FileDialogs {
  chooseSavePath(opts: { title: string; defaultPath: string; extensions: string[] }): Promise<string | null>;
  chooseOpenPath(opts: { title: string; extensions: string[]; directory?: boolean }): Promise<string | null>;
}

export interface AppContextOptions {
  dataDir: string;
  frontDoor: 'electron' | 'browser' | 'test';
  /** a fixed cache file instead of engagements (scripts and tests over one cache file) */
  cachePath?: string;
  /** the engagement folder to open instead of the last one opened */
  engagementDir?: string;
  secrets?: SecretStore;
  /** why the secret store is what it is, when the user should know (e.g. no keychain available) */
  secretsNote?: string | null;
  log?: (level: LogLevel, message: string) => void;
  /** worker threads for cache reads (query-pool.ts); 0 runs them in this thread. Default: defaultQueryWorkers() */
  queryWorkers?: number;
  /** the sync job's worker module (sync-job.ts); tests name a missing file to run the in-thread fallback */
  syncWorkerUrl?: URL;
  fileDialogs?: FileDialogs;
}

export interface OpenEngagement {
  dir: string;
  meta: EngagementMeta;
}

export const DEMO_ENGAGEMENT_NAME = 'Demo';

export class AppContext {
  readonly version = toolVersion();
  readonly dataDir: string;
  readonly frontDoor: AppContextOptions['frontDoor'];
  readonly jobs = new JobRunner();
  /** app-wide settings: trusted signers, preferences (and the profiles of a fixed-cache context) */
  readonly appConfig: ConfigStore;
  readonly engagements: EngagementRegistry;
  readonly secrets: SecretStore;
  readonly secretsNote: string | null;
  readonly fileDialogs: FileDialogs | null;
  readonly log: (level: LogLevel, message: string) => void;
  /** who signed last and when: the next signature asks for the identity again after 15 min idle */
  readonly signingSession = new SigningSessionState();
  /** what the user should be told once (e.g. the old shared cache became an engagement) */
  readonly notices: string[] = [];
  private current: OpenEngagement | null = null;
  private currentCachePath: string;
  private currentConfig: ConfigStore;
  private db: CacheDb | undefined;
  private pool: QueryPool | undefined;
  private readonly queryWorkers: number;
  readonly syncWorkerUrl: URL | undefined;
  private readonly openedListeners: Array<(opened: OpenEngagement) => void> = [];
  /** The background index build of a cache (index-job.ts), by cache file. */
  private readonly indexJobs = new Map<string, string>();

  constructor(opts: AppContextOptions) {
    this.dataDir = opts.dataDir;
    const looseMode = ensurePrivateDir(this.dataDir);
    this.frontDoor = opts.frontDoor;
    this.appConfig = new ConfigStore(join(this.dataDir, 'config.json'));
    this.engagements = new EngagementRegistry(this.dataDir);
    this.secrets = opts.secrets ?? new MemorySecretStore();
    this.secretsNote = opts.secretsNote ?? null;
    this.fileDialogs = opts.fileDialogs ?? null;
    this.queryWorkers = opts.queryWorkers ?? defaultQueryWorkers();
    this.syncWorkerUrl = opts.syncWorkerUrl;
    this.log = opts.log ?? ((level, message) => (level === 'debug' ? undefined : console.error(`[${level}] ${message}`)));
    if (looseMode !== null) this.log('warn', tightenedNotice(this.dataDir, looseMode));
    this.currentCachePath = opts.cachePath ?? '';
    this.currentConfig = this.appConfig;
    if (opts.cachePath === undefined) this.switchTo(opts.engagementDir ?? this.firstEngagement());
  }

  get cachePath(): string {
    return this.currentCachePath;
  }

  /** The open engagement's connection profiles (the app settings' for a fixed-cache context). */
  get config(): ConfigStore {
    return this.currentConfig;
  }

  /** The open engagement; null for a context over a fixed cache file. */
  get engagement(): OpenEngagement | null {
    return this.current;
  }

  /** The last engagement opened; on the very first start the old shared cache moved into one, or the Demo engagement. */
  private firstEngagement(): string {
    const migrated = migrateLegacyCache(this.engagements, () => this.appConfig.read());
    if (migrated) {
      this.notices.push(migrated.notice);
      this.log('warn', migrated.notice);
      return migrated.dir;
    }
    const known = this.engagements.read();
    const last = known.lastOpened ?? known.engagements[0];
    if (last) return last;
    const { dir } = createEngagementFolder(freeFolderFor(this.engagements.defaultParent(), DEMO_ENGAGEMENT_NAME), {
      name: DEMO_ENGAGEMENT_NAME,
      client: 'AuditDesk demo tenant',
      purpose: 'Try AuditDesk on generated data.',
      createdAt: new Date().toISOString(),
      demo: true,
    });
    return dir;
  }

  /** Closes the open engagement's cache and workers and opens another's; refused while a job works on the open one. */
  openEngagement(dir: string): OpenEngagement {
    // An index build works on its own connection and needs nothing from this context: it may go on.
    if (this.jobs.list().some((j) => j.state === 'running' && j.kind !== 'index')) {
      throw new UserError('a sync, verification or export is still running in the open engagement.', 'E_BUSY', 'Wait for it to finish or cancel it, then switch.');
    }
    this.switchTo(dir);
    // The auditor chose this engagement: the first line of what they did in it.
    journalEngagementOpened(this.cache(), { name: this.current!.meta.name, dir: this.current!.dir });
    for (const listener of this.openedListeners) {
      try {
        listener(this.current!);
      } catch (e) {
        this.log('warn', `after opening ${this.current!.meta.name}: ${(e as Error).message}`);
      }
    }
    return this.current!;
  }

  /** Front doors hook what an engagement needs beyond its folder (the Demo engagement's embedded database). */
  onEngagementOpened(listener: (opened: OpenEngagement) => void): void {
    this.openedListeners.push(listener);
  }

  private switchTo(dir: string): void {
    const paths = engagementPaths(dir);
    const meta = readEngagementMeta(paths.dir);
    this.close();
    this.current = { dir: paths.dir, meta };
    this.currentCachePath = paths.cache;
    this.currentConfig = new ConfigStore(paths.connections);
    this.engagements.remember(paths.dir, true);
  }

  /** The open engagement's details changed on disk (rename): keep the context's copy current. */
  refreshEngagementMeta(): void {
    if (this.current) this.current = { dir: this.current.dir, meta: readEngagementMeta(this.current.dir) };
  }

  /**
   * The cache, opened (and migrated) on first use. A cache whose facet indexes are still
   * to build (a sync just left them, or a build was killed) gets its background build now.
   */
  cache(): CacheDb {
    return this.db ?? this.adopt(openCache(this.cachePath));
  }

  /** Makes `db` the open cache, and builds the facet indexes a sync left for later. */
  private adopt(db: CacheDb): CacheDb {
    this.db = db;
    if (indexesStillToBuild(db).length) this.startIndexing();
    return db;
  }

  /**
   * "Rebuild the cache" (the CLI's --rebuild): a cache that cannot be used as it is (damage
   * a verdict found, unreadable, altered, newer) is closed and moved aside, kept for
   * inspection, and the next use makes a new one. Returns where it went; null when the
   * cache was sound and is left as it is. Refused while a job works on the cache.
   */
  async rebuildCache(): Promise<string | null> {
    const running = this.jobs.list().find((j) => j.state === 'running');
    if (running) {
      throw new UserError(`a ${running.kind} is still running on this cache.`, 'E_BUSY', 'Wait for it to finish or cancel it, then rebuild the cache.');
    }
    await this.pool?.close();
    this.pool = undefined;
    this.db?.close();
    this.db = undefined;
    const { db, carried } = openRebuilt(this.cachePath, loadOrCreateAuditorKey(this.dataDir).publicKeyRaw);
    this.adopt(db);
    if (carried) this.log('warn', `${rebuiltMessage(carried)} A new cache is synced in its place.`);
    return carried?.aside ?? null;
  }

  /** Starts building the facet indexes a sync left for later, unless none is pending or a build runs; returns the job id. */
  startIndexing(): string | null {
    const cachePath = this.cachePath;
    const known = this.indexJobs.get(cachePath);
    if (known && this.jobs.get(known)?.state === 'running') return known;
    if (!indexesStillToBuild(this.cache()).length) return null;
    const jobId = this.jobs.start('index', (ctl) => runIndexJob({ cachePath }, ctl));
    this.indexJobs.set(cachePath, jobId);
    return jobId;
  }

  /** The open cache's latest background index build, if any. */
  indexJob(): JobStatus | undefined {
    const id = this.indexJobs.get(this.cachePath);
    return id ? this.jobs.get(id) : undefined;
  }

  /** The read workers, started on first use after the cache exists and is migrated; undefined when disabled. */
  queryPool(): QueryPool | undefined {
    if (this.queryWorkers === 0) return undefined;
    if (!this.pool) {
      this.cache();
      this.pool = new QueryPool(this.cachePath, this.queryWorkers, { dataDir: this.dataDir });
    }
    return this.pool;
  }

  /**
   * Closing the app: running jobs (a sync, a background index build) are cancelled and
   * awaited before the cache closes, so nothing writes to the engagement folder once this
   * resolves. A job stops at its next cancellation point: a build still waiting for the
   * writer lease stops at once, one already inside its transaction finishes it first.
   */
  async shutdown(): Promise<void> {
    await this.jobs.stopAll();
    this.close();
  }

  close(): void {
    void this.pool?.close();
    this.pool = undefined;
    this.db?.close();
    this.db = undefined;
  }
}
