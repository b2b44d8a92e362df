// Hash-chain profiles: how rows of an events table are ordered, keyed and hashed.
// jcs-sha256-v1 is the documented default (docs/hash-chain.md); a profile file
// lets an auditor check logs written under another system's conventions.
import { z } from 'zod';

export const chainProfileSchema = z.object({
  name: z.string().min(1),
  orderColumn: z.string().min(1).default('seq'),
  chainKey: z.string().min(1).default('tenant_id'),
  hashColumn: z.string().min(1).default('hash'),
  prevHashColumn: z.string().min(1).default('prev_hash'),
  /** Columns that enter the payload; null means every column except hash and previous hash. */
  payloadColumns: z.array(z.string().min(1)).nullable().default(null),
  /**
   * Payload encoding: RFC 8785 JSON of {column: value} ("jcs"), or the same with json/jsonb
   * numbers and repeated keys kept exactly as stored ("jcs-exact", docs/hash-chain.md).
   */
  encoding: z.enum(['jcs', 'jcs-exact']).default('jcs'),
  separator: z.string().default('\n'),
  algorithm: z.enum(['sha256', 'sha512']).default('sha256'),
  /** prev_hash of the first row; null means "0" repeated to the digest's hex length. */
  genesis: z.string().nullable().default(null),
});

export type ChainProfile = z.infer<typeof chainProfileSchema>;

export const JCS_SHA256_V1: ChainProfile = Object.freeze(
  chainProfileSchema.parse({ name: 'jcs-sha256-v1' }),
) as ChainProfile;

/** v1 without its blind spots: json/jsonb numbers as PostgreSQL prints them, duplicate keys kept (issue 20). */
export const JCS_EXACT_SHA256_V2: ChainProfile = Object.freeze(
  chainProfileSchema.parse({ name: 'jcs-exact-sha256-v2', encoding: 'jcs-exact' }),
) as ChainProfile;

/** The profiles `--profile NAME` selects without a file. */
export const NAMED_PROFILES: Readonly<Record<string, ChainProfile>> = Object.freeze({
  [JCS_SHA256_V1.name]: JCS_SHA256_V1,
  [JCS_EXACT_SHA256_V2.name]: JCS_EXACT_SHA256_V2,
});

export function genesisOf(profile: ChainProfile): string {
  if (profile.genesis !== null) return profile.genesis;
  return '0'.repeat(profile.algorithm === 'sha512' ? 128 : 64);
}

export function parseProfile(json: unknown): ChainProfile {
  const parsed = chainProfileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `invalid chain profile: ${first?.path.join('.') || '(root)'}: ${first?.message}. See docs/hash-chain.md#profiles.`,
    );
  }
  return parsed.data;
}
