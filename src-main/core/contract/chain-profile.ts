// A hash-chain profile as data (docs/hash-chain.md#profiles): how rows of an events
// table are ordered, keyed and hashed. The contract owns the shape (a verify report
// carries the profile it used); chain/profile.ts defines the named profiles.
import { z } from 'zod';

/**
 * The hash-chain profiles a mapping can name per tenant (docs/hash-chain.md#profiles);
 * chain/profile.ts defines each, and the type checker makes it define exactly these.
 */
export const NAMED_PROFILE_NAMES = ['jcs-sha256-v1', 'jcs-exact-sha256-v2'] as const;
export type NamedProfileName = (typeof NAMED_PROFILE_NAMES)[number];

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
