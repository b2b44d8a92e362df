// A hash-chain profile read from JSON (a --profile file, a stored profile, a package's
// manifest), checked against the contract's schema. Apart from chain/profile.ts so the
// workers that hash rows do not load zod.
import { chainProfileSchema, type ChainProfile } from '../contract/chain-profile.js';

export function parseProfile(json: unknown): ChainProfile {
  const parsed = chainProfileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid chain profile: ${first?.path.join('.') || '(root)'}: ${first?.message}. See docs/hash-chain.md#profiles.`);
  }
  return parsed.data;
}
