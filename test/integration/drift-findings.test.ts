// Issue 19, as an auditor meets it on the demo tenant: sync acme-pharma; at the source,
// edit one conversation's prompt and delete one anomaly; sync again. Both changes are
// drift findings from then on: `verify --cache` and `verify --source --cache` exit 1
// naming both (the re-seal after the change must not make them "intact"), the exported
// package carries changes.csv with both versions and page 1 of the PDF states the
// drift, and the Python reference verifier agrees with verify-package on the package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache, listDriftFindings } from '../../src-main/core/sync/index.js';
import { rowDigest } from '../../src-main/core/chain/digest.js';
import type { MappedColumn } from '../../src-main/core/cache/record-mapping.js';
import { previewExport } from '../../src-main/core/export/package.js';
import { readCsvRows } from '../../src-main/core/util/csv.js';
import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { closeVerifyPageBrowser, verifyWithAll } from '../helpers/verify-all.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
const TENANT = 'acme-pharma';

let demo: DemoDb;
let dir: string;
let cachePath: string;
let db: CacheDb;
let conversationId: string;
let anomalyId: string;
let originalPrompt: string;
const EDITED_PROMPT = 'edited at the source after the first sync';

function cli(args: string[]) {
  const res = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'drift-password' },
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function sync() {
  const session = await connectSource(demo.url);
  try {
    return await syncToCache(session, db, { tenants: [TENANT] });
  } finally {
    await session.close();
  }
}

before(async () => {
  demo = await startDemoDb();
  assert.ok(demo.groundTruth.tenants.includes(TENANT), `the demo has tenant ${TENANT}`);
  dir = scratchDir('auditdesk-drift-');
  cachePath = join(dir, 'cache.sqlite');
  db = openCache(cachePath);
  await sync();
  const admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  try {
    const c = await admin.query(`SELECT id::text, prompt FROM conversation_audit_logs WHERE tenant_id = $1 AND prompt IS NOT NULL ORDER BY "timestamp", id LIMIT 1 OFFSET 7`, [TENANT]);
    conversationId = c.rows[0].id;
    originalPrompt = c.rows[0].prompt;
    await admin.query(`UPDATE conversation_audit_logs SET prompt = $2 WHERE id = $1`, [conversationId, EDITED_PROMPT]);
    const a = await admin.query(`SELECT id::text FROM audit_anomalies WHERE tenant_id = $1 ORDER BY detected_at, id LIMIT 1 OFFSET 3`, [TENANT]);
    anomalyId = a.rows[0].id;
    await admin.query(`DELETE FROM audit_anomalies WHERE id = $1`, [anomalyId]);
  } finally {
    await admin.end();
  }
});

after(async () => {
  await closeVerifyPageBrowser();
  db?.close();
  await demo?.stop();
});

test('the second sync records the edit and the deletion once each, with both versions of the row', async () => {
  const second = await sync();
  assert.equal(second.rowsChanged, 1);
  assert.equal(second.rowsDeleted, 1);
  // A third sync sees the deleted row again (its cached copy stays): still one finding, first detection kept.
  const firstDetection = listDriftFindings(db, { tenants: [TENANT] });
  await sync();
  const findings = listDriftFindings(db, { tenants: [TENANT] });
  assert.deepEqual(findings, firstDetection);
  assert.deepEqual(findings.map((f) => [f.tableKind, f.key, f.change, f.status]).sort(), [
    ['anomalies', anomalyId, 'deleted', 'open'],
    ['conversations', conversationId, 'modified', 'open'],
  ]);
  const edit = findings.find((f) => f.change === 'modified')!;
  assert.equal(JSON.parse(edit.earlierValues!).prompt, originalPrompt);
  assert.equal(JSON.parse(edit.laterValues!).prompt, EDITED_PROMPT);
  const deletion = findings.find((f) => f.change === 'deleted')!;
  assert.equal(JSON.parse(deletion.earlierValues!).id, anomalyId);
  assert.equal(deletion.laterValues, null);
  assert.equal(deletion.laterDigest, null);
  // The digests are those of the values kept beside them: a reader can recompute them.
  for (const f of findings) {
    const columns = JSON.parse(db.prepare(`SELECT columns_json FROM source_tables WHERE kind = ?`).pluck().get(f.tableKind) as string) as MappedColumn[];
    for (const [values, digest] of [
      [f.earlierValues, f.earlierDigest],
      [f.laterValues, f.laterDigest],
    ] as const) {
      if (values === null) continue;
      const byName = JSON.parse(values) as Record<string, string | null>;
      assert.equal(
        rowDigest(
          columns,
          columns.map((c) => byName[c.name] ?? null),
        ),
        digest,
      );
    }
  }
  // Seals are history: every sync added one per table, none was replaced.
  const seals = db.prepare(`SELECT count(*) FROM seals s JOIN source_tables t USING (table_id) WHERE t.kind = 'conversations' AND s.tenant_id = ?`).pluck().get(TENANT);
  assert.equal(seals, 3);
});

for (const target of ['--cache', '--source --cache'] as const) {
  test(`verify ${target} exits 1 naming the modified conversation and the deleted anomaly, with their first detection`, () => {
    const args = target === '--cache' ? ['verify', '--cache', cachePath, '--tenant', TENANT] : ['verify', '--source', demo.url, '--cache', cachePath, '--tenant', TENANT];
    const human = cli(args);
    assert.equal(human.code, 1, human.stderr);
    const json = cli([...args, '--json']);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.intact, false);
    assert.equal(report.summary.driftFindings, 2);
    const findings = listDriftFindings(db, { tenants: [TENANT] });
    for (const f of findings) {
      const listed = report.drift.findings.find((d: { key: string }) => d.key === f.key);
      assert.ok(listed, `${f.key} is in the report`);
      assert.equal(listed.change, f.change);
      assert.equal(listed.detectedAt, f.detectedAt);
      assert.ok(human.stdout.includes(f.key), `${f.key} is named in the human output`);
      assert.ok(human.stdout.includes(`first detected ${f.detectedAt}`));
    }
    // Nothing calls a table with drift findings intact.
    for (const s of report.seals) {
      if (s.table === 'conversation_audit_logs' || s.table === 'audit_anomalies') {
        assert.equal(s.intact, false, s.table);
        assert.doesNotMatch(s.explanation, /intact|still holds exactly/);
      }
    }
    assert.doesNotMatch(human.stdout, /^INTACT +(the seal|conversation_audit_logs|audit_anomalies)/m);
    assert.match(human.stdout, /2 rows changed at the source after they were first cached/);
  });
}

let packagePath: string;

test('the export carries changes.csv with both findings and both versions, counted in the manifest and stated on page 1 of the PDF', async () => {
  assert.equal(cli(['identity', 'create', '--name', 'Drift Auditor', '--org', 'Audit LLP', '--email', 'drift@audit.example', '--out', 'id.p12']).code, 0);
  const preview = previewExport(db, { tenant: [TENANT] });
  assert.equal(preview.driftFindings, 2);
  packagePath = join(dir, 'drift.zip');
  const r = cli(['export', '--cache', cachePath, '--tenant', TENANT, '--identity', 'id.p12', '--out', packagePath, '--created-at', '2026-12-04T12:00:00Z', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.deepEqual(result.drift, { findings: 2, chainRows: 0, statement: '2 rows changed at the source after they were first cached' });

  const files = unzipAll(packagePath);
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  const changesEntry = manifest.files.find((f: { name: string }) => f.name === 'changes.csv');
  assert.ok(changesEntry, 'the manifest names changes.csv');
  assert.equal(changesEntry.rows, 2);
  assert.equal(manifest.counts.changes, 2);
  assert.equal(manifest.drift.findings, 2);
  const rows = await parseCsv(files.get('changes.csv')!);
  assert.deepEqual(rows[0], [
    'finding_id',
    'table',
    'key',
    'kind',
    'detected_at',
    'detected_sync_id',
    'earlier_digest',
    'later_digest',
    'status',
    'decision',
    'earlier_values',
    'later_values',
    'carried_from',
  ]);
  const byKey = new Map(rows.slice(1).map((row) => [row[2], row]));
  const edit = byKey.get(conversationId)!;
  assert.equal(edit[1], 'conversation_audit_logs');
  assert.equal(edit[3], 'modified');
  assert.equal(JSON.parse(edit[10]!).prompt, originalPrompt);
  assert.equal(edit[12], null, 'a finding of this cache names no file it was carried from');
  assert.equal(JSON.parse(edit[11]!).prompt, EDITED_PROMPT);
  const deletion = byKey.get(anomalyId)!;
  assert.equal(deletion[1], 'audit_anomalies');
  assert.equal(deletion[3], 'deleted');
  assert.equal(JSON.parse(deletion[10]!).id, anomalyId);
  assert.equal(deletion[11], null);
  // The deleted anomaly stays in anomalies.csv as it was cached; changes.csv marks it.
  assert.ok((await parseCsv(files.get('anomalies.csv')!)).some((row) => row[0] === anomalyId));

  const verification = JSON.parse(files.get('verification.json')!.toString('utf8'));
  assert.deepEqual(verification.drift, manifest.drift);
  // verification.json and the manifest never disagree about a root.
  assert.equal(verification.tenants[0].merkleRoot, manifest.chain.merkleRoot);
  assert.match(manifest.chain.merkleRoot, /^[0-9a-f]{64}$/);
  // The anomalies CSV is the sealed rows in the seal's order: its root is the seal's.
  const anomalySeal = manifest.seals.find((x: { file: string }) => x.file === 'anomalies.csv');
  assert.equal(anomalySeal.sameRoot, true);
  assert.equal(anomalySeal.merkleRoot, manifest.files.find((f: { name: string }) => f.name === 'anomalies.csv').merkleRoot);

  const page1 = pdfPage(files.get('report.pdf')!, 1);
  assert.match(page1.replace(/\s+/g, ' '), /2 rows changed at the source after they were first cached/);
  assert.doesNotMatch(page1, /No row in the package changed/);

  // verify-package's text states the drift beside the chain line.
  assert.match(cli(['verify-package', packagePath]).stdout, /^ {2}changes at the source: 2 rows changed at the source after they were first cached; both versions of each are in changes\.csv$/m);
  // A package with drift is still an authentic package; both verifiers say so, pinned and unpinned.
  const unpinned = await verifyWithAll(packagePath);
  assert.deepEqual(unpinned.failures, []);
  const pinned = await verifyWithAll(packagePath, { trust: manifest.signer.fingerprint });
  assert.equal(pinned.signer?.trusted, true);
});

test('a changes.csv whose later version was swapped is refused by both verifiers, unread past the signed size', async () => {
  const files = unzipAll(packagePath);
  const changes = files.get('changes.csv')!.toString('utf8').replace(EDITED_PROMPT, 'a third version nobody saw');
  files.set('changes.csv', Buffer.from(changes));
  const forged = join(dir, 'forged.zip');
  const work = scratchDir('auditdesk-drift-forged-');
  for (const [name, bytes] of files) writeFileSync(join(work, name), bytes);
  assert.equal(spawnSync('zip', ['-q', '-X', forged, ...files.keys()], { cwd: work }).status, 0);
  const r = await verifyWithAll(forged);
  assert.deepEqual([...new Set(r.failures.map((f) => f.code))].sort(), ['SIZE_MISMATCH']);
});

test("a signed decision in the exceptions queue is the finding's status from then on: verify still lists it (exit 1), with the decision, and so does changes.csv", async () => {
  const queue = JSON.parse(cli(['review', 'list', '--cache', cachePath, '--kind', 'drift', '--json']).stdout) as {
    items: { itemId: string; evidence: { label: string; value: string }[]; evidenceHash: string }[];
  };
  const item = queue.items.find((i) => i.evidence.some((e) => e.label === 'Row id' && e.value === conversationId))!;
  assert.ok(item, 'the edited conversation is an item of the queue');
  const decided = cli([
    'review',
    'decide',
    '--cache',
    cachePath,
    '--item',
    item.itemId,
    '--decision',
    'confirmed',
    '--meaning',
    'Confirmed as exception',
    '--note',
    'prompt edited at the source; CAPA opened',
    '--reference',
    'CAPA-77',
    '--identity',
    'id.p12',
  ]);
  assert.equal(decided.code, 0, decided.stderr);

  const json = cli(['verify', '--cache', cachePath, '--tenant', TENANT, '--json']);
  assert.equal(json.code, 1, 'a decided finding is still a change at the source: never intact');
  const report = JSON.parse(json.stdout);
  const listed = report.drift.findings.find((d: { key: string }) => d.key === conversationId);
  assert.deepEqual([listed.status, listed.decision], ['decided', 'confirmed']);
  assert.equal(report.drift.open, 1);
  assert.match(listed.explanation, /Decided: confirmed by Drift Auditor at \d{4}-\d\d-\d\dT/);
  const human = cli(['verify', '--cache', cachePath, '--tenant', TENANT]);
  assert.match(human.stdout, /Decided: confirmed by Drift Auditor/);
  assert.match(human.stdout, /Not decided yet/, 'the deleted anomaly is still open');

  const out = join(dir, 'decided.zip');
  assert.equal(cli(['export', '--cache', cachePath, '--tenant', TENANT, '--identity', 'id.p12', '--out', out]).code, 0);
  const rows = await parseCsv(unzipAll(out).get('changes.csv')!);
  const edit = rows.find((row) => row[2] === conversationId)!;
  assert.deepEqual([edit[8], edit[9]], ['decided', 'confirmed']);
});

function unzipAll(zip: string): Map<string, Buffer> {
  const names = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return new Map(names.map((n) => [n, spawnSync('unzip', ['-p', zip, n], { maxBuffer: 1 << 28 }).stdout as Buffer]));
}

function pdfPage(pdf: Buffer, page: number): string {
  const res = spawnSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

/** The package's CSV as rows of cells (header first), read by the package's own reader (NULL = null). */
async function parseCsv(bytes: Buffer): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  for await (const r of readCsvRows(Readable.from([bytes]), { neutralised: null })) rows.push(r);
  return rows;
}
