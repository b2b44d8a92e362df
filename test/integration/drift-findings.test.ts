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
    for (const [values, digest] of [[f.earlierValues, f.earlierDigest], [f.laterValues, f.laterDigest]] as const) {
      if (values === null) continue;
      const byName = JSON.parse(values) as Record<string, string | null>;
      assert.equal(rowDigest(columns, columns.map((c) => byName[c.name] ?? null)), digest);
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
