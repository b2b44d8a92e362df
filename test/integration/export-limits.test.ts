// The package's report.pdf states what its verification cannot show (issues 20, 21):
// a chain value v1 cannot protect and the missing earlier anchor are listed in one
// section, the heading says "intact, with N unprotected value(s)", and verify-package
// re-verifies the package with the profile its manifest records and agrees. A chain the
// cache records as written with jcs-exact-sha256-v2 shows the same tamper as a break.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFixture, EVENT_COLUMNS, editAsSynced, uuidOf, type SourceRow } from '../helpers/cache-fixture.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { mapColumns } from '../../src-main/core/cache/record-mapping.js';
import { createIdentity, loadIdentity, type LoadedIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import type { IntegrityEntry } from '../../src-main/core/export/integrity.js';
import { recordChainProfile } from '../../src-main/core/cache/chain-profiles.js';
import { JCS_EXACT_SHA256_V2 } from '../../src-main/core/chain/profile.js';
import { zipEntry } from '../helpers/package-zip.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const PDFTOTEXT = spawnSync('pdftotext', ['-v']).error === undefined;

let dir: string;
let id: LoadedIdentity;
let text = '';
let verification: { tenants: IntegrityEntry[] };
let typoText = '';

const entry = zipEntry;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-export-limits-'));
  createIdentity({ name: 'Limit Tester', org: 'QA Org', email: 'limits@audit.example', password: 'limits-test-password', out: join(dir, 'id.p12') });
  id = loadIdentity(join(dir, 'id.p12'), 'limits-test-password');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  const rows: SourceRow[] = Array.from({ length: 8 }, (_, i) => ({
    id: uuidOf(`bank-ev-${i}`),
    event_type: 'transfer',
    entity_type: 'account',
    entity_id: `acct-${i}`,
    severity: 'info',
    user_id: 'teller-1',
    action_details: i === 5 ? '{"op": "wire", "ref": 9007199254740992}' : `{"op": "wire", "n": ${i}}`,
    ip_address: '10.0.0.1',
    created_at: `2026-01-05 10:0${i}:00.000000+00`,
    region: null,
  }));
  f.addEvents('bank', rows);
  // The tamper of issue 20: 2^53 → 2^53 + 1 inside action_details, no rehash.
  editAsSynced(f.db, () => f.db.prepare(`UPDATE records SET action_details = '{"op": "wire", "ref": 9007199254740993}' WHERE kind = 'event' AND seq = 6`).run());
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['bank'] },
    identity: id,
    out: join(dir, 'pkg.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 10,
    approvedVersions: [],
  });
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['bnak'] },
    identity: id,
    out: join(dir, 'typo.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 10,
    approvedVersions: [],
  });
  f.close();
  writeFileSync(join(dir, 'typo.pdf'), await entry(join(dir, 'typo.zip'), 'report.pdf'));
  if (PDFTOTEXT) typoText = execFileSync('pdftotext', ['-layout', join(dir, 'typo.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const pdfPath = join(dir, 'report.pdf');
  writeFileSync(pdfPath, await entry(join(dir, 'pkg.zip'), 'report.pdf'));
  if (PDFTOTEXT) text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  verification = JSON.parse((await entry(join(dir, 'pkg.zip'), 'verification.json')).toString('utf8')) as { tenants: IntegrityEntry[] };
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('verification.json carries the verdict, the missing anchor and the number_precision limit at the tampered seq', () => {
  const chain = verification.tenants[0]!;
  assert.equal(chain.verdict, 'intact');
  assert.equal(chain.anchor, null);
  const kinds = chain.limits!.map((l) => l.kind).sort();
  assert.deepEqual(kinds, ['no_anchor', 'number_precision']);
  const lost = chain.limits!.find((l) => l.kind === 'number_precision');
  assert.ok(lost && lost.kind === 'number_precision');
  assert.deepEqual(lost.seqs, [6]);
});

test('report.pdf has one "What this verification cannot show" section naming both limits', { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
  assert.match(text, /Hash chain intact, with 1 unprotected value\(s\)/);
  assert.equal(text.split('What this verification cannot show').length - 1, 1);
  const section = text.slice(text.indexOf('What this verification cannot show'));
  assert.match(section, /number_precision: 1 rows carry values this profile \(jcs-sha256-v1\) cannot protect .* first at seq 6\./);
  assert.match(section, /seqs: 6/);
  assert.match(section, /no_anchor: no earlier checkpoint, anchor file, package or cached copy was compared: rows removed from the end/);
  assert.match(text, /Checked against no earlier anchor/);
});

test('verify-package re-verifies with the recorded profile and agrees with verification.json', async () => {
  const r = await verifyPackage(join(dir, 'pkg.zip'));
  assert.deepEqual(r.failures, []);
  assert.equal(r.chain?.limits?.find((l) => l.kind === 'number_precision')?.kind, 'number_precision');
});

test("a package of a typo'd tenant says EMPTY with the sentence, never intact", { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
  assert.match(typoText, /Hash chain EMPTY: no events in the selection/);
  assert.match(typoText, /no rows are visible for tenant bnak: the id may be wrong, row-level security may hide them from this role, or the chain was removed/);
  assert.equal(typoText.split('What this verification cannot show').length - 1, 1);
  assert.doesNotMatch(typoText, /Hash chain intact/);
});

test('a chain recorded as written with jcs-exact-sha256-v2: the 2^53 tamper (no rehash) is a modified break in verification.json, the PDF and verify-package', async () => {
  const f = new CacheFixture(join(dir, 'v2-cache.sqlite'));
  const rows: SourceRow[] = Array.from({ length: 8 }, (_, i) => ({
    id: uuidOf(`v2-ev-${i}`),
    event_type: 'transfer',
    entity_type: 'account',
    entity_id: `acct-${i}`,
    severity: 'info',
    user_id: 'teller-2',
    // 2^53 is written alike by v1 and v2, so the fixture's chain is a correct v2 chain.
    action_details: i === 5 ? '{"op": "wire", "ref": 9007199254740992}' : `{"op": "wire", "n": ${i}}`,
    ip_address: '10.0.0.2',
    created_at: `2026-01-06 10:0${i}:00.000000+00`,
    region: null,
  }));
  f.addEvents('bank2', rows);
  const tableId = f.db.prepare(`SELECT table_id FROM source_tables WHERE kind = 'events'`).pluck().get() as number;
  recordChainProfile(f.db, tableId, 'bank2', JCS_EXACT_SHA256_V2);
  editAsSynced(f.db, () => f.db.prepare(`UPDATE records SET action_details = '{"op": "wire", "ref": 9007199254740993}' WHERE kind = 'event' AND tenant_id = 'bank2' AND seq = 6`).run());
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['bank2'] },
    identity: id,
    out: join(dir, 'v2.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 10,
    approvedVersions: [],
  });
  f.close();
  const v = JSON.parse((await entry(join(dir, 'v2.zip'), 'verification.json')).toString('utf8')) as { profile: string; tenants: IntegrityEntry[] };
  assert.equal(v.profile, 'jcs-exact-sha256-v2');
  assert.equal(v.tenants[0]!.verdict, 'broken');
  assert.deepEqual(
    v.tenants[0]!.breaks.map((b) => `${b.kind}@${b.seq}`),
    ['modified@6'],
  );
  assert.ok(!(v.tenants[0]!.limits ?? []).some((l) => l.kind === 'number_precision'));
  const r = await verifyPackage(join(dir, 'v2.zip'));
  assert.equal(r.chain?.verdict, 'broken');
  if (!PDFTOTEXT) return;
  writeFileSync(join(dir, 'v2.pdf'), await entry(join(dir, 'v2.zip'), 'report.pdf'));
  const pdf = execFileSync('pdftotext', ['-layout', join(dir, 'v2.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(pdf, /Hash chain BROKEN: 1 break\(s\)/);
  assert.match(pdf, /Every break seq kind row id time 6 modified/);
  assert.doesNotMatch(pdf, /number_precision/);
});

test('a json column with a repeated key: the package says "intact, with 1 unprotected value(s)" and names the duplicate_key limit at that seq (issue 20)', async () => {
  const f = new CacheFixture(join(dir, 'dup-cache.sqlite'));
  // v1 keeps the last member of a repeated key, so the stored hash holds only "amount": 20.
  const rows = paymentRows('dup', 3);
  f.addEvents('shop', rows);
  // The source column is json (jsonb would have kept one member), and the first member is changed without a rehash.
  const table = f.db.prepare(`SELECT table_id, columns_json FROM source_tables WHERE kind = 'events'`).get() as { table_id: number; columns_json: string };
  const columns = (JSON.parse(table.columns_json) as { name: string; type: string }[]).map((c) => (c.name === 'action_details' ? { ...c, type: 'json' } : c));
  f.db.prepare('UPDATE source_tables SET columns_json = ? WHERE table_id = ?').run(JSON.stringify(columns), table.table_id);
  editAsSynced(f.db, () => f.db.prepare(`UPDATE records SET action_details = '{"amount": 99999, "amount": 20}' WHERE kind = 'event' AND tenant_id = 'shop' AND seq = 4`).run());
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['shop'] },
    identity: id,
    out: join(dir, 'dup.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 10,
    approvedVersions: [],
  });
  f.close();
  const chain = (JSON.parse((await entry(join(dir, 'dup.zip'), 'verification.json')).toString('utf8')) as { tenants: IntegrityEntry[] }).tenants[0]!;
  assert.equal(chain.verdict, 'intact');
  const limit = chain.limits!.find((l) => l.kind === 'duplicate_key');
  assert.ok(limit && limit.kind === 'duplicate_key');
  assert.deepEqual(limit.seqs, [4]);
  const r = await verifyPackage(join(dir, 'dup.zip'));
  assert.deepEqual(r.failures, []);
  if (!PDFTOTEXT) return;
  writeFileSync(join(dir, 'dup.pdf'), await entry(join(dir, 'dup.zip'), 'report.pdf'));
  const pdf = execFileSync('pdftotext', ['-layout', join(dir, 'dup.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(pdf, /Hash chain intact, with 1 unprotected value\(s\)/);
  const section = pdf.slice(pdf.indexOf('What this verification cannot show'));
  assert.match(section, /duplicate_key: 1 rows carry values this profile \(jcs-sha256-v1\) cannot protect \(repeated keys in a json value\): changes to them would not be detected; first at seq 4\./);
});

test('a chain written with jcs-exact-sha256-v2: a changed member of a repeated json key is a modified break in verification.json, the PDF and verify-package (issue 20)', async () => {
  const f = new CacheFixture(join(dir, 'dup-v2-cache.sqlite'));
  // The source column is json; the writer hashed under v2, which keeps both members of the repeated key.
  const columns = EVENT_COLUMNS.map((c) => (c.name === 'action_details' ? { ...c, type: 'json' } : c));
  const payload = makePayloadBuilder(columns, JCS_EXACT_SHA256_V2);
  let prev = '0'.repeat(64);
  const rows: SourceRow[] = paymentRows('dup2', 5).map((r, i) => {
    const row: SourceRow = { ...r, prev_hash: prev };
    row.hash = chainHash(prev, payload(columns.map((c) => ({ tenant_id: 'shop2', seq: String(i + 1), ...row })[c.name] ?? null)));
    prev = row.hash;
    return row;
  });
  f.addEvents('shop2', rows);
  const table = f.db.prepare(`SELECT table_id FROM source_tables WHERE kind = 'events'`).pluck().get() as number;
  f.db.prepare('UPDATE source_tables SET columns_json = ? WHERE table_id = ?').run(JSON.stringify(mapColumns('events', columns)), table);
  recordChainProfile(f.db, table, 'shop2', JCS_EXACT_SHA256_V2);
  editAsSynced(f.db, () => f.db.prepare(`UPDATE records SET action_details = '{"amount": 99999, "amount": 20}' WHERE kind = 'event' AND tenant_id = 'shop2' AND seq = 6`).run());
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['shop2'] },
    identity: id,
    out: join(dir, 'dup-v2.zip'),
    createdAt: '2026-03-01T08:30:00Z',
    appendixCap: 10,
    approvedVersions: [],
  });
  f.close();
  const chain = (JSON.parse((await entry(join(dir, 'dup-v2.zip'), 'verification.json')).toString('utf8')) as { tenants: IntegrityEntry[] }).tenants[0]!;
  assert.deepEqual(
    chain.breaks.map((b) => `${b.kind}@${b.seq}`),
    ['modified@6'],
  );
  assert.ok(!(chain.limits ?? []).some((l) => l.kind === 'duplicate_key'));
  const r = await verifyPackage(join(dir, 'dup-v2.zip'));
  assert.deepEqual(r.failures, []);
  assert.equal(r.chain?.verdict, 'broken');
  if (!PDFTOTEXT) return;
  writeFileSync(join(dir, 'dup-v2.pdf'), await entry(join(dir, 'dup-v2.zip'), 'report.pdf'));
  const pdf = execFileSync('pdftotext', ['-layout', join(dir, 'dup-v2.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(pdf, /Hash chain BROKEN: 1 break\(s\) \(1 modified\)/);
  assert.match(pdf, /Every break seq kind row id time 6 modified/);
  assert.doesNotMatch(pdf, /duplicate_key/);
});

/** Six payment events of one clerk, the one at `repeatedAt` with a repeated json key. */
function paymentRows(tag: string, repeatedAt: number): SourceRow[] {
  return Array.from({ length: 6 }, (_, i) => ({
    id: uuidOf(`${tag}-ev-${i}`),
    event_type: 'payment',
    entity_type: 'invoice',
    entity_id: `inv-${i}`,
    severity: 'info',
    user_id: `clerk-${tag}`,
    action_details: i === repeatedAt ? '{"amount": 10, "amount": 20}' : `{"amount": ${i}}`,
    ip_address: '10.0.0.3',
    created_at: `2026-01-07 10:0${i}:00.000000+00`,
    region: null,
  }));
}
