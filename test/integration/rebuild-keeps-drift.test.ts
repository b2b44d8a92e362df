// Drift that fades: a conversation edited and an anomaly deleted at the source after the
// first sync are drift findings, the only evidence of those changes (neither table has a
// hash chain; the rebuilt cache is filled from the source as it is now). One flipped byte in
// the cache made the auditor rebuild, and the rebuilt cache said nothing had changed: verify
// exited 0 and the package had no changes.csv. The rebuild now carries the findings over,
// each marked as carried from the file set aside, and only when its values still give its
// digests; a finding scribbled in the damaged file is left behind and counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { editAsOwner } from '../helpers/source-edit.js';
import { unzipAll } from '../helpers/package-zip.js';
import { runPythonVerifier } from '../helpers/python-verifier.js';
import { readCsvRows } from '../../src-main/core/util/csv.js';

const TENANT = 'acme-pharma';
const EDITED_PROMPT = 'edited at the source between the visits';
const FORGED_KEY = '00000000-0000-4000-8000-000000000000';

let demo: DemoDb;
let dir: string;
let conversationId: string;
let anomalyId: string;

const cache = () => join(dir, 'cache.sqlite');
const cli = (args: string[]) => runAuditdesk(args, { cwd: dir, env: { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'drift-rebuild-password' } });
const sync = (...extra: string[]) => cli(['sync', '--source', demo.url, '--tenant', TENANT, '--cache', cache(), ...extra]);

interface DriftJson {
  count: number;
  findings: { key: string; change: string; explanation: string; carriedFrom?: { file: string; at: string } | null }[];
}

async function csvRows(bytes: Buffer): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  for await (const r of readCsvRows(Readable.from([bytes]), { neutralised: null })) rows.push(r);
  return rows;
}

before(async () => {
  demo = await startDemoDb();
  dir = scratchDir('auditdesk-rebuild-drift-');
  const first = await sync();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  await editAsOwner(demo.adminUrl, async (admin) => {
    const c = await admin.query(`SELECT id::text FROM conversation_audit_logs WHERE tenant_id = $1 AND prompt IS NOT NULL ORDER BY "timestamp", id LIMIT 1 OFFSET 5`, [TENANT]);
    conversationId = c.rows[0].id;
    await admin.query(`UPDATE conversation_audit_logs SET prompt = $2 WHERE id = $1`, [conversationId, EDITED_PROMPT]);
    const a = await admin.query(`SELECT id::text FROM audit_anomalies WHERE tenant_id = $1 ORDER BY detected_at, id LIMIT 1 OFFSET 2`, [TENANT]);
    anomalyId = a.rows[0].id;
    await admin.query(`DELETE FROM audit_anomalies WHERE id = $1`, [anomalyId]);
  });
  const second = await sync();
  assert.equal(second.code, 1, `the second sync finds the two changes: ${second.stdout}${second.stderr}`);
});

after(async () => {
  await demo?.stop();
});

interface QueueJson {
  items: { itemId: string; title: string; source: string; status: string; decision?: { note: string } | null }[];
}
const driftQueue = async () => JSON.parse((await cli(['review', 'list', '--cache', cache(), '--kind', 'drift', '--json'])).stdout) as QueueJson;

test('a rebuild carries the drift findings over: verify, the review queue and the package still name both changes', { timeout: 240_000 }, async () => {
  // The auditor decided the edited conversation before the damage: the decision is carried with the review work.
  assert.equal((await cli(['identity', 'create', '--name', 'Drift Auditor', '--org', 'Audit LLP', '--email', 'drift@audit.example', '--out', 'id.p12'])).code, 0);
  const edit = (await driftQueue()).items.find((i) => i.title.startsWith(`Row ${conversationId} `))!;
  const decided = await cli([
    'review',
    'decide',
    '--cache',
    cache(),
    '--item',
    edit.itemId,
    '--decision',
    'confirmed',
    '--meaning',
    'Confirmed as exception',
    '--note',
    'prompt edited; CAPA-12',
    '--identity',
    'id.p12',
  ]);
  assert.equal(decided.code, 0, decided.stderr);

  const db = new Database(cache());
  try {
    // The damage a rebuild is for: a cached event no longer what the sync stored.
    assert.equal(db.prepare(`UPDATE records SET severity = severity || char(7) WHERE kind = 'event' AND tenant_id = ? AND seq = 7`).run(TENANT).changes, 1);
    // And a finding scribbled in the damaged file: its later values no longer give its digest.
    assert.equal(
      db
        .prepare(
          `INSERT INTO drift_findings (table_id, tenant_id, source_key, change, detected_sync_id, detected_at, earlier_digest, later_digest, earlier_values, later_values)
           SELECT table_id, tenant_id, ?, change, detected_sync_id, detected_at, earlier_digest, later_digest, earlier_values, replace(later_values, 'between', 'BETWEEN')
             FROM drift_findings WHERE change = 'modified'`,
        )
        .run(FORGED_KEY).changes,
      1,
    );
    // And one no sync writes (the page's check bypassed): left behind alone, the others still carried.
    db.pragma('ignore_check_constraints = ON');
    db.prepare(
      `INSERT INTO drift_findings (table_id, tenant_id, source_key, change, detected_sync_id, detected_at, earlier_digest, later_digest, earlier_values, later_values)
       SELECT table_id, tenant_id, ?, 'vanished', detected_sync_id, detected_at, earlier_digest, later_digest, earlier_values, later_values FROM drift_findings WHERE change = 'deleted'`,
    ).run(FORGED_KEY);
  } finally {
    db.close();
  }
  assert.equal((await sync()).code, 2, 'the damaged cache is refused');

  const rebuilt = await sync('--rebuild');
  assert.match(
    rebuilt.stderr,
    /2 drift finding\(s\) carried over, each marked as carried from the file set aside; 2 left behind, damaged with the file \(values that no longer give the digests beside them, or not what a sync records\)/,
  );
  // The journal's entry for the rebuild says it too: the trail an inspector reads later.
  const journal = await cli(['journal', 'list', '--cache', cache()]);
  assert.match(journal.stdout, /cache rebuilt \(the damaged file kept as \S*cache\.sqlite\.broken-\S+\): .*, 2 drift findings carried, 2 left behind$/m);

  const verify = await cli(['verify', '--cache', cache(), '--tenant', TENANT, '--json']);
  assert.equal(verify.code, 1, `the changes are still findings: ${verify.stdout}${verify.stderr}`);
  const drift = (JSON.parse(verify.stdout) as { drift: DriftJson }).drift;
  assert.equal(drift.count, 2);
  assert.deepEqual(drift.findings.map((f) => `${f.change} ${f.key}`).sort(), [`deleted ${anomalyId}`, `modified ${conversationId}`]);
  for (const f of drift.findings) {
    assert.match(f.carriedFrom?.file ?? '', /^cache\.sqlite\.broken-/, 'the file set aside is named');
    assert.match(f.explanation, /carried over from the cache set aside at the rebuild of \S+ \(cache\.sqlite\.broken-\S+\), where sync #\d+ recorded it/);
  }
  const deleted = drift.findings.find((f) => f.change === 'deleted')!;
  assert.doesNotMatch(deleted.explanation, /the cached copy is kept/, 'the rebuilt cache holds no copy of the deleted row');
  assert.match(deleted.explanation, /was deleted at the source \(its last cached version is in the finding\)/);
  const human = await cli(['verify', '--cache', cache(), '--tenant', TENANT]);
  assert.match(human.stdout, /2 rows changed at the source after they were first cached/);

  const queue = await driftQueue();
  assert.deepEqual(queue.items.map((i) => i.title.match(/^Row (\S+)/)?.[1]).sort(), [anomalyId, conversationId].sort(), 'both changes are items of the review queue');
  for (const i of queue.items) assert.match(i.source, /^drift finding #\d+ of cache\.sqlite\.broken-\S+, carried over at the rebuild of /);
  const stillDecided = queue.items.find((i) => i.itemId === edit.itemId);
  assert.equal(stillDecided?.decision?.note, 'prompt edited; CAPA-12', 'the signed decision is still on its item');
  assert.equal(queue.items.find((i) => i.itemId !== edit.itemId)?.status, 'open');

  // A sync after the rebuild sees the rows as they are now: nothing changed since, no third finding.
  assert.equal((await sync()).code, 0);
  const again = JSON.parse((await cli(['verify', '--cache', cache(), '--tenant', TENANT, '--json'])).stdout) as { drift: DriftJson };
  assert.equal(again.drift.count, 2);

  const packagePath = join(dir, 'after-rebuild.zip');
  const exported = await cli(['export', '--cache', cache(), '--tenant', TENANT, '--identity', 'id.p12', '--out', packagePath, '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal((JSON.parse(exported.stdout) as { drift: { findings: number } }).drift.findings, 2, 'the package states both changes');
  const files = await unzipAll(packagePath);
  const rows = await csvRows(files.get('changes.csv')!);
  assert.equal(rows[0]!.at(-1), 'carried_from');
  const byKey = new Map(rows.slice(1).map((r) => [r[2], r]));
  assert.equal(JSON.parse(byKey.get(conversationId)![11]!).prompt, EDITED_PROMPT);
  assert.equal(JSON.parse(byKey.get(anomalyId)![10]!).id, anomalyId, "the deleted row's last cached version");
  for (const r of byKey.values()) assert.match(r.at(-1)!, /^cache\.sqlite\.broken-\S+ at \d{4}-\d\d-\d\dT/);
  const checked = await cli(['verify-package', packagePath]);
  assert.match(checked.stdout, /changes at the source: 2 rows changed at the source after they were first cached/);
  assert.equal(runPythonVerifier(packagePath).verdict, 'unpinned', 'the reference verifier accepts the package (signer not pinned)');
});
