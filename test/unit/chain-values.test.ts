// Values that break naive implementations — Unicode, NULLs, integers above 2^53,
// jsonb with nested arrays, timestamps with microseconds — verify exactly, from the
// text PostgreSQL prints, through the engine and through a real SQLite cache. A
// one-microsecond or one-unit change is caught (a Date or a JS number would lose it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openCache } from '../../src-main/core/cache/open.js';
import { mapColumns, toRecord } from '../../src-main/core/cache/record-mapping.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { parseProfile } from '../../src-main/core/chain/profile-file.js';
import { readCachedChain } from '../../src-main/core/verify/adapters.js';
import { verifyChain } from '../../src-main/core/verify/chain-verifier.js';
import { canonicalTimestamp, jcs, type JsonValue } from '../../src-main/core/chain/canonical.js';
import { canonicalJson, canonicalJsonText, compilePayloadBuilder } from '../../src-main/core/chain/payload.js';
import { CopyTextParser, copyField } from '../../src-main/core/source/copy-stream.js';
import { chainShape, payloadAtSeq, toChainRow } from '../../src-main/core/verify/rows.js';
import type { ChainRow } from '../../src-main/core/verify/types.js';

// An events table with the demo's columns plus extra columns of every awkward type.
const COLUMNS = [
  ['id', 'uuid'],
  ['seq', 'int8'],
  ['tenant_id', 'text'],
  ['event_type', 'text'],
  ['entity_type', 'text'],
  ['entity_id', 'text'],
  ['severity', 'text'],
  ['user_id', 'text'],
  ['action_details', 'jsonb'],
  ['ip_address', 'inet'],
  ['created_at', 'timestamptz'],
  ['big_counter', 'int8'],
  ['amount', 'numeric'],
  ['ratio', 'float8'],
  ['approved', 'bool'],
  ['business_day', 'date'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));
const MAPPED = mapColumns('events', COLUMNS);
const shape = chainShape(MAPPED, JCS_SHA256_V1, 'audit_logs');
const PREV = COLUMNS.length - 2;
const HASH = COLUMNS.length - 1;
type Values = (string | null)[];

/** Rows exactly as PostgreSQL (TimeZone=UTC, DateStyle=ISO) prints them. */
const PRINTED: Values[] = [
  [
    '0B4F6A2C-1D3E-4F5A-8B9C-0D1E2F3A4B5C',
    '1',
    'zürich-ärzte',
    'login',
    'user',
    'u-ß',
    'info',
    'Ünïcødé 用户 😀',
    '{"mfa": true, "path": ["a", ["b", ["c", {"d": null}]]], "n": 12345678901234567890, "e": 1.0E2}',
    '10.0.0.1',
    '2026-01-05 08:59:12.123456+00',
    '9007199254740993',
    '12345678901234567890.000001',
    '1e+30',
    't',
    '2026-01-05',
    null,
    null,
  ],
  [
    '1b4f6a2c-1d3e-4f5a-8b9c-0d1e2f3a4b5c',
    '2',
    'zürich-ärzte',
    'update',
    null,
    null,
    null,
    null,
    null,
    null,
    '2026-01-05 08:59:12.000001+00',
    '-9223372036854775808',
    '0.10',
    '0.1',
    'f',
    null,
    null,
    null,
  ],
  [
    '2b4f6a2c-1d3e-4f5a-8b9c-0d1e2f3a4b5c',
    '3',
    'zürich-ärzte',
    'export',
    'report',
    'line1\nline2 "quoted" \\ back\u2028',
    'high',
    'u-1',
    '[[], {}, [[[]]], "\\u0000", -0, 1e-7]',
    '::1',
    '2026-12-31 23:59:59.999999+00',
    '9007199254740991',
    '-0.000',
    'NaN',
    't',
    '2026-12-31',
    null,
    null,
  ],
  [
    '3b4f6a2c-1d3e-4f5a-8b9c-0d1e2f3a4b5c',
    '4',
    'zürich-ärzte',
    'read',
    'file',
    '',
    'low',
    '',
    '{"": "", "é": "e\u0301", "a": {"b": {"c": [1, 2, 3]}}}',
    null,
    '2026-02-29 00:00:00+00',
    '0',
    '1',
    '-Infinity',
    'f',
    '2026-02-28',
    null,
    null,
  ],
];

function chain(rows: Values[]): Values[] {
  const payload = makePayloadBuilder(COLUMNS);
  let prev = '0'.repeat(64);
  return rows.map((r) => {
    const v = [...r];
    v[PREV] = prev;
    v[HASH] = chainHash(prev, payload(v));
    prev = v[HASH]!;
    return v;
  });
}

const verify = (rows: Values[]) =>
  verifyChain(
    rows.map((v) => toChainRow(v, shape)),
    { table: 'audit_logs', tenant: 'zürich-ärzte', profile: JCS_SHA256_V1, mode: 'source', payloadAtSeq: payloadAtSeq(shape) },
  );

describe('awkward values verify exactly', () => {
  test('the payload keeps every digit, microsecond and character as printed', () => {
    const payload = compilePayloadBuilder(COLUMNS)(PRINTED[0]!);
    assert.equal(
      payload,
      '{"action_details":{"e":100,"mfa":true,"n":12345678901234567000,"path":["a",["b",["c",{"d":null}]]]},"amount":"12345678901234567890.000001","approved":true,"big_counter":"9007199254740993","business_day":"2026-01-05","created_at":"2026-01-05T08:59:12.123456Z","entity_id":"u-ß","entity_type":"user","event_type":"login","id":"0b4f6a2c-1d3e-4f5a-8b9c-0d1e2f3a4b5c","ip_address":"10.0.0.1","ratio":"1e+30","seq":1,"severity":"info","tenant_id":"zürich-ärzte","user_id":"Ünïcødé 用户 😀"}',
    );
  });

  test('a chain of such rows is intact', () => {
    const r = verify(chain(PRINTED));
    assert.deepEqual(r.breaks, []);
    assert.equal(r.intactRows, PRINTED.length);
  });

  const oneChange: [string, number, number, string][] = [
    ['a bigint above 2^53 changed by one (equal as JS numbers)', 0, 11, '9007199254740992'],
    ['a timestamp changed by one microsecond', 1, 10, '2026-01-05 08:59:12.000002+00'],
    ['a NULL replaced by an empty string', 1, 4, ''],
    ['a numeric written with another scale', 1, 12, '0.1'],
    ['a combining accent folded into the precomposed letter', 3, 8, '{"": "", "é": "é", "a": {"b": {"c": [1, 2, 3]}}}'],
    ['a nested array element changed', 0, 8, '{"mfa": true, "path": ["a", ["b", ["c", {"d": 0}]]], "n": 12345678901234567890, "e": 1.0E2}'],
  ];
  for (const [what, row, col, value] of oneChange) {
    test(`${what} → modified`, () => {
      const rows = chain(PRINTED);
      rows[row]![col] = value;
      const r = verify(rows);
      assert.deepEqual(
        r.breaks.map((b) => `${b.kind}@${b.seq}`),
        [`modified@${row + 1}`],
      );
    });
  }

  test('the same instant printed with another offset verifies (canonical UTC)', () => {
    const rows = chain(PRINTED);
    rows[0]![10] = '2026-01-05 10:59:12.123456+02';
    assert.deepEqual(verify(rows).breaks, []);
  });
});

describe('the cache keeps what the hash needs', () => {
  test('rows written with toRecord and read back by the cache adapter verify identically', async () => {
    const db = openCache(':memory:');
    try {
      db.prepare(`INSERT INTO sources VALUES (1, 'fp', 'sys', 'db', '18', 'label', '2026-01-01T00:00:00Z')`).run();
      db.prepare(`INSERT INTO source_tables VALUES (1, 1, 'events', 'public', 'audit_logs', ?, NULL)`).run(JSON.stringify(MAPPED));
      db.prepare(`INSERT INTO syncs (sync_id, source_id, started_at, status) VALUES (1, 1, 'now', 'done')`).run();
      const rows = chain(PRINTED);
      for (const v of rows) {
        const rec = { ...toRecord(MAPPED, v), table_id: 1, kind: 'event', sync_id: 1, digest: 'x' };
        const cols = Object.keys(rec);
        db.prepare(`INSERT INTO records (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(rec));
      }
      const read: ChainRow[] = [];
      await readCachedChain(db, { tableId: 1, tenant: 'zürich-ärzte', columns: MAPPED }, shape, (r) => read.push(r));
      assert.equal(read.length, rows.length);
      read.forEach((r, i) => assert.equal(r.payload, toChainRow(rows[i]!, shape).payload, `row ${i + 1}`));
      const result = verifyChain(read, { table: 'audit_logs', tenant: 'zürich-ärzte', profile: JCS_SHA256_V1, mode: 'cache' });
      assert.deepEqual(result.breaks, []);
    } finally {
      db.close();
    }
  });
});

// Text as PostgreSQL could print it, per type.
const printed: Record<string, fc.Arbitrary<string>> = {
  int8: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  int4: fc.integer().map(String),
  numeric: fc.tuple(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.nat({ max: 8 })).map(([m, s]) => (s ? `${m}.${'0'.repeat(s)}` : String(m))),
  float8: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e+30')),
  bool: fc.constantFrom('t', 'f'),
  jsonb: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  timestamptz: fc
    .tuple(
      fc.integer({ min: 1971, max: 2999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 86399 }),
      fc.nat({ max: 999999 }),
      fc.constantFrom('+00', '+02', '-05:30'),
    )
    .map(([y, mo, d, s, us, off]) => {
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const frac = us ? `.${p(us, 6)}`.replace(/0+$/, '') : '';
      return `${y}-${p(mo)}-${p(d)} ${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}${frac}${off}`;
    }),
  date: fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  uuid: fc.uuid().map((u) => (u.charCodeAt(0) % 2 ? u.toUpperCase() : u)),
  text: fc.string({ unit: 'binary' }),
};

describe('the compiled payload builder', () => {
  test('writes exactly the bytes of the spec implementation (makePayloadBuilder) for random rows', () => {
    const types = Object.keys(printed);
    const columnsArb = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }), fc.constantFrom(...types)), {
      minLength: 1,
      maxLength: 10,
      selector: (c) => c[0],
    });
    fc.assert(
      fc.property(
        columnsArb.chain((cols) => fc.tuple(fc.constant(cols), fc.tuple(...cols.map(([, type]) => fc.option(printed[type]!, { nil: null }))))),
        ([cols, values]) => {
          const columns = cols.filter(([n]) => n !== '__proto__').map(([name, type]) => ({ name, type }));
          const vals = values.slice(0, columns.length) as Values;
          assert.equal(compilePayloadBuilder(columns)(vals), makePayloadBuilder(columns)(vals));
        },
      ),
      { numRuns: 400 },
    );
  });

  test('follows a profile: payload columns, separator, sha512', () => {
    const profile = parseProfile({ name: 'legacy', payloadColumns: ['id', 'seq', 'created_at'], separator: '|', algorithm: 'sha512' });
    const columns = COLUMNS;
    assert.equal(compilePayloadBuilder(columns, profile)(PRINTED[0]!), makePayloadBuilder(columns, profile)(PRINTED[0]!));
    assert.throws(() => compilePayloadBuilder(columns, parseProfile({ name: 'x', payloadColumns: ['nope'] })), /lacks: nope/);
  });
});

/** A JSON text of `v` as some writer might print it: members in random order, random whitespace, escapes. */
function printJson(v: unknown, rnd: () => number): string {
  const ws = () => [' ', '', '', '\n  ', '\t', '\r\n'][Math.floor(rnd() * 6)]!;
  const str = (x: string) => {
    const plain = JSON.stringify(x);
    // sometimes escape a character that needs no escape, as other writers do
    const r = rnd();
    if (r < 0.2 && x.length) return plain.replace(/[^"\\]/, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (r < 0.3) return plain.replace(/\//g, '\\/');
    // raw, as JSON allows: lone surrogates and all (JSON.stringify would escape those)
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
    if (r < 0.6 && !/["\\\u0000-\u001f]/.test(x)) return `"${x}"`;
    return plain;
  };
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') return [String(v), v.toExponential(), JSON.stringify(v)][Math.floor(rnd() * 3)]!.replace('e+0', 'e0');
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => printJson(x, rnd)).join(`,${ws()}`)}${ws()}]`;
  const entries = Object.entries(v as Record<string, unknown>).sort(() => rnd() - 0.5);
  return `{${ws()}${entries.map(([k, x]) => `${str(k)}${ws()}:${ws()}${printJson(x, rnd)}`).join(`, ${ws()}`)}${ws()}}`;
}

/** The reference outcome: what canonicalising the parsed value gives, or the error. */
function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

describe('canonical timestamps', () => {
  test('a UTC time with six fractional digits (the short path) reads as the same instant written with a +00:00 offset', () => {
    fc.assert(
      fc.property(printed.timestamptz!, fc.constantFrom('', '1', '12', '123456', '12345a', '1234567'), (t, frac) => {
        const base = t.replace(/(\.\d+)?([+-].*)$/, '');
        const text = `${base}.${frac}+00`;
        // an unreadable text is refused either way (the message names the text, so only the refusal is compared)
        const verdict = (x: string) => (x.startsWith('throws') ? 'refused' : x);
        const general = verdict(outcome(() => canonicalTimestamp(`${base}.${frac}+00:00`)));
        assert.equal(verdict(outcome(() => canonicalTimestamp(text))), general, text);
      }),
      { numRuns: 500 },
    );
    assert.equal(canonicalTimestamp('2026-01-05 08:59:12.000001+00'), '2026-01-05T08:59:12.000001Z');
  });
});

describe('canonical JSON straight from the text', () => {
  const tricky = [
    '{"b": 1, "a": [true, false, null]}',
    '{}',
    '[]',
    '{ }',
    '[ ]',
    '"x"',
    '0',
    '-0',
    '-0.0',
    '1.0',
    '1E2',
    '1e+2',
    '0.1e-5',
    '12345678901234567890',
    '123456789012345',
    '-12345678901234',
    '1e400',
    '-1e400',
    '01',
    '1.',
    '.5',
    '+1',
    '[1,]',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":1 "b":2}',
    '{"a":1,"a":2}',
    '{"__proto__": 1}',
    '{"a": {"__proto__": {"x": 1}}}',
    '"\\u00e9"',
    '"\\ud83d\\ude00"',
    '"\\ud83d"',
    '"\ud83d\ude00"',
    '"a\u0000b"',
    '"tab\tin"',
    '"\u007f\u2028"',
    '"a\ud83db"',
    '"\ude00"',
    '{"\ud83d": 1, "\ude00x": 2}',
    '"\ude00\ud83d"',
    '"\ude00\ude00"',
    '"\ud83d',
    '{"a!": 1, "a": 2, "a ": 3, "A": 4, "é": 5, "\ud83d\ude00": 6, "\uff61": 7}',
    '{"10": 1, "9": 2, "1": 3}',
    ' {"a" : [1 , 2 ] } ',
    '{"a":1}x',
    '',
    ' ',
    'nul',
    'tru',
    'falsey',
    '[1 2]',
    '"unterminated',
    '[' + '['.repeat(20000) + ']'.repeat(20001),
    '{"a":[{"b":[{"c":[]}]}]}',
    '1.5e-7',
    '-1E-7',
    '5e-324',
    '1.7976931348623157e308',
    // members out of order at every depth, and objects nested past the depth the one-pass reader takes itself
    '{"version": 3, "reason": "r", "client": "web", "fields": ["t", {"z": 1, "y": [{"b": 2, "a": 1}], "x": {}}]}',
    '{"b": {"d": 1, "c": 2}, "a": {"f": {"h": 1, "g": 2}, "e": 3}}',
    '{"b": 1, "a": 2, "b": 3}',
    '{"c": {"a": 1, "a": 2}, "b": 1}',
    '{"k": '.repeat(40) + '1' + '}'.repeat(40),
    '{"b": '.repeat(33) + '{"y": 1, "x": 2}' + ', "a": 0}'.repeat(33),
    // jsonb's own order (shorter keys first) and its ", " / ": " spacing
    '{"n": 1, "id": "x", "user": "u", "action": "read", "details": {"to": 2, "from": 1}}',
  ];
  test("equals parse-then-canonicalise (and the spec's canonicalize package) on awkward texts", () => {
    for (const t of tricky) {
      const ref = outcome(() => canonicalJson(JSON.parse(t)));
      assert.equal(
        outcome(() => canonicalJsonText(t)),
        ref,
        t.slice(0, 80),
      );
      if (!ref.startsWith('throws')) assert.equal(ref, jcs(JSON.parse(t) as JsonValue), t.slice(0, 80));
    }
  });

  test('equals parse-then-canonicalise on random JSON texts, printed in any order and spacing', () => {
    const units = fc.constantFrom('a', 'b', 'é', '"', '\\', '\n', '\u0001', '\ud83d', '\ude00', '\ud83d\ude00', '/', ' ', '\u2028', '\u007f', '0', '~', '!');
    const key = fc.array(units, { maxLength: 4 }).map((u) => u.join(''));
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.array(units).map((u) => u.join('')),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, fc.integer(), fc.boolean(), (v, seed, cut) => {
        let x = seed;
        const rnd = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
        let t = printJson(v, rnd);
        if (cut) t = t.slice(0, Math.floor(rnd() * t.length)); // a broken text fails the same way
        assert.equal(
          outcome(() => canonicalJsonText(t)),
          outcome(() => canonicalJson(JSON.parse(t))),
          t,
        );
      }),
      { numRuns: 3000 },
    );
  });
});

describe('COPY text output is read back exactly', () => {
  test('NULLs, escapes and multi-byte characters split across chunks', () => {
    const encode = (v: string | null) => (v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
    const decoded: Values[] = [
      ['1', 'tab\there', null, 'line1\nline2 \\ back'],
      ['2', 'zürich 用户 😀', '', '\\N is not null'],
    ];
    const text = decoded.map((r) => r.map(encode).join('\t')).join('\n') + '\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new CopyTextParser();
      const out: Values[] = [];
      p.push(bytes.subarray(0, cut), out);
      p.push(bytes.subarray(cut), out);
      p.end(out);
      assert.deepEqual(out, decoded, `cut at byte ${cut}`);
    }
    assert.equal(copyField('\\N'), null);
    assert.equal(copyField('a\\bb\\\\c\\011'), 'a\bb\\c\t');
  });
});
