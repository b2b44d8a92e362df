// Issue 14, the report's body: the exceptions section lists each item with its signed
// decisions (disposition, signer's printed name, UTC time, meaning, note; a superseded
// decision stays, marked), the events appendix marks the tampered rows, model versions
// and timestamps are printed whole (no "~"), the signature page states what the package
// signature means, and prompts in CJK, Arabic and Hebrew print as text in embedded fonts.
// Real PostgreSQL (the demo), the CLI, pdftotext and pdffonts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { CacheFixture, fillDemoLike, uuidOf } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { zipEntry } from '../helpers/package-zip.js';
import type { ExceptionQueue } from '../../src-main/core/contract/review.js';

const dir = scratchDir('auditdesk-report-exceptions-');
const cache = join(dir, 'cache.sqlite');
const env = { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'report-exceptions-password' };
const cli = (args: string[]) => runAuditdesk(args, { env, cwd: dir });

let demo: DemoDb;

async function pdfOf(zip: string): Promise<{ path: string; text: string }> {
  const path = join(dir, `${zip}.pdf`);
  writeFileSync(path, await zipEntry(join(dir, zip), 'report.pdf'));
  return { path, text: execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }) };
}

const flat = (s: string) => s.replace(/[\s\u00a0]+/g, ' ');

before(async () => {
  demo = await startDemoDb();
  const synced = await cli(['sync', '--source', demo.url, '--cache', cache, '--tenant', demo.groundTruth.tamperedTenant, '--tenant', 'initech-ai']);
  assert.ok(synced.code === 0 || synced.code === 1, synced.stderr);
  assert.equal((await cli(['identity', 'create', '--name', 'Rena Reviewer', '--org', 'Audit LLP', '--email', 'rena@audit.example', '--out', 'id.p12'])).code, 0);
});

after(async () => {
  await demo?.stop();
});

test('the exceptions section names each decision with signer, UTC time, meaning and note; the superseded one stays; the tampered rows are marked; nothing is cut with "~"', async () => {
  const tenant = demo.groundTruth.tamperedTenant;
  const queue = JSON.parse((await cli(['review', 'list', '--cache', cache, '--tenant', tenant, '--json'])).stdout) as ExceptionQueue;
  const breaks = queue.items.filter((i) => i.kind === 'chain_break');
  assert.ok(breaks.length >= 2, 'the tampered tenant has chain breaks to decide');
  const decide = (item: string, decision: string, meaning: string, note: string, extra: string[] = []) =>
    cli(['review', 'decide', '--cache', cache, '--item', item, '--decision', decision, '--meaning', meaning, '--note', note, '--identity', 'id.p12', ...extra]);
  assert.equal((await decide(breaks[0]!.itemId, 'false_positive', 'Dismissed as false positive', 'first look: migration artefact')).code, 0);
  const second = await decide(breaks[0]!.itemId, 'confirmed', 'Confirmed as exception', 'row edited after writing', ['--reference', 'CAPA-9']);
  assert.equal(second.code, 0, second.stderr);
  assert.equal((await decide(breaks[1]!.itemId, 'escalated', 'Escalated', 'sent to the QA lead')).code, 0);

  assert.equal((await cli(['export', '--cache', cache, '--tenant', tenant, '--identity', 'id.p12', '--out', 'tampered.zip'])).code, 0);
  const { path: pdfPath, text } = await pdfOf('tampered.zip');
  const t = flat(text);

  // Page 1 of the tampered tenant: the verdict with its kinds, the period in UTC times and the open items.
  const pageOne = flat(execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdfPath, '-'], { encoding: 'utf8' }));
  assert.match(pageOne, /Hash chain BROKEN: \d+ break\(s\) \(\d+ modified, \d+ deleted\)/);
  assert.match(pageOne, /Period \d{4}-\d\d-\d\dT[\d:.]+Z \(first exported row\) to \d{4}-\d\d-\d\dT[\d:.]+Z \(last exported row\)/);
  assert.match(pageOne, new RegExp(`Exceptions: ${queue.coverage.total} in the queue, 2 decided, ${queue.coverage.total - 2} open\\.`));

  assert.match(t, /Exceptions and decisions/);
  assert.match(t, new RegExp(`${queue.coverage.total} item\\(s\\): 2 decided, ${queue.coverage.total - 2} open`));
  assert.match(t, /DECIDED \[chain_break\] Chain break/);
  assert.match(t, /confirmed, reference CAPA-9; signed by Rena Reviewer at \d{4}-\d\d-\d\dT[\d:.]+Z \(UTC\), meaning "Confirmed as exception"/);
  assert.match(t, /note: row edited after writing/);
  assert.match(t, /SUPERSEDED: false_positive; signed by Rena Reviewer at \S+Z \(UTC\), meaning "Dismissed as false positive"/);
  assert.match(t, /note: first look: migration artefact/);
  assert.match(t, /escalated; signed by Rena Reviewer at \S+Z \(UTC\), meaning "Escalated"/);
  assert.match(t, /OPEN \[/, 'the undecided items are listed as open');

  // The appendix: each planted modified row that it lists is marked.
  const modified = demo.groundTruth.tampering.filter((x) => x.tenant === tenant && x.kind === 'modified');
  assert.ok(modified.length > 0);
  const appendixLines = text.slice(text.indexOf('Appendix: audit events')).split('\n');
  for (const m of modified) {
    const line = appendixLines.find((l) => new RegExp(`^\\s*${m.seq}\\s+\\d{4}-`).test(l));
    assert.ok(line, `the appendix lists seq ${m.seq}`);
    assert.match(line, /TAMPERED: modified/, `seq ${m.seq} is marked`);
  }
  assert.match(t, /listed row\(s\) are marked in red/);

  // Printed whole: every model version in use, and no "~" shortening anywhere.
  const db = new Database(cache, { readonly: true });
  const versions = db.prepare(`SELECT DISTINCT model_version FROM records WHERE tenant_id = ? AND model_version IS NOT NULL`).pluck().all(tenant) as string[];
  db.close();
  const joined = text.replace(/\s+/g, '');
  for (const v of versions) assert.ok(joined.includes(v.replace(/\s+/g, '')), `model version ${v} is printed whole`);
  assert.doesNotMatch(text, /~/, 'no value is shortened with "~"');

  // The signature page says what the package signature means.
  assert.match(t, /Meaning Authorship: the signer exported this package from the source named on page 1/);
});

test('CJK prompts of the demo print as text in an embedded Noto CJK subset', async () => {
  assert.equal((await cli(['export', '--cache', cache, '--tenant', 'initech-ai', '--identity', 'id.p12', '--out', 'initech.zip'])).code, 0);
  const { path, text } = await pdfOf('initech.zip');
  assert.match(text, /Appendix: conversations/);
  assert.ok(text.includes('東京オフィスの営業時間は？'), 'the Japanese prompt is text in the PDF, not question marks');
  const fonts = execFileSync('pdffonts', [path], { encoding: 'utf8' });
  assert.match(fonts, /[A-Z]{6}\+NotoSansCJK\S*\s.*\byes\s+yes\s+yes\b/, `an embedded, subset Noto Sans CJK font with a Unicode map:\n${fonts}`);
});

test('Arabic and Hebrew prompts print as text, right to left, in logical order for a text reader', async () => {
  const path = join(dir, 'rtl.sqlite');
  const f = new CacheFixture(path);
  const { conversations } = fillDemoLike(f, 'rtl', 5, { conversations: 1 });
  const base = conversations[0]!;
  f.addConversations('rtl', [
    { ...base, id: uuidOf('rtl-ar'), prompt: 'مرحبا بالعالم', timestamp: '2026-01-05 12:00:00+00' },
    { ...base, id: uuidOf('rtl-he'), prompt: 'שלום עולם', timestamp: '2026-01-05 12:01:00+00' },
  ]);
  f.close();
  assert.equal((await cli(['export', '--cache', path, '--tenant', 'rtl', '--identity', 'id.p12', '--out', 'rtl.zip'])).code, 0);
  const t = flat((await pdfOf('rtl.zip')).text);
  assert.ok(t.includes('مرحبا بالعالم'), `Arabic prompt as text: ${t.slice(t.indexOf('Appendix: conversations'), t.indexOf('Appendix: conversations') + 600)}`);
  assert.ok(t.includes('שלום עולם'), 'Hebrew prompt as text');
});
