// Source values (text as PostgreSQL printed them, in the table's column order) →
// the engine's ChainRow. Both adapters (cache and live source) go through here, so
// the same row yields the same verdict wherever it was read from.
import type { MappedColumn } from '../cache/record-mapping.js';
import { canonicalTimestamp, typeCategory } from '../chain/canonical.js';
import { unprotectedIn, type UnprotectedKind } from '../chain/exact-json.js';
import type { ChainProfile } from '../chain/profile.js';
import { UserError } from '../util/errors.js';
import { compilePayloadBuilder } from '../chain/payload.js';
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
  /** What the profile cannot protect in a row's json/jsonb values (null: nothing it could lose). */
  unprotected: ((values: readonly (string | null)[]) => UnprotectedKind[]) | null;
}

export function chainShape(columns: readonly MappedColumn[], profile: ChainProfile, tableLabel: string): ChainShape {
  const byName = (name: string) => columns.findIndex((c) => c.name === name);
  const need = (name: string, role: string) => {
    const i = byName(name);
    if (i < 0) {
      throw new UserError(
        `table ${tableLabel} has no column "${name}" (the ${role} of profile ${profile.name}).`,
        'E_PROFILE_COLUMNS',
        "Pass a profile file (--profile) that names the table's columns.",
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
  return { columns, profile, seqIdx, idIdx, prevIdx, hashIdx, timeIdx: t < 0 ? null : t, payload, unprotected: unprotectedCheck(columns, profile) };
}

/** The json/jsonb columns of the payload whose values v1 (RFC 8785) may lose information of. */
function unprotectedCheck(columns: readonly MappedColumn[], profile: ChainProfile): ChainShape['unprotected'] {
  if (profile.encoding === 'jcs-exact') return null;
  const skip = new Set([profile.hashColumn, profile.prevHashColumn]);
  const include = profile.payloadColumns ? new Set(profile.payloadColumns) : null;
  const json = columns
    .map((c, i) => ({ i, kind: c.type.trim().toLowerCase() === 'json' ? ('json' as const) : ('jsonb' as const), c }))
    .filter(({ c }) => typeCategory(c.type) === 'json' && !skip.has(c.name) && (!include || include.has(c.name)));
  if (!json.length) return null;
  return (values) => {
    let found: UnprotectedKind[] = [];
    for (const { i, kind } of json) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const lost = unprotectedIn(v, kind);
      if (lost.length) found = [...new Set([...found, ...lost])];
    }
    return found;
  };
}

export function unprotectedOf(values: readonly (string | null)[], shape: ChainShape): UnprotectedKind[] | undefined {
  const lost = shape.unprotected?.(values);
  return lost && lost.length ? lost : undefined;
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
  /** Values of this row the profile cannot protect (absent: none). */
  unprotected?: UnprotectedKind[];
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
    unprotected: unprotectedOf(values, shape),
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
    unprotected: unprotectedOf(values, shape),
  };
}

function seqOf(text: string | null): bigint | null {
  return text !== null && INTEGER.test(text) ? BigInt(text) : null;
}

export function payloadOf(values: readonly (string | null)[], shape: ChainShape): string {
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
