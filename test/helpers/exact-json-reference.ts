// The jcs-exact canonical form as session 11 shipped it (src-main/core/chain/exact-json.ts
// before its fast paths), kept only as the reference the faster parser must equal byte
// for byte (test/unit/exact-json-fast-paths.test.ts): every hash a v2 chain was verified
// with depends on this text.
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

import type { ExactJson, UnprotectedKind } from '../../src-main/core/chain/exact-json.js';

/** One JSON text → its exact canonical form and what v1 would lose. Throws on text that is not JSON. */
export function exactJson(text: string): ExactJson {
  const p = new Parser(text);
  p.space();
  const canonical = p.value();
  p.space();
  if (p.pos !== text.length) p.fail('unexpected text after the value');
  return { canonical, unprotected: [...p.lost] };
}

/**
 * true when a number token names exactly the same value as the double it parses to,
 * compared as decimal numbers (not as text: `1.50` and `1.5` are the same value, and
 * v1 writing 1.5 for it loses nothing a reader could not recover from the hash).
 */
export function roundTripsThroughDouble(token: string): boolean {
  const v = Number(token);
  if (!Number.isFinite(v)) return false;
  return sameDecimal(decimalOf(token), decimalOf(String(v)));
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

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Parser {
  pos = 0;
  readonly lost = new Set<UnprotectedKind>();

  constructor(private readonly src: string) {}

  fail(why: string): never {
    throw new SyntaxError(`invalid JSON at position ${this.pos}: ${why}`);
  }

  space(): void {
    while (this.pos < this.src.length && ' \t\n\r'.includes(this.src[this.pos]!)) this.pos++;
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
    const c = this.src[this.pos];
    if (c === '"') return JSON.stringify(this.string());
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    for (const lit of ['true', 'false', 'null']) {
      if (this.src.startsWith(lit, this.pos)) {
        this.pos += lit.length;
        return lit;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    if (!m) this.fail('expected a value');
    this.pos = NUMBER.lastIndex;
    if (!roundTripsThroughDouble(m[0])) this.lost.add('number_precision');
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
      const key = this.string();
      this.space();
      if (this.src[this.pos++] !== ':') this.fail("expected ':'");
      this.space();
      members.push({ key, text: `${JSON.stringify(key)}:${this.value()}` });
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
