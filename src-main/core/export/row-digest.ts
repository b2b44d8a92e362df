// rowDigest (src-main/core/chain/digest.ts) for many rows of one shape: sha256 of
// the JCS of every column. Built on the verify engine's compiled payload builder
// (same output as canonicalValue + jcs, about 3x faster), with no column excluded.
import { createHash } from 'node:crypto';
import type { ColumnType } from '../chain/canonical.js';
import { JCS_SHA256_V1 } from '../chain/profile.js';
import { compilePayloadBuilder } from '../verify/payload.js';

// Column names cannot contain NUL, so nothing is excluded from the object.
const ALL_COLUMNS = { ...JCS_SHA256_V1, hashColumn: '\u0000', prevHashColumn: '\u0000\u0000', payloadColumns: null };

export function makeRowDigester(columns: readonly ColumnType[]): (values: readonly (string | null)[]) => string {
  const jcsOf = compilePayloadBuilder(columns, ALL_COLUMNS);
  return (values) => createHash('sha256').update(jcsOf(values), 'utf8').digest('hex');
}
