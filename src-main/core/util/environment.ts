// Every AUDITDESK_* environment variable the program reads, in one place (issue 12): its
// default, why it exists, and one clear error for a value it cannot use (before, a typo
// became NaN and quietly changed behaviour). Read when asked, not at module load, so a
// test or a front door can set one before the work starts.
// AUDITDESK_P12_PASSWORD is not here: it is a secret handed to one command
// (identity/identity.ts reads it there and nowhere else), not a setting.
import { UserError } from './errors.js';

export interface Environment {
  /** AUDITDESK_DATA_DIR: the data folder (default ~/.auditdesk); tests and portable installs set it. */
  dataDir: string | undefined;
  /** AUDITDESK_DEBUG=1: the CLI prints the stack of an unexpected error after its one line. */
  debug: boolean;
  /** AUDITDESK_BROWSER_MODE=1: `npm start` serves the UI to a browser even where Electron is installed. */
  browserMode: boolean;
  /** AUDITDESK_PORT: browser mode's port on 127.0.0.1 (default: a free one). */
  port: number | undefined;
  /** AUDITDESK_QUERY_WORKERS: the app's read workers, 0–4 (0 reads on the main thread; default 2). */
  queryWorkers: number;
  /** AUDITDESK_VERIFY_THREADS: read workers for a cached chain, 0–256 (0 reads in this thread; default one per core, up to 4). */
  verifyThreads: number | undefined;
  /** AUDITDESK_SYNC_BULK_MIN_ROWS: new rows from which a sync defers its indexes to the end (default 20,000). */
  syncBulkMinRows: number;
  /** AUDITDESK_SYNC_CACHE_KIB: SQLite page cache during a sync in KiB; 0 keeps the connection's (measured no faster). */
  syncCacheKib: number;
  /**
   * AUDITDESK_SYNC_WRITE_WORKER=1: a bulk fill commits through the write worker. Off by default:
   * the fill fetches with COPY and defers the key index, so the inserts became cheaper than
   * handing the rows to the worker (structured clone, ~3.6 s CPU per 1M rows), and PostgreSQL's
   * COPY process already uses the second core. Measured on 1M events, same load: in-thread
   * 33.3 s, 36.6 s CPU, 229 MB; worker 39.3 s, 39.7 s CPU, 303 MB (over the 300 MB budget).
   */
  syncWriteWorker: boolean;
  /** AUDITDESK_SYNC_DIGEST_WORKER=0: a bulk fill digests its rows in the main thread (default: in a worker). */
  syncDigestWorker: boolean;
  /** AUDITDESK_SYNC_NO_SYNC_FIRST_FILL=0: keep fsyncs on for the first fill of an empty cache (default off: nothing to lose yet). */
  syncNoSyncFirstFill: boolean;
}

export const ENVIRONMENT_VARIABLES = [
  'AUDITDESK_DATA_DIR',
  'AUDITDESK_DEBUG',
  'AUDITDESK_BROWSER_MODE',
  'AUDITDESK_PORT',
  'AUDITDESK_QUERY_WORKERS',
  'AUDITDESK_VERIFY_THREADS',
  'AUDITDESK_SYNC_BULK_MIN_ROWS',
  'AUDITDESK_SYNC_CACHE_KIB',
  'AUDITDESK_SYNC_WRITE_WORKER',
  'AUDITDESK_SYNC_DIGEST_WORKER',
  'AUDITDESK_SYNC_NO_SYNC_FIRST_FILL',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** The settings the environment gives, each checked; an unusable value is a UserError naming the variable. */
export function environment(env: Env = process.env): Environment {
  return {
    dataDir: text(env, 'AUDITDESK_DATA_DIR'),
    debug: flag(env, 'AUDITDESK_DEBUG', false),
    browserMode: flag(env, 'AUDITDESK_BROWSER_MODE', false),
    port: whole(env, 'AUDITDESK_PORT', 1, 65535),
    queryWorkers: whole(env, 'AUDITDESK_QUERY_WORKERS', 0, 4) ?? 2,
    verifyThreads: whole(env, 'AUDITDESK_VERIFY_THREADS', 0, 256),
    syncBulkMinRows: whole(env, 'AUDITDESK_SYNC_BULK_MIN_ROWS', 0, Number.MAX_SAFE_INTEGER) ?? 20_000,
    syncCacheKib: whole(env, 'AUDITDESK_SYNC_CACHE_KIB', 0, 64 << 20) ?? 0,
    syncWriteWorker: flag(env, 'AUDITDESK_SYNC_WRITE_WORKER', false),
    syncDigestWorker: flag(env, 'AUDITDESK_SYNC_DIGEST_WORKER', true),
    syncNoSyncFirstFill: flag(env, 'AUDITDESK_SYNC_NO_SYNC_FIRST_FILL', true),
  };
}

function text(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function flag(env: Env, name: string, unset: boolean): boolean {
  const v = text(env, name);
  if (v === undefined) return unset;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new UserError(`${name}=${JSON.stringify(v)} is not a setting AuditDesk understands.`, 'E_INPUT', `Set ${name} to 1 or 0, or unset it (default ${unset ? 1 : 0}).`);
}

function whole(env: Env, name: string, min: number, max: number): number | undefined {
  const v = text(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UserError(`${name}=${JSON.stringify(v)} is not a whole number from ${min} to ${max}.`, 'E_INPUT', `Set ${name} to a whole number from ${min} to ${max}, or unset it.`);
  }
  return n;
}
