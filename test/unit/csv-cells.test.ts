// Package CSV cells: any text survives writing and reading back (NULL and "" kept
// apart), formula neutralisation is exactly reversible, and our reader agrees with
// csv-parse on what RFC 4180 means, whatever the chunk boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvLine, neutralise, readCsvRows, restoreCell, CsvFileWriter, CsvRecordParser } from '../../src-main/core/util/csv.js';
import { makeDualEncoder, makeRowDigester } from '../../src-main/core/chain/row-digest.js';
import { makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { parseProfile } from '../../src-main/core/chain/profile-file.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';

const cell = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 3, arbitrary: fc.stringMatching(/^['=+\-@",\r\n a-z]{0,12}$/) },
);
const table = fc.integer({ min: 1, max: 6 }).chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 12 }).map((rows) => ({ width, rows })));

async function readBack(text: string, chunk: number, mask: boolean[] | null): Promise<(string | null)[][]> {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  const out: (string | null)[][] = [];
  for await (const r of readCsvRows(Readable.from(parts), { neutralised: mask })) out.push(r);
  return out;
}

test('neutralise/restoreCell round-trip every string and leave no formula trigger in front', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.stringMatching(/^'*[=+\-@]?.*$/), (a, b) => {
      for (const v of [a, b]) {
        assert.equal(restoreCell(neutralise(v)), v);
        assert.ok(!/^[=+\-@]/.test(neutralise(v)));
      }
    }),
  );
  assert.equal(neutralise('=1+1'), "'=1+1");
  assert.equal(neutralise("'=x"), "''=x");
  assert.equal(restoreCell("'plain"), "'plain");
});

test('rows written by csvLine read back exactly, across any chunk boundaries', async () => {
  await fc.assert(
    fc.asyncProperty(table, fc.integer({ min: 1, max: 17 }), fc.boolean(), async ({ width, rows }, chunk, neutraliseOn) => {
      const header = Array.from({ length: width }, (_, i) => `c${i}`);
      const mask = header.map(() => neutraliseOn);
      const text =
        csvLine(
          header,
          header.map(() => false),
        ) + rows.map((r) => csvLine(r, mask)).join('');
      const back = await readBack(text, chunk, neutraliseOn ? mask : null);
      assert.deepEqual(back, [header, ...rows]);
      // csv-parse reads the same records (quoting tells NULL from "").
      const theirs = parse(text, { cast: (v, ctx) => (ctx.quoting ? v : v === '' ? null : v) }) as (string | null)[][];
      assert.deepEqual(
        theirs.slice(1).map((r) => r.map((v) => (v !== null && neutraliseOn ? restoreCell(v) : v))),
        rows,
      );
    }),
    { numRuns: 300 },
  );
});

test('a cell starting with TAB or CR is neutralised too (spreadsheets strip them and run what follows)', () => {
  for (const v of ['\t=cmd|calc', '\r=1+1', '\tplain', "'\t=x"]) {
    assert.equal(neutralise(v), `'${v}`);
    assert.equal(restoreCell(neutralise(v)), v);
  }
  // A package written before TAB and CR were triggers is read with its own triggers.
  assert.equal(restoreCell("'\tx", ['=', '+', '-', '@']), "'\tx");
});

test('header cells are neutralised, and read back as written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditdesk-csv-header-'));
  try {
    const path = join(dir, 'h.csv');
    const w = new CsvFileWriter(path, ['=HYPERLINK("http://x")', 'plain'], [true, true], { neutraliseHeader: true });
    await w.row(['=1', 'b']);
    await w.close();
    const text = readFileSync(path, 'utf8');
    assert.ok(text.startsWith(`"'=HYPERLINK(""http://x"")",plain\r\n`), text);
    const rows: (string | null)[][] = [];
    const { createReadStream } = await import('node:fs');
    for await (const r of readCsvRows(createReadStream(path), { neutralised: [true, true], neutralisedHeader: true })) rows.push(r);
    assert.deepEqual(rows, [
      ['=HYPERLINK("http://x")', 'plain'],
      ['=1', 'b'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed CSV is refused with the record it is in', () => {
  assert.throws(() => new CsvRecordParser().push('a,b\r\nx"y,z\r\n', true), /record 2: a quote inside an unquoted field/);
  assert.throws(() => new CsvRecordParser().push('a,b\r\n"open,z\r\n', true), /never ends/);
  assert.throws(() => new CsvRecordParser().push('"a"b\r\n', true), /after a quoted field/);
});

test('rows of another width are refused', async () => {
  await assert.rejects(readBack('a,b\r\n1,2,3\r\n', 64, null), /has 3 fields; the header has 2/);
});

test('the fast row digest equals rowDigest of the chain core for every column type', () => {
  const cols = [
    { name: 'id', type: 'uuid' },
    { name: 'seq', type: 'int8' },
    { name: 'n', type: 'numeric' },
    { name: 'ok', type: 'bool' },
    { name: 'at', type: 'timestamptz' },
    { name: 'd', type: 'date' },
    { name: 'j', type: 'jsonb' },
    { name: 'Zeta', type: 'text' },
    { name: 'hash', type: 'text' },
    { name: 'prev_hash', type: 'text' },
  ];
  const digest = makeRowDigester(cols);
  const rows: (string | null)[][] = [
    ['C0FFEE00-0000-4000-8000-000000000001', '9007199254740993', '0.10', 't', '2026-03-01 02:59:59.5+00', '2026-03-01', '{"b": [1, 2.5e3, "ü"], "a": null}', 'x"\n', 'h', 'p'],
    [null, '1', null, 'f', null, null, 'null', '', null, null],
  ];
  for (const values of rows) assert.equal(digest(values), rowDigest(cols, values));
  const narrow = parseProfile({ name: 'narrow', payloadColumns: ['seq', 'j', 'Zeta'] });
  for (const profile of [JCS_SHA256_V1, narrow]) {
    const dual = makeDualEncoder(cols, profile);
    const payload = makePayloadBuilder(cols, profile);
    for (const values of rows) assert.deepEqual(dual(values), { payload: payload(values), digest: rowDigest(cols, values) });
  }
});
