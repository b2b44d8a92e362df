// Files and folders that hold tenant data, keys or settings are for this user only:
// other local users must not read a cache, its -wal/-shm side files, an export's work
// files or the data folder. One place decides the modes, so every writer agrees.
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { environment } from './environment.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The data folder: settings, the default cache, the auditor key, identities. */
export function defaultDataDir(): string {
  return environment().dataDir ?? join(homedir(), '.auditdesk');
}

/**
 * Creates `dir` (and missing parents) 0700. An existing folder that others may enter
 * is tightened to 0700; its old mode is returned so the caller can say so (else null).
 */
export function ensurePrivateDir(dir: string): number | null {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  chmodSync(dir, (mode & 0o700) | PRIVATE_DIR_MODE);
  return mode;
}

/** The notice for a data folder ensurePrivateDir tightened. */
export function tightenedNotice(dir: string, oldMode: number): string {
  return `the data folder ${dir} was open to other users (mode ${oldMode.toString(8).padStart(4, '0')}); it is now 0700 (owner only).`;
}

/** A new temporary folder only this user can enter (mkdtemp's 0700, said explicitly). */
export function makePrivateTempDir(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix));
  chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/**
 * Creates `path` empty with mode 0600 unless it exists. SQLite creates a database's
 * -wal and -shm files with the database file's mode, so a cache made here keeps all
 * three private.
 */
export function createPrivateFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  closeSync(fd);
}
