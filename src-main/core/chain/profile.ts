// Hash-chain profiles: how rows of an events table are ordered, keyed and hashed.
// jcs-sha256-v1 is the documented default (docs/hash-chain.md); a profile file
// lets an auditor check logs written under another system's conventions.
import { chainProfileSchema, type ChainProfile, type NamedProfileName } from '../contract/chain-profile.js';

// Re-exported: the shape lives in the contract (a leaf, issue 12).
export { chainProfileSchema, type ChainProfile };

export const JCS_SHA256_V1: ChainProfile = Object.freeze(chainProfileSchema.parse({ name: 'jcs-sha256-v1' })) as ChainProfile;

/** v1 without its blind spots: json/jsonb numbers as PostgreSQL prints them, duplicate keys kept (issue 20). */
export const JCS_EXACT_SHA256_V2: ChainProfile = Object.freeze(chainProfileSchema.parse({ name: 'jcs-exact-sha256-v2', encoding: 'jcs-exact' })) as ChainProfile;

/** The profiles `--profile NAME` selects without a file. */
export const NAMED_PROFILES: Readonly<Record<string, ChainProfile>> = Object.freeze({
  'jcs-sha256-v1': JCS_SHA256_V1,
  'jcs-exact-sha256-v2': JCS_EXACT_SHA256_V2,
} satisfies Record<NamedProfileName, ChainProfile>);

export function genesisOf(profile: ChainProfile): string {
  if (profile.genesis !== null) return profile.genesis;
  return '0'.repeat(profile.algorithm === 'sha512' ? 128 : 64);
}

export function parseProfile(json: unknown): ChainProfile {
  const parsed = chainProfileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid chain profile: ${first?.path.join('.') || '(root)'}: ${first?.message}. See docs/hash-chain.md#profiles.`);
  }
  return parsed.data;
}
