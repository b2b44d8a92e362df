// Hash-chain profiles: how rows of an events table are ordered, keyed and hashed.
// jcs-sha256-v1 is the documented default (docs/hash-chain.md); a profile file
// lets an auditor check logs written under another system's conventions
// (chain/profile-file.ts reads one).
//
// Only types come from the contract here: the read, copy and digest workers load this
// module, and the schema's zod would cost each of them ~100 ms to start. The named
// profiles are written out with the schema's defaults; a unit test holds them equal to
// what the schema makes of their names.
import type { ChainProfile, NamedProfileName } from '../contract/chain-profile.js';

export type { ChainProfile };

/** The schema's defaults (contract/chain-profile.ts), for a profile given by name only. */
const DEFAULTS: Omit<ChainProfile, 'name'> = {
  orderColumn: 'seq',
  chainKey: 'tenant_id',
  hashColumn: 'hash',
  prevHashColumn: 'prev_hash',
  payloadColumns: null,
  encoding: 'jcs',
  separator: '\n',
  algorithm: 'sha256',
  genesis: null,
};

export const JCS_SHA256_V1: ChainProfile = Object.freeze({ name: 'jcs-sha256-v1', ...DEFAULTS });

/** v1 without its blind spots: json/jsonb numbers as PostgreSQL prints them, duplicate keys kept (issue 20). */
export const JCS_EXACT_SHA256_V2: ChainProfile = Object.freeze({ name: 'jcs-exact-sha256-v2', ...DEFAULTS, encoding: 'jcs-exact' });

/** The profiles `--profile NAME` selects without a file. */
export const NAMED_PROFILES: Readonly<Record<string, ChainProfile>> = Object.freeze({
  'jcs-sha256-v1': JCS_SHA256_V1,
  'jcs-exact-sha256-v2': JCS_EXACT_SHA256_V2,
} satisfies Record<NamedProfileName, ChainProfile>);

export function genesisOf(profile: ChainProfile): string {
  if (profile.genesis !== null) return profile.genesis;
  return '0'.repeat(profile.algorithm === 'sha512' ? 128 : 64);
}
