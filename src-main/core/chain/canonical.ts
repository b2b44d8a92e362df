// Canonical values for profile jcs-sha256-v1 (docs/hash-chain.md).
//
// Every value arrives as the exact text PostgreSQL printed (session TimeZone=UTC,
// DateStyle=ISO); nothing here goes through Date or a JS number unless the
// spec says the result is a JSON number, so what we hash is what the source stored.
import canonicalizeModule from 'canonicalize';
import { exactJsonText } from './exact-json.js';

// The package's d.ts declares an ES default export, but it ships `module.exports = fn`.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

export interface ColumnType {
  name: string;
  /** PostgreSQL type name as in pg_type.typname / information_schema udt_name (int8, timestamptz, jsonb, …). */
  type: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_SAFE = 9007199254740991n;

const TYPE_ALIASES: Record<string, string> = {
  bigint: 'int8',
  integer: 'int4',
  int: 'int4',
  smallint: 'int2',
  boolean: 'bool',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'double precision': 'float8',
  real: 'float4',
  'character varying': 'varchar',
  character: 'bpchar',
};

export function normaliseTypeName(type: string): string {
  const lower = type.trim().toLowerCase();
  return TYPE_ALIASES[lower] ?? lower;
}

export type TypeCategory = 'integer' | 'decimal' | 'boolean' | 'json' | 'timestamp' | 'date' | 'uuid' | 'text';

export function typeCategory(type: string): TypeCategory {
  switch (normaliseTypeName(type)) {
    case 'int2':
    case 'int4':
    case 'int8':
      return 'integer';
    case 'numeric':
    case 'float4':
    case 'float8':
      return 'decimal';
    case 'bool':
      return 'boolean';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'timestamptz':
    case 'timestamp':
      return 'timestamp';
    case 'date':
      return 'date';
    case 'uuid':
      return 'uuid';
    default:
      return 'text';
  }
}

const TIMESTAMP_TEXT = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?|Z)?( BC)?$/;

/**
 * Turns PostgreSQL's timestamp text into `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, 6 digits).
 * A non-UTC offset is folded into the time with integer arithmetic; infinity stays as printed.
 */
// What PostgreSQL prints for a timestamptz in a UTC session with microseconds: the
// canonical form is then only rearranged, and the full pattern below need not run.
const UTC_MICROS = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00$/;

export function canonicalTimestamp(text: string): string {
  if (UTC_MICROS.test(text)) return `${text.slice(0, 10)}T${text.slice(11, 26)}Z`;
  if (text === 'infinity' || text === '-infinity') return text;
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) throw new Error(`unrecognised timestamp text "${text}"`);
  const [, y, mo, d, h, mi, s, frac = '', sign, oh = '00', om = '00', os = '00', bc] = m;
  const micro = frac.padEnd(6, '0');
  const offsetSeconds = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os)) : 0;
  if (offsetSeconds === 0 && !bc) return `${y}-${mo}-${d}T${h}:${mi}:${s}.${micro}Z`;
  // Rare path (non-UTC session or BC dates): shift whole seconds via UTC calendar maths.
  const year = bc ? 1 - Number(y) : Number(y);
  const shifted = new Date(0);
  shifted.setUTCFullYear(year, Number(mo) - 1, Number(d));
  shifted.setUTCHours(Number(h), Number(mi), Number(s) - offsetSeconds, 0);
  const iso = shifted.toISOString(); // ±YYYYYY-MM-DDTHH:MM:SS.000Z for out-of-range years
  return `${iso.slice(0, iso.length - 5)}.${micro}Z`;
}

export function canonicalDate(text: string): string {
  return text.length >= 10 ? text.slice(0, 10) : text;
}

/** The JSON value a column contributes to the payload. `text` is exactly what PostgreSQL printed, or null. */
export function canonicalValue(type: string, text: string | null): JsonValue {
  if (text === null || text === undefined) return null;
  switch (typeCategory(type)) {
    case 'integer': {
      const big = BigInt(text);
      return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big.toString();
    }
    case 'decimal':
      return text;
    case 'boolean':
      return text === 't' || text === 'true';
    case 'json':
      return JSON.parse(text) as JsonValue;
    case 'timestamp':
      return canonicalTimestamp(text);
    case 'date':
      return canonicalDate(text);
    case 'uuid':
      return text.toLowerCase();
    default:
      return text;
  }
}

/** RFC 8785 serialisation of any JSON value. */
export function jcs(value: JsonValue): string {
  const out = canonicalize(value);
  if (out === undefined) throw new Error('value cannot be serialised as JSON');
  return out;
}

/**
 * payload(row) for jcs-sha256-v1: every column except the excluded ones (hash, prev_hash),
 * keyed by column name. With `exact` (jcs-exact-sha256-v2) json/jsonb values are written
 * by exactJsonText instead of being read as JavaScript values.
 */
export function payloadOf(columns: readonly ColumnType[], values: readonly (string | null)[], exclude: ReadonlySet<string>, include?: ReadonlySet<string>, exact = false): string {
  const obj: Record<string, JsonValue> = {};
  const verbatim = new Map<string, string>();
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!;
    if (exclude.has(col.name)) continue;
    if (include && !include.has(col.name)) continue;
    const text = values[i] ?? null;
    if (exact && text !== null && typeCategory(col.type) === 'json') {
      verbatim.set(col.name, exactJsonText(text));
      obj[col.name] = null;
    } else {
      verbatim.delete(col.name); // a later column of the same name wins, as in the object
      obj[col.name] = canonicalValue(col.type, text);
    }
  }
  if (!verbatim.size) return jcs(obj);
  // Members in RFC 8785 order (UTF-16 code units of the names), json values spliced in as written.
  const names = Object.keys(obj).sort();
  return `{${names.map((n) => `${JSON.stringify(n)}:${verbatim.get(n) ?? jcs(obj[n]!)}`).join(',')}}`;
}
