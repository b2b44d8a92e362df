// Before engagements, every connection shared <data-dir>/cache.sqlite and the profiles
// lived in <data-dir>/config.json. On the first start with engagements that cache
// becomes one engagement, named after its connection(s): the files are moved (renamed
// on the same disk, the WAL with them), never rewritten, so nothing is lost. Runs once:
// the list of engagements exists afterwards.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { createEngagementFolder, freeFolderFor, type EngagementRegistry } from './registry.js';
import { engagementPaths } from './paths.js';

export const LEGACY_CACHE_FILE = 'cache.sqlite';

export interface LegacyMigration {
  dir: string;
  name: string;
  /** one sentence for the user: what moved where */
  notice: string;
}

/** The old settings' connection part, as the app's settings file holds it (read by the caller). */
export interface LegacySettings {
  connections: { name: string; isDemo?: boolean }[];
  activeConnectionId: string | null;
}

export function migrateLegacyCache(registry: EngagementRegistry, readSettings: () => LegacySettings, now = new Date()): LegacyMigration | null {
  const oldCache = join(registry.dataDir, LEGACY_CACHE_FILE);
  if (registry.exists() || !existsSync(oldCache)) return null;
  const settings = readSettings();
  const names = settings.connections.map((c) => c.name);
  const demoOnly = settings.connections.length > 0 && settings.connections.every((c) => c.isDemo);
  const name = demoOnly ? 'Demo' : names.length ? names.join(' + ').slice(0, 200) : 'Imported cache';
  const { dir } = createEngagementFolder(freeFolderFor(registry.defaultParent(), name), {
    name,
    purpose: 'Moved here from the cache every connection shared before engagements existed.',
    createdAt: now.toISOString(),
    migratedFrom: oldCache,
    ...(demoOnly ? { demo: true } : {}),
  });
  const paths = engagementPaths(dir);
  // The profiles travel with their cache; passwords stay where they were (keychain or memory), keyed by profile id.
  writeFileAtomic(paths.connections, JSON.stringify({ connections: settings.connections, activeConnectionId: settings.activeConnectionId }, null, 2) + '\n');
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(oldCache + suffix)) renameSync(oldCache + suffix, paths.cache + suffix);
  }
  registry.remember(dir, true);
  return {
    dir,
    name,
    notice: `The cache all connections shared (${oldCache}) is now the engagement "${name}" in ${dir}; nothing was deleted. New clients get their own engagement.`,
  };
}
