// `--profile NAME|FILE` and `--profile-map FILE`: the hash-chain profiles verify
// checks with and sync records per tenant (docs/hash-chain.md#profiles).
import { readFileSync } from 'node:fs';
import { NAMED_PROFILES, type ChainProfile } from '../core/chain/profile.js';
import { parseProfile } from '../core/chain/profile-file.js';
import { UserError } from '../core/util/errors.js';

const NAMES = Object.keys(NAMED_PROFILES).join(', ');

/** A named profile, or a JSON file holding one. */
export function readProfile(nameOrPath: string): ChainProfile {
  const named = NAMED_PROFILES[nameOrPath];
  if (named) return named;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the profile file ${nameOrPath} (${(e as Error).message}).`, 'E_PROFILE', `Name a profile (${NAMES}) or a JSON file; see docs/hash-chain.md#profiles.`);
  }
  return profileFrom(raw, `profile file ${nameOrPath}`);
}

/** {"tenant": "profile name" | {profile object}, …} from a JSON file. */
export function readProfileMap(path: string): Record<string, ChainProfile> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the profile map ${path} (${(e as Error).message}).`, 'E_PROFILE', `It must be a JSON object of tenant → profile, e.g. {"initech-ai": "jcs-exact-sha256-v2"}.`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`the profile map ${path} is not a JSON object.`, 'E_PROFILE', `Write tenant → profile, e.g. {"initech-ai": "jcs-exact-sha256-v2"}.`);
  }
  const out: Record<string, ChainProfile> = {};
  for (const [tenant, value] of Object.entries(raw)) {
    if (typeof value === 'string') {
      const named = NAMED_PROFILES[value];
      if (!named) throw new UserError(`the profile map ${path} names an unknown profile "${value}" for tenant ${tenant}.`, 'E_PROFILE', `Use one of ${NAMES}, or write the profile object itself.`);
      out[tenant] = named;
    } else out[tenant] = profileFrom(value, `the profile map ${path}, tenant ${tenant}`);
  }
  return out;
}

function profileFrom(raw: unknown, where: string): ChainProfile {
  try {
    return parseProfile(raw);
  } catch (e) {
    throw new UserError(`${where}: ${(e as Error).message}`, 'E_PROFILE');
  }
}
