// The CLI and engagements (issue 13): `--engagement DIR` on sync, verify and export;
// `verify --source` alone verifies and prints and changes no engagement, no cache the
// app reads and nothing in the data folder; `engagement create|list|archive`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { engagementPaths } from '../../src-main/core/engagement/paths.js';
import { openCache } from '../../src-main/core/cache/open.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
const PASSWORD = 'eng-cli-password';
let demo: DemoDb;
let root: string;
let dataDir: string;
let engagement: string;
let tenant: string;

function run(args: string[]) {
  const res = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, AUDITDESK_P12_PASSWORD: PASSWORD, AUDITDESK_DATA_DIR: dataDir },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Every file under a folder with its SHA-256: what "changed nothing" is checked against. */
function fingerprintTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${statSync(p).size}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

before(async () => {
  demo = await startDemoDb();
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  root = scratchDir('auditdesk-eng-cli-');
  dataDir = join(root, 'data');
});

after(async () => {
  await demo?.stop();
});

test('engagement create makes the folder and lists it; sync --engagement fills its cache', () => {
  const created = run(['engagement', 'create', '--name', 'Acme Q1', '--client', 'Acme', '--period-from', '2026-01-01', '--period-to', '2026-03-31', '--json']);
  assert.equal(created.code, 0, created.stderr);
  engagement = (JSON.parse(created.stdout) as { dir: string }).dir;
  assert.equal(engagement, join(dataDir, 'engagements', 'acme-q1'));
  const listed = run(['engagement', 'list', '--json']);
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { name: string }[]).map((e) => e.name),
    ['Acme Q1'],
  );

  const synced = run(['sync', '--source', demo.url, '--tenant', tenant, '--engagement', engagement]);
  assert.equal(synced.code, 0, synced.stderr);
  const db = openCache(engagementPaths(engagement).cache, { readonly: true });
  try {
    assert.ok((db.prepare('SELECT count(*) FROM records').pluck().get() as number) > 0);
  } finally {
    db.close();
  }
});

test('verify --source alone verifies and prints, and changes no engagement and nothing in the data folder', () => {
  const beforeRun = fingerprintTree(dataDir);
  const r = run(['verify', '--source', demo.url, '--tenant', tenant, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as VerifyReport;
  assert.equal(report.intact, true);
  assert.deepEqual(report.checkpointsRecorded, []);
  assert.ok(
    report.notes.some((n) => /nothing was recorded: pass --engagement DIR/.test(n)),
    report.notes.join(' | '),
  );
  assert.deepEqual(fingerprintTree(dataDir), beforeRun, 'not a byte changed under the data folder');
  assert.equal(existsSync(join(dataDir, 'cache.sqlite')), false, 'no shared cache the app would read');
});

test('verify --engagement records its checkpoints and report in that engagement, naming the source', () => {
  const r = run(['verify', '--source', demo.url, '--tenant', tenant, '--engagement', engagement, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as VerifyReport;
  assert.equal(report.checkpointsRecorded.length, 1);
  const db = openCache(engagementPaths(engagement).cache, { readonly: true });
  try {
    const stored = db.prepare("SELECT source_fingerprint FROM verify_reports WHERE target = 'source+cache'").pluck().all();
    assert.deepEqual(stored, [report.source!.fingerprint]);
  } finally {
    db.close();
  }
});

test('--cache and --engagement together, or a folder that is not an engagement, are one clear error', () => {
  const both = run(['verify', '--engagement', engagement, '--cache', join(root, 'x.sqlite')]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^auditdesk: both --cache and --engagement were given\. Pass one of them/);
  const notOne = run(['sync', '--source', demo.url, '--engagement', join(root, 'typo')]);
  assert.equal(notOne.code, 2);
  assert.match(notOne.stderr, /is not an engagement folder \(no engagement\.json\)/);
  assert.equal(existsSync(join(root, 'typo')), false, 'a typo creates nothing');
});

test('export --engagement writes a package from its cache; engagement archive hands the folder over as one ZIP', () => {
  const id = join(root, 'id.p12');
  assert.equal(run(['identity', 'create', '--name', 'Eng CLI', '--org', 'QA', '--email', 'e@audit.example', '--out', id]).code, 0);
  const out = join(engagementPaths(engagement).dir, 'exports-by-hand.zip');
  const exported = run(['export', '--engagement', engagement, '--identity', id, '--tenant', tenant, '--out', out]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(existsSync(out));
  const zip = join(root, 'handover.zip');
  const archived = run(['engagement', 'archive', engagement, '--out', zip]);
  assert.equal(archived.code, 0, archived.stderr);
  assert.match(archived.stdout, /^wrote .*handover\.zip \(\d+ files/);
});

test('engagement list never prints "intact" over a damaged cache: damage a verdict recorded, or a file SQLite refuses', () => {
  const created = run(['engagement', 'create', '--name', 'Damaged Q2', '--client', 'Acme', '--json']);
  const dir = (JSON.parse(created.stdout) as { dir: string }).dir;
  assert.equal(run(['sync', '--source', demo.url, '--tenant', tenant, '--engagement', dir]).code, 0);
  const entryOf = (stdout: string) => stdout.slice(stdout.indexOf('Damaged Q2'));
  // A first sync has no earlier head to check against: "intact" with the limit named, never bare.
  assert.match(
    entryOf(run(['engagement', 'list']).stdout),
    /· intact, with limits \(\S+, \S+ [0-9a-f]{12}…, with limits: verify --engagement DIR names what it could not see\)/,
    'the sync gave its verdict',
  );
  // Verified again, against the head that sync recorded: plain "intact".
  assert.equal(run(['verify', '--engagement', dir, '--full']).code, 0);
  assert.match(entryOf(run(['engagement', 'list']).stdout), /· intact \(/);

  // Damage a later verdict found in a cached row: the app shows "cache damaged", the CLI said "intact".
  const db = new Database(engagementPaths(dir).cache);
  db.prepare(`INSERT INTO cache_damage (found_at, table_name, tenant_id, row_ref, message) VALUES ('2026-12-07T10:00:00.000Z', 'audit_logs', ?, 'seq 7', 'no longer what the sync stored')`).run(
    tenant,
  );
  db.close();
  const damaged = entryOf(run(['engagement', 'list']).stdout);
  assert.doesNotMatch(damaged, /· intact/);
  assert.match(damaged, /cache damaged: the verdict of \S+ no longer applies/);

  // A row that breaks a CHECK constraint: the app refuses the file; the list said "last sync never · never verified".
  const raw = new Database(engagementPaths(dir).cache);
  raw.pragma('ignore_check_constraints = ON');
  raw.prepare(`INSERT INTO verify_reports (checked_at, target, intact, report_json) VALUES ('2026-12-07T10:00:00.000Z', 'elsewhere', 1, '{}')`).run();
  raw.close();
  const refused = entryOf(run(['engagement', 'list']).stdout);
  assert.doesNotMatch(refused, /never verified|last sync never|· intact/);
  assert.match(refused, /cache cannot be read: cache \S+ is damaged \(CHECK constraint failed in verify_reports\)/);
});

test("a verdict written into the cache by anything but AuditDesk is nobody's check here: list, verify and review say so", () => {
  const tampered = demo.groundTruth.tamperedTenant;
  const created = run(['engagement', 'create', '--name', 'Forged Q3', '--client', 'Acme', '--json']);
  const dir = (JSON.parse(created.stdout) as { dir: string }).dir;
  assert.equal(run(['sync', '--source', demo.url, '--tenant', tampered, '--engagement', dir]).code, 1, 'the sync finds the break');
  const entryOf = (stdout: string) => stdout.slice(stdout.indexOf('Forged Q3'));
  assert.match(entryOf(run(['engagement', 'list']).stdout), /· NOT intact \(/);

  // A second writer (any process that can write the file) stores "intact": the latest report
  // copied with its breaks removed, key id and generation included, and a result per chain.
  const db = new Database(engagementPaths(dir).cache);
  const real = db.prepare('SELECT report_id, source_fingerprint, report_json FROM verify_reports ORDER BY report_id DESC LIMIT 1').get() as {
    report_id: number;
    source_fingerprint: string;
    report_json: string;
  };
  const forged = JSON.parse(real.report_json) as VerifyReport;
  forged.intact = true;
  forged.checkedAt = new Date().toISOString();
  forged.target = 'cache';
  for (const t of forged.tenants) Object.assign(t, { intact: true, verdict: 'intact', breaks: [], breaksOmitted: 0, limits: [] });
  const reportId = Number(
    db
      .prepare(`INSERT INTO verify_reports (checked_at, target, source_fingerprint, intact, report_json, cache_generation) VALUES (?, 'cache', ?, 1, ?, (SELECT n FROM cache_generation))`)
      .run(forged.checkedAt, real.source_fingerprint, JSON.stringify(forged)).lastInsertRowid,
  );
  for (const t of forged.tenants) {
    db.prepare(
      `INSERT INTO verify_results (report_id, what, table_name, tenant_id, intact, row_count, break_count, last_seq, checked_at, result_json) VALUES (?, 'chain', ?, ?, 1, ?, 0, NULL, ?, ?)`,
    ).run(reportId, t.table, t.tenant, t.rows, forged.checkedAt, JSON.stringify(t));
  }
  db.close();

  const listed = entryOf(run(['engagement', 'list']).stdout);
  assert.doesNotMatch(listed, /· intact/, 'not this auditor\'s "intact"');
  assert.match(listed, /· not checked here: says intact \([^\n]*\); a verdict record not signed by an auditor key [^\n]*: verify --engagement DIR gives your own/);

  const id = join(root, 'id.p12');
  const review = run(['review', 'complete', '--engagement', dir, '--note', 'all decided', '--accept-open-items', '--identity', id]);
  assert.equal(review.code, 2, review.stdout);
  assert.match(review.stderr, /cannot be completed over verdicts not checked here: \d+ chain\(s\), first \S+ \(a verdict record not signed by an auditor key/);

  // `verify` without --full gives a stored verdict only when this workstation signed it: re-read, the break is back.
  const verified = run(['verify', '--engagement', dir]);
  assert.equal(verified.code, 1, verified.stdout);
  assert.doesNotMatch(verified.stdout, /given again without re-reading/);
  assert.match(entryOf(run(['engagement', 'list']).stdout), /· NOT intact \(/);
});
