// `--engagement DIR` beside `--cache FILE`: the commands that read or write a cache take
// either one (scripts keep their --cache); an engagement folder is checked to be one
// before its cache is touched, so a typo never creates a stray cache.
import type { Command } from 'commander';
import { readEngagementMeta } from '../core/engagement/meta.js';
import { engagementPaths } from '../core/engagement/paths.js';
import { UserError } from '../core/util/errors.js';

export const ENGAGEMENT_OPTION_HELP = 'an engagement folder (auditdesk engagement create): its cache is used, as with --cache';

export function addEngagementOption(command: Command): Command {
  return command.option('--engagement <dir>', ENGAGEMENT_OPTION_HELP);
}

export interface CacheChoice {
  cache?: string;
  engagement?: string;
}

/** The cache file named by --cache or --engagement; undefined when neither was given. */
export function chosenCacheFile(flags: CacheChoice): string | undefined {
  if (flags.cache && flags.engagement) {
    throw new UserError('both --cache and --engagement were given.', 'E_INPUT', 'Pass one of them: --engagement DIR for an engagement folder, --cache FILE for a cache file.');
  }
  if (flags.engagement) {
    readEngagementMeta(flags.engagement);
    return engagementPaths(flags.engagement).cache;
  }
  return flags.cache;
}

/** As chosenCacheFile, for commands that cannot work without a cache. */
export function requiredCacheFile(flags: CacheChoice): string {
  const file = chosenCacheFile(flags);
  if (!file) throw new UserError('no cache named.', 'E_INPUT', 'Pass --engagement DIR (an engagement folder) or --cache FILE.');
  return file;
}
