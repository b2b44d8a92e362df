// `--engagement DIR` or `--cache FILE` for commands that work on an existing cache
// (review, journal, controls): exactly one, resolved through the engagement layout.
import { existsSync } from 'node:fs';
import { engagementPaths } from '../core/engagement/paths.js';
import { UserError } from '../core/util/errors.js';

export interface CacheTargetFlags {
  engagement?: string;
  cache?: string;
}

/** The cache file the flags name; it must exist unless `create` is set. */
export function cacheFileOf(flags: CacheTargetFlags, opts: { create?: boolean } = {}): string {
  if (flags.engagement && flags.cache) {
    throw new UserError('--engagement and --cache both name a cache.', 'E_USAGE', 'Pass one: --engagement DIR (its cache.sqlite) or --cache FILE.');
  }
  const file = flags.engagement ? engagementPaths(flags.engagement).cache : flags.cache;
  if (!file) throw new UserError('no cache named.', 'E_USAGE', 'Pass --engagement DIR or --cache FILE.');
  if (!opts.create && !existsSync(file)) {
    throw new UserError(
      `cache ${file} does not exist.`,
      'E_CACHE_MISSING',
      flags.engagement ? 'Check the engagement folder, or sync into it first.' : 'Check the path, or run `auditdesk sync` first.',
    );
  }
  return file;
}
