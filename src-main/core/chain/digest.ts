import { createHash } from 'node:crypto';
import { jcs, canonicalValue, type ColumnType, type JsonValue } from './canonical.js';

/**
 * Row digest used by seals and Merkle roots: sha256 of the JCS object of *every*
 * column (hash columns included), so any change to a stored row changes it.
 */
export function rowDigest(columns: readonly ColumnType[], values: readonly (string | null)[]): string {
  const obj: Record<string, JsonValue> = {};
  for (let i = 0; i < columns.length; i++) obj[columns[i]!.name] = canonicalValue(columns[i]!.type, values[i] ?? null);
  return createHash('sha256').update(jcs(obj), 'utf8').digest('hex');
}
