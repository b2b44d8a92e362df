import { hash } from 'node:crypto';
import { payloadOf, type ColumnType } from './canonical.js';
import { genesisOf, type ChainProfile, JCS_SHA256_V1 } from './profile.js';

/**
 * hash = hex(H(utf8(prev_hash + separator + payload))). One-shot crypto.hash: same
 * bytes as createHash().update().digest(), about three times faster per row.
 */
export function chainHash(prevHash: string, payload: string, profile: ChainProfile = JCS_SHA256_V1): string {
  return hash(profile.algorithm, prevHash + profile.separator + payload, 'hex');
}

/** Builds the payload of one row for a profile from the source's column list and printed values. */
export function makePayloadBuilder(columns: readonly ColumnType[], profile: ChainProfile = JCS_SHA256_V1) {
  const exclude = new Set([profile.hashColumn, profile.prevHashColumn]);
  const include = profile.payloadColumns ? new Set(profile.payloadColumns) : undefined;
  if (include) {
    const known = new Set(columns.map((c) => c.name));
    const missing = [...include].filter((c) => !known.has(c));
    if (missing.length) throw new Error(`profile ${profile.name} names payload columns the table lacks: ${missing.join(', ')}`);
  }
  const exact = profile.encoding === 'jcs-exact';
  return (values: readonly (string | null)[]) => payloadOf(columns, values, exclude, include, exact);
}

export { genesisOf };
