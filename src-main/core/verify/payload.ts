// A compiled payload builder for verification at scale. It writes exactly the bytes
// of makePayloadBuilder (src-main/core/chain/hash.ts, the spec's implementation) but
// sorts the keys once per table instead of once per row and skips the intermediate
// object, which is what the 1,000,000-rows-in-3-seconds target needs. The unit test
// test/unit/chain-values.test.ts checks the two against each other on random rows.
import { canonicalDate, canonicalTimestamp, typeCategory, type ColumnType, type TypeCategory } from '../chain/canonical.js';
import type { ChainProfile } from '../chain/profile.js';
import { JCS_SHA256_V1 } from '../chain/profile.js';

const MAX_SAFE = 9007199254740991n;
const SMALL_INT = /^-?(?:0|[1-9]\d{0,14})$/;
const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

type Encoder = (text: string) => string;

const ENCODERS: Record<TypeCategory, Encoder> = {
  integer: (t) => {
    if (SMALL_INT.test(t)) return t;
    const big = BigInt(t);
    return big <= MAX_SAFE && big >= -MAX_SAFE ? big.toString() : `"${big.toString()}"`;
  },
  decimal: (t) => JSON.stringify(t),
  boolean: (t) => (t === 't' || t === 'true' ? 'true' : 'false'),
  json: (t) => canonicalJson(JSON.parse(t) as unknown),
  timestamp: (t) => (CANONICAL_TS.test(t) ? `"${t}"` : JSON.stringify(canonicalTimestamp(t))),
  date: (t) => JSON.stringify(canonicalDate(t)),
  uuid: (t) => JSON.stringify(t.toLowerCase()),
  text: (t) => JSON.stringify(t),
};

/** RFC 8785 serialisation of a parsed JSON value; mirrors the `canonicalize` package. */
export function canonicalJson(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(Number.isNaN(v) ? 'NaN is not allowed' : 'Infinity is not allowed');
    return JSON.stringify(v);
  }
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i) out += ',';
      const item = v[i] as unknown;
      out += canonicalJson(item === undefined ? null : item);
    }
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    if (o[k] === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + canonicalJson(o[k]);
  }
  return out + '}';
}

/** Same contract as makePayloadBuilder(columns, profile): source values in column order → payload text. */
export function compilePayloadBuilder(columns: readonly ColumnType[], profile: ChainProfile = JCS_SHA256_V1): (values: readonly (string | null)[]) => string {
  const exclude = new Set([profile.hashColumn, profile.prevHashColumn]);
  const include = profile.payloadColumns ? new Set(profile.payloadColumns) : null;
  if (include) {
    const known = new Set(columns.map((c) => c.name));
    const missing = [...include].filter((c) => !known.has(c));
    if (missing.length) throw new Error(`profile ${profile.name} names payload columns the table lacks: ${missing.join(', ')}`);
  }
  // Later columns of the same name win, as they do when the payload is built as an object.
  const byName = new Map<string, number>();
  columns.forEach((c, i) => {
    if (exclude.has(c.name) || (include && !include.has(c.name))) return;
    byName.set(c.name, i);
  });
  const fields = [...byName.keys()].sort().map((name) => {
    const index = byName.get(name)!;
    return { prefix: JSON.stringify(name) + ':', index, encode: ENCODERS[typeCategory(columns[index]!.type)] };
  });
  const n = fields.length;
  return (values) => {
    let out = '{';
    for (let i = 0; i < n; i++) {
      const f = fields[i]!;
      const v = values[f.index];
      out += (i ? ',' : '') + f.prefix + (v === null || v === undefined ? 'null' : f.encode(v));
    }
    return out + '}';
  };
}
