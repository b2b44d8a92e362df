// A compiled payload builder for verification at scale. It writes exactly the bytes
// of makePayloadBuilder (src-main/core/chain/hash.ts, the spec's implementation) but
// sorts the keys once per table instead of once per row and skips the intermediate
// object, which is what the 1,000,000-rows-in-3-seconds target needs. The unit test
// test/unit/chain-values.test.ts checks the two against each other on random rows.
import { canonicalDate, canonicalTimestamp, typeCategory, type ColumnType, type TypeCategory } from './canonical.js';
import type { ChainProfile } from './profile.js';
import { JCS_SHA256_V1 } from './profile.js';
import { exactJsonText, PLAIN_STRING } from './exact-json.js';

const MAX_SAFE = 9007199254740991n;
const SMALL_INT = /^-?(?:0|[1-9]\d{0,14})$/;
const LOWER_HEX = /^[0-9a-f-]*$/;
const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** Characters JSON.stringify would escape (and, to keep the test simple, every surrogate). */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

type Encoder = (text: string) => string;

interface ColumnEncoder {
  /** The value's JSON text in the payload. */
  encode: Encoder;
  /**
   * For values that are JSON strings: the text between the quotes when it needs no
   * escape (encode(t) is then exactly `"` + inner(t) + `"`), else null. The builder
   * then writes the quotes as part of its constant pieces: fewer, longer pieces make a
   * payload that is cheaper to flatten for the hash.
   */
  inner?: (text: string) => string | null;
}

const plain = (t: string) => (NEEDS_ESCAPE.test(t) ? null : t);

const ENCODERS: Record<TypeCategory, ColumnEncoder> = {
  integer: {
    encode: (t) => {
      if (SMALL_INT.test(t)) return t;
      const big = BigInt(t);
      return big <= MAX_SAFE && big >= -MAX_SAFE ? big.toString() : `"${big.toString()}"`;
    },
  },
  decimal: { encode: (t) => JSON.stringify(t), inner: plain },
  boolean: { encode: (t) => (t === 't' || t === 'true' ? 'true' : 'false') },
  json: { encode: (t) => canonicalJsonText(t) },
  // canonicalTimestamp prints only digits, letters, '-', '+', ':' and '.': never an escape
  timestamp: { encode: (t) => (CANONICAL_TS.test(t) ? `"${t}"` : JSON.stringify(canonicalTimestamp(t))), inner: (t) => (CANONICAL_TS.test(t) ? t : canonicalTimestamp(t)) },
  date: { encode: (t) => JSON.stringify(canonicalDate(t)), inner: (t) => plain(canonicalDate(t)) },
  // lowercase hex and hyphens (what PostgreSQL prints) are their own lowercase and need no escape
  uuid: { encode: (t) => JSON.stringify(t.toLowerCase()), inner: (t) => (LOWER_HEX.test(t) ? t : null) },
  text: { encode: (t) => JSON.stringify(t), inner: plain },
};

/** json/jsonb under jcs-exact-sha256-v2: numbers and repeated keys as stored. */
const EXACT_JSON: ColumnEncoder = { encode: exactJsonText };

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

// The text being read and the reading position. Module state rather than closures:
// four closures per call cost more than the scan of a short jsonb value. Nothing in
// the scan calls back into canonicalJsonText, so one text at a time is all there is.
let src = '';
let pos = 0;

/** JSON's number grammar; group 1 marks a fraction or an exponent. */
const NUMBER = /-?(?:0|[1-9]\d*)((?:\.\d+)?(?:[eE][+-]?\d+)?)/y;

function skipSpace(): void {
  for (;;) {
    const c = src.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else return;
  }
}

/** At a quote: the string token, quotes included, exactly as written. */
function plainString(): string {
  PLAIN_STRING.lastIndex = pos;
  if (!PLAIN_STRING.test(src)) throw OUTSIDE;
  const start = pos;
  pos = PLAIN_STRING.lastIndex;
  return src.slice(start, pos);
}

function jsonValue(): string {
  skipSpace();
  const c = src.charCodeAt(pos);
  if (c === 0x22) return plainString();
  if (c === 0x7b) return jsonObject();
  if (c === 0x5b) {
    pos++;
    skipSpace();
    if (src.charCodeAt(pos) === 0x5d) {
      pos++;
      return '[]';
    }
    let out = '[' + jsonValue();
    for (;;) {
      skipSpace();
      const d = src.charCodeAt(pos++);
      if (d === 0x5d) return out + ']';
      if (d !== 0x2c) throw OUTSIDE;
      out += ',' + jsonValue();
    }
  }
  if (c === 0x74 && src.startsWith('true', pos)) {
    pos += 4;
    return 'true';
  }
  if (c === 0x66 && src.startsWith('false', pos)) {
    pos += 5;
    return 'false';
  }
  if (c === 0x6e && src.startsWith('null', pos)) {
    pos += 4;
    return 'null';
  }
  NUMBER.lastIndex = pos;
  const m = NUMBER.exec(src);
  if (m === null) throw OUTSIDE;
  const token = m[0];
  pos = NUMBER.lastIndex;
  // An integer of at most 15 characters is exact and prints as written; "-0" prints as 0.
  if (m[1] === '' && token.length <= 15 && token !== '-0') return token;
  // JSON.parse reads a number token as Number() does; the reference then prints it with JSON.stringify.
  const v = Number(token);
  if (!Number.isFinite(v)) throw OUTSIDE;
  return JSON.stringify(v);
}

/** Members of the objects being read, one set per nesting level, reused from row to row. */
interface Members {
  keys: string[];
  bare: string[];
  vals: string[];
}
const membersByDepth: Members[] = [];
let depth = 0;

/** At '{': the members sorted by key (UTF-16 code units, as Array#sort compares). */
function jsonObject(): string {
  pos++;
  skipSpace();
  if (src.charCodeAt(pos) === 0x7d) {
    pos++;
    return '{}';
  }
  // deeper objects are rare: the reference takes them (and the pool stays small)
  if (depth >= 32) throw OUTSIDE;
  const { keys, bare, vals } = (membersByDepth[depth] ??= { keys: [], bare: [], vals: [] });
  depth++;
  let n = 0;
  for (;;) {
    skipSpace();
    if (src.charCodeAt(pos) !== 0x22) throw OUTSIDE;
    const k = plainString();
    const b = k.slice(1, -1);
    if (b === '__proto__') throw OUTSIDE;
    skipSpace();
    if (src.charCodeAt(pos) !== 0x3a) throw OUTSIDE;
    pos++;
    const v = jsonValue();
    // insertion sort as the members come (objects are small, and often in order already)
    let p = n;
    while (p > 0 && bare[p - 1]! > b) {
      keys[p] = keys[p - 1]!;
      bare[p] = bare[p - 1]!;
      vals[p] = vals[p - 1]!;
      p--;
    }
    if (p > 0 && bare[p - 1] === b) throw OUTSIDE;
    keys[p] = k;
    bare[p] = b;
    vals[p] = v;
    n++;
    skipSpace();
    const d = src.charCodeAt(pos++);
    if (d === 0x2c) continue;
    if (d !== 0x7d) throw OUTSIDE;
    break;
  }
  depth--;
  let out = '{' + keys[0] + ':' + vals[0];
  for (let j = 1; j < n; j++) out += ',' + keys[j] + ':' + vals[j];
  return out + '}';
}

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
  src = text;
  pos = 0;
  depth = 0;
  try {
    const out = jsonValue();
    skipSpace();
    if (pos !== text.length) throw OUTSIDE;
    return out;
  } catch {
    // OUTSIDE, or a nesting deeper than this recursion goes: the reference decides.
    return canonicalJson(JSON.parse(text) as unknown);
  } finally {
    src = '';
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
  const exact = profile.encoding === 'jcs-exact';
  // Later columns of the same name win, as they do when the payload is built as an object.
  const byName = new Map<string, number>();
  columns.forEach((c, i) => {
    if (exclude.has(c.name) || (include && !include.has(c.name))) return;
    byName.set(c.name, i);
  });
  const fields = [...byName.keys()].sort().map((name, i) => {
    const index = byName.get(name)!;
    const category = typeCategory(columns[index]!.type);
    const { encode, inner } = category === 'json' && exact ? EXACT_JSON : ENCODERS[category];
    // The separator and the quotes go into constant pieces: `prefix` opens the member,
    // `quoted` opens it and its string, and the `…AfterQuote` forms first close the
    // previous member's string. Same bytes, fewer pieces for the hash to flatten.
    const prefix = (i ? ',' : '{') + JSON.stringify(name) + ':';
    return { index, encode, inner, prefix, quoted: prefix + '"', prefixAfterQuote: '"' + prefix, quotedAfterQuote: '"' + prefix + '"' };
  });
  const n = fields.length;
  return (values) => {
    if (n === 0) return '{}';
    let out = '';
    let open = false; // the last member is a string whose closing quote is still to write
    for (let i = 0; i < n; i++) {
      const f = fields[i]!;
      const v = values[f.index];
      if (v === null || v === undefined) {
        out += (open ? f.prefixAfterQuote : f.prefix) + 'null';
        open = false;
        continue;
      }
      if (f.inner) {
        const s = f.inner(v);
        if (s !== null) {
          out += (open ? f.quotedAfterQuote : f.quoted) + s;
          open = true;
          continue;
        }
      }
      out += (open ? f.prefixAfterQuote : f.prefix) + f.encode(v);
      open = false;
    }
    return out + (open ? '"}' : '}');
  };
}
