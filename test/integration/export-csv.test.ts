// The CSV files of a package give back exactly the source rows: commas, quotes,
// newlines, unicode, 10 MB prompts, NULL versus empty text, and formula cells
// (neutralised by default, reversibly). The conversation header is byte-exact.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipAll } from '../helpers/package-zip.js';
import { parse } from 'csv-parse/sync';
import { CacheFixture, uuidOf, EVENT_COLUMNS, type SourceRow } from '../helpers/cache-fixture.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { restoreCell } from '../../src-main/core/util/csv.js';
import { canonicalTimestamp } from '../../src-main/core/chain/canonical.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const HEADER = 'Log ID,Timestamp,Agent ID,Session ID,Channel,Prompt,Response,Model Info,Model Provider,Model Name,Model Version,Deployment ID,Temperature,Safety Mode,Model Config';
const FIELDS = [
  'id',
  'timestamp',
  'agent_id',
  'session_id',
  'channel',
  'prompt',
  'response',
  'model_info',
  'model_provider',
  'model_name',
  'model_version',
  'deployment_id',
  'temperature',
  'safety_mode',
  'model_config',
];

let dir: string;
let id: LoadedIdentity;
let fixture: CacheFixture;
let conversations: SourceRow[];
let events: SourceRow[];

const BIG = 10 * 1024 * 1024;
function bigValue(seed: string): string {
  const unit = `${seed}: comma, "quote" ""double"" newline\nCRLF\r\nünïcödé 日本語 emoji 🧾 tab\t; `;
  return unit.repeat(Math.ceil(BIG / unit.length)).slice(0, BIG);
}

/** RFC 4180 parse keeping NULL (empty unquoted) apart from "" (quoted empty). */
function parseCsv(buf: Buffer): (string | null)[][] {
  return parse(buf, { cast: (v, ctx) => (ctx.quoting ? v : v === '' ? null : v) }) as (string | null)[][];
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-csv-'));
  createIdentity({ name: 'Csv Tester', org: 'QA', email: 'qa@audit.example', password: 'csv-test-password', out: join(dir, 'id.p12') });
  id = loadIdentity(join(dir, 'id.p12'), 'csv-test-password');
  fixture = new CacheFixture(join(dir, 'cache.sqlite'));
  const tricky = [
    'plain',
    'comma, inside',
    'a "quoted" word',
    'line one\nline two\r\nline three',
    'ünïcödé – 日本語 – 🧾',
    '',
    '=SUM(A1:A9)',
    '+1 555',
    '-negative',
    '@mention',
    "'=already apostrophed",
    "''@two apostrophes",
    ' leading and trailing spaces ',
    bigValue('ten megabytes'),
  ];
  conversations = fixture.addConversations(
    'acme',
    tricky.map((prompt, i) => ({
      id: uuidOf(`c${i}`),
      agent_id: i === 2 ? null : `agent-${i}`,
      session_id: 'sess-1',
      channel: 'web',
      prompt,
      response: i === 13 ? bigValue('response') : i % 2 ? null : `reply ${i}, "ok"`,
      model_info: null,
      timestamp: `2026-01-0${1 + (i % 5)} 10:00:0${i % 10}.12345+00`,
      model_provider: 'openai',
      model_name: 'gpt-4o',
      model_version: '2024-08-06',
      deployment_id: i === 3 ? '' : null,
      temperature: '0.7',
      safety_mode: 'strict',
      model_config: '{"top_p": 0.9, "note": "a,b \\"c\\"\\nd"}',
    })),
  );
  events = fixture.addEvents(
    'acme',
    tricky.slice(0, 13).map((text, i) => ({
      id: uuidOf(`e${i}`),
      event_type: i === 6 ? '=cmd|calc' : 'update',
      entity_type: 'document',
      entity_id: text,
      severity: 'info',
      user_id: i === 4 ? '' : `user-${i}`,
      action_details: JSON.stringify({ text }),
      ip_address: null,
      created_at: `2026-01-0${1 + (i % 5)} 09:00:00+00`,
      region: i % 2 ? null : 'eu',
    })),
  );
});

after(() => {
  fixture.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('conversation_logs.csv', () => {
  let files: Map<string, Buffer>;
  let rawFiles: Map<string, Buffer>;
  before(async () => {
    await writePackage({ auditorKey: testAuditorKey(), db: fixture.db, filter: { tenant: ['acme'] }, identity: id, out: join(dir, 'pkg.zip'), createdAt: '2026-02-01T00:00:00Z' });
    files = await unzipAll(join(dir, 'pkg.zip'));
    await writePackage({
      auditorKey: testAuditorKey(),
      db: fixture.db,
      filter: { tenant: ['acme'] },
      identity: id,
      out: join(dir, 'raw.zip'),
      createdAt: '2026-02-01T00:00:00Z',
      neutraliseFormulas: false,
    });
    rawFiles = await unzipAll(join(dir, 'raw.zip'));
  });

  test('starts with the exact header bytes and a CRLF, without a BOM', () => {
    const csv = files.get('conversation_logs.csv')!;
    assert.equal(csv.subarray(0, HEADER.length + 2).toString('utf8'), `${HEADER}\r\n`);
    assert.notEqual(csv[0], 0xef);
  });

  test('parses back to the source rows, every one, with formulas restored', () => {
    const rows = parseCsv(files.get('conversation_logs.csv')!);
    assert.equal(rows.length - 1, conversations.length);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (const src of conversations) {
      const got = byId.get(src.id!);
      assert.ok(got, `row ${src.id} missing`);
      const expected = FIELDS.map((f) => (f === 'timestamp' ? canonicalTimestamp(src[f]!) : (src[f] ?? null)));
      const restored = got.map((v) => (v === null ? null : restoreCell(v)));
      assert.deepEqual(restored, expected, `row ${src.id}`);
    }
  });

  test('neutralises formula cells by default so a spreadsheet shows them as text', () => {
    const rows = parseCsv(files.get('conversation_logs.csv')!);
    const prompts = rows.slice(1).map((r) => r[5]);
    assert.ok(prompts.includes("'=SUM(A1:A9)"));
    assert.ok(prompts.includes("'+1 555"));
    assert.ok(prompts.includes("'-negative"));
    assert.ok(prompts.includes("'@mention"));
    assert.ok(prompts.includes("''=already apostrophed"));
    assert.ok(prompts.includes('plain'));
    for (const p of prompts) assert.ok(p === null || !/^[=+\-@]/.test(p), `unneutralised cell ${p?.slice(0, 30)}`);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    assert.equal(manifest.csv.formulaNeutralisation.enabled, true);
  });

  test('with neutralisation off the cells are exactly the source values, and the manifest says so', () => {
    const rows = parseCsv(rawFiles.get('conversation_logs.csv')!);
    const prompts = new Set(rows.slice(1).map((r) => r[5]));
    for (const src of conversations) assert.ok(prompts.has(src.prompt!), `prompt ${src.prompt!.slice(0, 20)}`);
    assert.equal(JSON.parse(rawFiles.get('manifest.json')!.toString()).csv.formulaNeutralisation.enabled, false);
  });

  test('keeps NULL and the empty string apart', () => {
    const rows = parseCsv(files.get('conversation_logs.csv')!);
    const row3 = rows.find((r) => r[0] === uuidOf('c3'))!;
    assert.equal(row3[11], ''); // deployment_id ''
    const row2 = rows.find((r) => r[0] === uuidOf('c2'))!;
    assert.equal(row2[2], null); // agent_id NULL
    assert.equal(row2[11], null);
    const row5 = rows.find((r) => r[0] === uuidOf('c5'))!;
    assert.equal(row5[5], '');
  });

  test('carries the 10 MB prompt and response whole', () => {
    const rows = parseCsv(files.get('conversation_logs.csv')!);
    const big = rows.find((r) => r[0] === uuidOf('c13'))!;
    assert.equal(big[5], bigValue('ten megabytes'));
    assert.equal(big[6], bigValue('response'));
  });
});

describe('a conversations-only export', () => {
  test('still has an audit_events.csv with the standard header and verifies', async () => {
    const out = join(dir, 'conv-only.zip');
    const res = await writePackage({ auditorKey: testAuditorKey(), db: fixture.db, filter: { tenant: ['acme'], kind: 'conversation' }, identity: id, out, createdAt: '2026-02-01T00:00:00Z' });
    assert.equal(res.counts.events, 0);
    assert.equal(res.integrity.intact, null);
    const files = await unzipAll(out);
    assert.equal(
      files.get('audit_events.csv')!.toString(),
      `${EVENT_COLUMNS.filter((c) => c.name !== 'region')
        .map((c) => c.name)
        .join(',')}\r\n`,
    );
    const r = await verifyPackage(out);
    assert.deepEqual(r.failures, []);
    assert.equal(r.chain, null);
  });
});

describe('audit_events.csv', () => {
  test('holds every source column (seq, prev_hash, hash, extra columns) with the source values', async () => {
    const files = await unzipAll(join(dir, 'pkg.zip'));
    const rows = parseCsv(files.get('audit_events.csv')!);
    assert.deepEqual(
      rows[0],
      EVENT_COLUMNS.map((c) => c.name),
    );
    assert.equal(rows.length - 1, events.length);
    rows.slice(1).forEach((r, i) => {
      const src = events[i]!;
      const expected = EVENT_COLUMNS.map((c) => (c.name === 'created_at' ? canonicalTimestamp(src[c.name]!) : (src[c.name] ?? null)));
      assert.deepEqual(
        r.map((v) => (v === null ? null : restoreCell(v))),
        expected,
      );
    });
  });

  test('is enough to re-verify the hash chain offline', async () => {
    const r = await verifyPackage(join(dir, 'pkg.zip'));
    assert.deepEqual(r.failures, []);
    assert.equal(r.chain?.intact, true);
    assert.equal(r.chain?.rows, events.length);
    const raw = await verifyPackage(join(dir, 'raw.zip'));
    assert.deepEqual(raw.failures, []);
  });
});
