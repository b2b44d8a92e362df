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

/** Characters JSON.stringify would escape (and, to keep the test simple, every surrogate). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

type Encoder = (text: string) => string;

const ENCODERS: Record<TypeCategory, Encoder> = {
  integer: (t) => {
    if (SMALL_INT.test(t)) return t;
    const big = BigInt(t);
    return big <= MAX_SAFE && big >= -MAX_SAFE ? big.toString() : `"${big.toString()}"`;
  },
  decimal: (t) => JSON.stringify(t),
  boolean: (t) => (t === 't' || t === 'true' ? 'true' : 'false'),
  json: (t) => canonicalJsonText(t),
  timestamp: (t) => (CANONICAL_TS.test(t) ? `"${t}"` : JSON.stringify(canonicalTimestamp(t))),
  date: (t) => JSON.stringify(canonicalDate(t)),
  uuid: (t) => JSON.stringify(t.toLowerCase()),
  text: (t) => (NEEDS_ESCAPE.test(t) ? JSON.stringify(t) : `"${t}"`),
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

/** Thrown inside canonicalJsonText when the text leaves the subset it rewrites itself. */
const OUTSIDE = new Error('outside the fast subset');

/**
 * canonicalJson(JSON.parse(text)) without building the value: one pass over the text
 * that copies strings and small integers as they are and sorts object members. It
 * handles only the subset where copying is provably what the reference does —
 * strings without backslashes, control characters or lone surrogates (JSON.stringify
 * prints those unchanged), keys compared as UTF-16 code units like Array#sort, no
 * repeated or "__proto__" keys, integers of up to 15 digits — and re-serialises other
 * numbers as the reference does (ES number to string). Anything else, including every
 * text JSON.parse rejects, goes to the reference itself, so errors are the same too.
 * chain-values.test.ts compares the two on random JSON texts.
 */
export function canonicalJsonText(text: string): string {
  let i = 0;
  const n = text.length;
  const space = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  /** At a quote: the string token, quotes included, exactly as written. */
  const string = (): string => {
    const start = i++;
    for (;;) {
      if (i >= n) throw OUTSIDE;
      const c = text.charCodeAt(i);
      if (c === 0x22) return text.slice(start, ++i);
      if (c === 0x5c || c < 0x20) throw OUTSIDE;
      if (c >= 0xd800 && c <= 0xdfff) {
        // only a high surrogate followed by a low one (a pair prints unescaped)
        if (c >= 0xdc00 || i + 1 >= n) throw OUTSIDE;
        const d = text.charCodeAt(i + 1);
        if (d < 0xdc00 || d > 0xdfff) throw OUTSIDE;
        i += 2;
        continue;
      }
      i++;
    }
  };
  const digits = () => {
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) i++;
      else break;
    }
    return i - start;
  };
  const value = (): string => {
    space();
    if (i >= n) throw OUTSIDE;
    const c = text.charCodeAt(i);
    if (c === 0x22) return string();
    if (c === 0x7b) {
      i++;
      space();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        return '{}';
      }
      const keys: string[] = [];
      const bare: string[] = [];
      const vals: string[] = [];
      for (;;) {
        space();
        if (text.charCodeAt(i) !== 0x22) throw OUTSIDE;
        const k = string();
        const b = k.slice(1, -1);
        if (b === '__proto__') throw OUTSIDE;
        space();
        if (text.charCodeAt(i) !== 0x3a) throw OUTSIDE;
        i++;
        keys.push(k);
        bare.push(b);
        vals.push(value());
        space();
        const d = text.charCodeAt(i++);
        if (d === 0x2c) continue;
        if (d === 0x7d) break;
        throw OUTSIDE;
      }
      const m = keys.length;
      if (m === 1) return `{${keys[0]}:${vals[0]}}`;
      // insertion sort (objects are small) on the keys without quotes, by code units
      const order = [0];
      for (let j = 1; j < m; j++) {
        const kj = bare[j]!;
        let p = order.length;
        while (p > 0 && bare[order[p - 1]!]! > kj) p--;
        if (p > 0 && bare[order[p - 1]!] === kj) throw OUTSIDE;
        order.splice(p, 0, j);
      }
      let out = '{';
      for (let j = 0; j < m; j++) out += (j ? ',' : '') + keys[order[j]!] + ':' + vals[order[j]!];
      return out + '}';
    }
    if (c === 0x5b) {
      i++;
      space();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
        return '[]';
      }
      let out = '[';
      for (let first = true; ; first = false) {
        out += (first ? '' : ',') + value();
        space();
        const d = text.charCodeAt(i++);
        if (d === 0x2c) continue;
        if (d === 0x5d) break;
        throw OUTSIDE;
      }
      return out + ']';
    }
    if (text.startsWith('true', i)) {
      i += 4;
      return 'true';
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return 'false';
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return 'null';
    }
    // a number, by JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    const start = i;
    if (c === 0x2d) i++;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (first >= 0x31 && first <= 0x39) digits();
    else throw OUTSIDE;
    let plain = true;
    if (text.charCodeAt(i) === 0x2e) {
      plain = false;
      i++;
      if (!digits()) throw OUTSIDE;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      plain = false;
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!digits()) throw OUTSIDE;
    }
    const token = text.slice(start, i);
    // An integer of at most 15 digits is exact and prints as written; "-0" prints as 0.
    if (plain && token.length <= 15 && token !== '-0') return token;
    // JSON.parse reads a number token as Number() does; the reference then prints it with JSON.stringify.
    const v = Number(token);
    if (!Number.isFinite(v)) throw OUTSIDE;
    return JSON.stringify(v);
  };
  try {
    const out = value();
    space();
    if (i !== n) throw OUTSIDE;
    return out;
  } catch {
    // OUTSIDE, or a nesting deeper than this recursion goes: the reference decides.
    return canonicalJson(JSON.parse(text) as unknown);
  }
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
