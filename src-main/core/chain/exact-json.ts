// json/jsonb values without the blind spots of RFC 8785 (docs/hash-chain.md, profile
// jcs-exact-sha256-v2), and the detector that tells which stored values profile
// jcs-sha256-v1 cannot protect.
//
// RFC 8785 reads every number as an IEEE 754 double and every object as a map, so
// `9007199254740993` and `9007199254740992` serialise alike, `1e400` has no form at
// all, and in a `json` column `{"a": 1, "a": 2}` loses its first member. A hash over
// such a serialisation cannot reveal a change that the serialisation itself erases;
// the verifier must at least say so (a `number_precision` or `duplicate_key` limit).
//
// The exact form keeps each number token as PostgreSQL printed it and every object
// member in order (members sorted by key, stably, so duplicates keep their order);
// strings, literals and key order are RFC 8785's.

export type UnprotectedKind = 'number_precision' | 'duplicate_key';

export interface ExactJson {
  /** The value's text in a jcs-exact payload. */
  canonical: string;
  /** What RFC 8785 (profile v1) would lose of this value, in order of first appearance. */
  unprotected: UnprotectedKind[];
}

/** One JSON text → its exact canonical form and what v1 would lose. Throws on text that is not JSON. */
export function exactJson(text: string): ExactJson {
  const p = new Parser(text);
  p.space();
  const canonical = p.value();
  p.space();
  if (p.pos !== text.length) p.fail('unexpected text after the value');
  return { canonical, unprotected: [...p.lost] };
}

/** The exact canonical form alone (payload builders). */
export function exactJsonText(text: string): string {
  return exactJson(text).canonical;
}

// Only a number with a fraction, an exponent or 16+ digits can fail to round-trip
// through a double (every integer of up to 15 digits is exact): most values skip the scan.
const MAY_LOSE_NUMBER = /\d{16}|\d[.eE]/;

/**
 * What profile v1 cannot protect in a stored json/jsonb value, or an empty list.
 * `jsonType` is 'json' or 'jsonb': only `json` keeps duplicate keys (jsonb keeps the last).
 */
export function unprotectedIn(text: string, jsonType: 'json' | 'jsonb'): UnprotectedKind[] {
  if (jsonType === 'jsonb' && !MAY_LOSE_NUMBER.test(text)) return [];
  try {
    return exactJson(text).unprotected;
  } catch {
    return []; // not JSON: the payload builder reports the row itself
  }
}

/**
 * true when a number token names exactly the same value as the double it parses to,
 * compared as decimal numbers (not as text: `1.50` and `1.5` are the same value, and
 * v1 writing 1.5 for it loses nothing a reader could not recover from the hash).
 */
export function roundTripsThroughDouble(token: string): boolean {
  const v = Number(token);
  if (!Number.isFinite(v)) return false;
  // The same text names the same decimal: most tokens end here, without two regex parses.
  const printed = String(v);
  return printed === token || sameDecimal(decimalOf(token), decimalOf(printed));
}

interface Decimal {
  negative: boolean;
  /** significant digits without leading or trailing zeros; '' for zero */
  digits: string;
  /** value = 0.digits × 10^exponent */
  exponent: number;
}

function decimalOf(token: string): Decimal {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) throw new Error(`not a number: ${token}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const all = int + frac;
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  // Exponents past ±2^53 do not occur in text PostgreSQL accepts; Number keeps them exact enough to compare.
  const exponent = digits === '' ? 0 : int.length - lead + Number(exp);
  return { negative: sign === '-' && digits !== '', digits, exponent };
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

const NUMBER = /-?(?:0|[1-9]\d*)((?:\.\d+)?(?:[eE][+-]?\d+)?)/y;
/**
 * A string token JSON.stringify(JSON.parse(token)) gives back unchanged: no escape, no
 * control character, UTF-16 surrogates only as pairs. Most tokens are; they skip the
 * decode and re-encode (the payload builder's PLAIN_STRING, payload.ts, is the same rule).
 */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
export const PLAIN_STRING = /"(?:[^"\\\u0000-\u001f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*"/y;
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

const LITERALS = ['true', 'false', 'null'] as const;

class Parser {
  pos = 0;
  readonly lost = new Set<UnprotectedKind>();

  constructor(private readonly src: string) {}

  fail(why: string): never {
    throw new SyntaxError(`invalid JSON at position ${this.pos}: ${why}`);
  }

  space(): void {
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  /** At a quote: the token when it is its own canonical form (PLAIN_STRING), else null and nothing read. */
  private plainString(): string | null {
    PLAIN_STRING.lastIndex = this.pos;
    if (!PLAIN_STRING.test(this.src)) return null;
    const start = this.pos;
    this.pos = PLAIN_STRING.lastIndex;
    return this.src.slice(start, this.pos);
  }

  /** A string token → its value (JSON.parse decodes the escapes). */
  private string(): string {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.src);
    if (!m) this.fail('bad string');
    this.pos = STRING.lastIndex;
    return JSON.parse(m[0]) as string;
  }

  value(): string {
    const c = this.src.charCodeAt(this.pos);
    if (c === 0x22) return this.plainString() ?? JSON.stringify(this.string());
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    for (const lit of LITERALS) {
      if (this.src.startsWith(lit, this.pos)) {
        this.pos += lit.length;
        return lit;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    if (!m) this.fail('expected a value');
    this.pos = NUMBER.lastIndex;
    // An integer of at most 15 digits is exact in a double; anything else is compared.
    const exactInteger = m[1] === '' && m[0].length - (m[0].charCodeAt(0) === 0x2d ? 1 : 0) <= 15;
    if (!exactInteger && !roundTripsThroughDouble(m[0])) this.lost.add('number_precision');
    return m[0];
  }

  private array(): string {
    this.pos++;
    this.space();
    const items: string[] = [];
    if (this.src[this.pos] === ']') {
      this.pos++;
      return '[]';
    }
    for (;;) {
      this.space();
      items.push(this.value());
      this.space();
      const c = this.src[this.pos++];
      if (c === ']') return `[${items.join(',')}]`;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private object(): string {
    this.pos++;
    this.space();
    const members: { key: string; text: string }[] = [];
    if (this.src[this.pos] === '}') {
      this.pos++;
      return '{}';
    }
    for (;;) {
      this.space();
      if (this.src[this.pos] !== '"') this.fail('expected a key');
      // A plain token is its own canonical form and, between its quotes, its value.
      const plain = this.plainString();
      const key = plain !== null ? plain.slice(1, -1) : this.string();
      const keyText = plain ?? JSON.stringify(key);
      this.space();
      if (this.src[this.pos++] !== ':') this.fail("expected ':'");
      this.space();
      members.push({ key, text: `${keyText}:${this.value()}` });
      this.space();
      const c = this.src[this.pos++];
      if (c === '}') break;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
    // RFC 8785 §3.2.3: keys compared as UTF-16 code units. Array#sort is stable, so
    // repeated keys stay in the order they were written.
    members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (let i = 1; i < members.length; i++) if (members[i]!.key === members[i - 1]!.key) this.lost.add('duplicate_key');
    return `{${members.map((m) => m.text).join(',')}}`;
  }
}
