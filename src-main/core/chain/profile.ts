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
  /** Payload encoding: RFC 8785 JSON of {column: value}. Only "jcs" is defined so far. */
  encoding: z.literal('jcs').default('jcs'),
  separator: z.string().default('\n'),
  algorithm: z.enum(['sha256', 'sha512']).default('sha256'),
  /** prev_hash of the first row; null means "0" repeated to the digest's hex length. */
  genesis: z.string().nullable().default(null),
});

export type ChainProfile = z.infer<typeof chainProfileSchema>;

export const JCS_SHA256_V1: ChainProfile = Object.freeze(
  chainProfileSchema.parse({ name: 'jcs-sha256-v1' }),
) as ChainProfile;

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
