// Where an engagement keeps each thing. One folder holds a whole investigation, so
// copying or archiving it hands the work over; every module that reads or writes an
// engagement asks here instead of joining names of its own.
import { join, resolve } from 'node:path';

export interface EngagementPaths {
  /** the engagement folder itself, absolute */
  dir: string;
  /** name, client, purpose, created by/at, period under review */
  meta: string;
  /** the local cache: rows, verdicts, checkpoints, findings, decisions, the reviewer journal */
  cache: string;
  /** the engagement's connection profiles (never their passwords: those stay in the keychain or memory) */
  connections: string;
  /** packages made in this engagement, by default */
  exports: string;
}

export const ENGAGEMENT_META_FILE = 'engagement.json';

export function engagementPaths(dir: string): EngagementPaths {
  const abs = resolve(dir);
  return {
    dir: abs,
    meta: join(abs, ENGAGEMENT_META_FILE),
    cache: join(abs, 'cache.sqlite'),
    connections: join(abs, 'connections.json'),
    exports: join(abs, 'exports'),
  };
}
