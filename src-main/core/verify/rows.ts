// Source values (text as PostgreSQL printed them, in the table's column order) →
// the engine's ChainRow. Both adapters (cache and live source) go through here, so
// the same row yields the same verdict wherever it was read from.
import type { MappedColumn } from '../cache/record-mapping.js';
import { canonicalTimestamp } from '../chain/canonical.js';
import type { ChainProfile } from '../chain/profile.js';
import { UserError } from '../util/errors.js';
import { compilePayloadBuilder } from './payload.js';
import type { ChainRow } from './types.js';

export interface ChainShape {
  columns: readonly MappedColumn[];
  profile: ChainProfile;
  seqIdx: number;
  idIdx: number;
  prevIdx: number;
  hashIdx: number;
  timeIdx: number | null;
  payload: (values: readonly (string | null)[]) => string;
}

export function chainShape(columns: readonly MappedColumn[], profile: ChainProfile, tableLabel: string): ChainShape {
  const byName = (name: string) => columns.findIndex((c) => c.name === name);
  const need = (name: string, role: string) => {
    const i = byName(name);
    if (i < 0) {
      throw new UserError(
        `table ${tableLabel} has no column "${name}" (the ${role} of profile ${profile.name}).`,
        'E_PROFILE_COLUMNS',
        'Pass a profile file (--profile) that names the table\'s columns.',
      );
    }
    return i;
  };
  const seqIdx = need(profile.orderColumn, 'order column');
  const prevIdx = need(profile.prevHashColumn, 'previous-hash column');
  const hashIdx = need(profile.hashColumn, 'hash column');
  let idIdx = columns.findIndex((c) => c.field === 'source_key');
  if (idIdx < 0) idIdx = byName('id');
  if (idIdx < 0) idIdx = seqIdx;
  const t = columns.findIndex((c) => c.field === 'ts');
  let payload: ChainShape['payload'];
  try {
    payload = compilePayloadBuilder(columns, profile);
  } catch (e) {
    throw new UserError(`${(e as Error).message} (table ${tableLabel}).`, 'E_PROFILE_COLUMNS', 'Fix the payload columns of the profile.');
  }
  return { columns, profile, seqIdx, idIdx, prevIdx, hashIdx, timeIdx: t < 0 ? null : t, payload };
}

const INTEGER = /^-?\d+$/;
const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** The row's time as canonical UTC text (the cache stores it so; the source prints it its own way). */
function timeOf(text: string | null): string | null {
  if (text === null || CANONICAL_TS.test(text)) return text;
  try {
    return canonicalTimestamp(text);
  } catch {
    return text;
  }
}

/** What linking needs of a row — all a worker sends; id, time and values are rebuilt from the row when a break needs them. */
export interface LinkRow {
  seq: bigint | null;
  seqText: string | null;
  prevHash: string | null;
  hash: string | null;
  payload: string;
}

/** `knownSeq`: the seq already read as an exact integer (the cache), saving a parse. */
export function toLinkRow(values: readonly (string | null)[], shape: ChainShape, knownSeq?: bigint): LinkRow {
  const seqText = values[shape.seqIdx] ?? null;
  return {
    seq: knownSeq !== undefined ? knownSeq : seqOf(seqText),
    seqText,
    prevHash: values[shape.prevIdx] ?? null,
    hash: values[shape.hashIdx] ?? null,
    payload: payloadOf(values, shape),
  };
}

/** `knownSeq`: the seq already read as an exact integer (the cache), saving a parse. */
export function toChainRow(values: readonly (string | null)[], shape: ChainShape, knownSeq?: bigint): ChainRow {
  const seqText = values[shape.seqIdx] ?? null;
  return {
    seq: knownSeq !== undefined ? knownSeq : seqOf(seqText),
    seqText,
    id: values[shape.idIdx] ?? '(no id)',
    time: shape.timeIdx === null ? null : timeOf(values[shape.timeIdx] ?? null),
    prevHash: values[shape.prevIdx] ?? null,
    hash: values[shape.hashIdx] ?? null,
    payload: payloadOf(values, shape),
    values,
  };
}

function seqOf(text: string | null): bigint | null {
  return text !== null && INTEGER.test(text) ? BigInt(text) : null;
}

function payloadOf(values: readonly (string | null)[], shape: ChainShape): string {
  try {
    return shape.payload(values);
  } catch (e) {
    // A value the spec cannot canonicalise (e.g. an unreadable timestamp) still gets a
    // payload, so the row is reported as modified rather than stopping the run.
    return `\u0000unreadable value: ${(e as Error).message}`;
  }
}

/** Rebuilds a row's payload as if its seq were `seq` (re-checks a displaced row). */
export function payloadAtSeq(shape: ChainShape): (row: ChainRow, seq: bigint) => string | null {
  return (row, seq) => {
    if (!row.values) return null;
    const values = [...row.values];
    values[shape.seqIdx] = seq.toString();
    try {
      return shape.payload(values);
    } catch {
      return null;
    }
  };
}
