// Everything a handler needs, built once per front door. Plain Node: the Electron
// door passes a keychain-backed SecretStore, the others an in-memory one.
import { join } from 'node:path';
import { openCache, type CacheDb } from '../cache/open.js';
import { JobRunner } from './jobs.js';
import { ConfigStore } from './config.js';
import { MemorySecretStore, type SecretStore } from './secrets.js';
import { toolVersion } from '../util/version.js';
import { ensurePrivateDir, tightenedNotice } from '../util/private-files.js';
import { QueryPool, defaultQueryWorkers } from './query-pool.js';
import { SigningSessionState } from '../review/session.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AppContextOptions {
  dataDir: string;
  frontDoor: 'electron' | 'browser' | 'test';
  cachePath?: string;
  secrets?: SecretStore;
  /** why the secret store is what it is, when the user should know (e.g. no keychain available) */
  secretsNote?: string | null;
  log?: (level: LogLevel, message: string) => void;
  /** worker threads for cache reads (query-pool.ts); 0 runs them in this thread. Default: defaultQueryWorkers() */
  queryWorkers?: number;
}

export class AppContext {
  readonly version = toolVersion();
  readonly dataDir: string;
  readonly frontDoor: AppContextOptions['frontDoor'];
  readonly cachePath: string;
  readonly jobs = new JobRunner();
  readonly config: ConfigStore;
  readonly secrets: SecretStore;
  readonly secretsNote: string | null;
  readonly log: (level: LogLevel, message: string) => void;
  /** who signed last and when: the next signature asks for the identity again after 15 min idle */
  readonly signingSession = new SigningSessionState();
  private db: CacheDb | undefined;
  private pool: QueryPool | undefined;
  private readonly queryWorkers: number;

  constructor(opts: AppContextOptions) {
    this.dataDir = opts.dataDir;
    const looseMode = ensurePrivateDir(this.dataDir);
    this.frontDoor = opts.frontDoor;
    this.cachePath = opts.cachePath ?? join(this.dataDir, 'cache.sqlite');
    this.config = new ConfigStore(join(this.dataDir, 'config.json'));
    this.secrets = opts.secrets ?? new MemorySecretStore();
    this.secretsNote = opts.secretsNote ?? null;
    this.queryWorkers = opts.queryWorkers ?? defaultQueryWorkers();
    this.log = opts.log ?? ((level, message) => (level === 'debug' ? undefined : console.error(`[${level}] ${message}`)));
    if (looseMode !== null) this.log('warn', tightenedNotice(this.dataDir, looseMode));
  }

  /** The cache, opened (and migrated) on first use. */
  cache(): CacheDb {
    if (!this.db) this.db = openCache(this.cachePath);
    return this.db;
  }

  /** The read workers, started on first use after the cache exists and is migrated; undefined when disabled. */
  queryPool(): QueryPool | undefined {
    if (this.queryWorkers === 0) return undefined;
    if (!this.pool) {
      this.cache();
      this.pool = new QueryPool(this.cachePath, this.queryWorkers);
    }
    return this.pool;
  }

  close(): void {
    void this.pool?.close();
    this.pool = undefined;
    this.db?.close();
    this.db = undefined;
  }
}
