// Issue 15: a GDPR data-subject export. `export --subject USER --subject-session S`
// packages exactly one person's rows of a tenant: their audit events and access-log
// rows (by user_id, counted at the real PostgreSQL source) and the conversations of
// the sessions named (conversation logs carry no user id; the rule is stated in the
// manifest and on page 1). verify-package says what such a package proves (each row's
// hash recomputed, never "chain intact"), agrees with the Python verifier, and a row
// changed in the cache before export is named by its seq.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { unzipAll } from '../helpers/package-zip.js';
import { verifyWithBoth } from '../helpers/python-verifier.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { editAsSynced } from '../helpers/cache-fixture.js';
import { readCsvRows } from '../../src-main/core/util/csv.js';
import { Readable } from 'node:stream';

let demo: DemoDb;
let dir: string;
let tenant: string;
let user: string;
let session: string;
let source: { events: number; access: number; conversations: number };
const env = () => ({ ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'subject-password' });
const cli = (args: string[]) => runAuditdesk(args, { env: env(), cwd: dir });

async function csv(bytes: Buffer): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  for await (const r of readCsvRows(Readable.from([bytes]), { neutralised: null })) rows.push(r);
  return rows;
}

before(async () => {
  demo = await startDemoDb();
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  dir = scratchDir('auditdesk-subject-');
  const admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  try {
    // The person with the most access-log rows who also has events: a subject with rows in both tables.
    user = (
      await admin.query<{ user_id: string }>(
        `SELECT a.user_id FROM audit_access_log a WHERE a.tenant_id = $1 AND EXISTS (SELECT 1 FROM audit_logs e WHERE e.tenant_id = $1 AND e.user_id = a.user_id)
        GROUP BY a.user_id ORDER BY count(*) DESC, a.user_id LIMIT 1`,
        [tenant],
      )
    ).rows[0]!.user_id;
    session = (await admin.query<{ session_id: string }>(`SELECT session_id FROM conversation_audit_logs WHERE tenant_id = $1 ORDER BY "timestamp", id LIMIT 1`, [tenant])).rows[0]!.session_id;
    const n = async (sql: string, v: unknown[]) => Number((await admin.query<{ n: string }>(sql, v)).rows[0]!.n);
    source = {
      events: await n('SELECT count(*) AS n FROM audit_logs WHERE tenant_id = $1 AND user_id = $2', [tenant, user]),
      access: await n('SELECT count(*) AS n FROM audit_access_log WHERE tenant_id = $1 AND user_id = $2', [tenant, user]),
      conversations: await n('SELECT count(*) AS n FROM conversation_audit_logs WHERE tenant_id = $1 AND session_id = $2', [tenant, session]),
    };
  } finally {
    await admin.end();
  }
  assert.ok(source.events > 0 && source.access > 0 && source.conversations > 0, JSON.stringify(source));
  assert.equal((await cli(['identity', 'create', '--name', 'Subject Auditor', '--org', 'DPO Office', '--email', 'dpo@audit.example', '--out', 'id.p12'])).code, 0);
  const synced = await cli(['sync', '--source', demo.url, '--tenant', tenant, '--cache', 'cache.sqlite']);
  assert.equal(synced.code, 0, synced.stderr);
});

after(async () => {
  await demo?.stop();
});

test("the package holds exactly the subject's events, access-log rows and the named session's conversations, and says so", async () => {
  const r = await cli(['export', '--cache', 'cache.sqlite', '--tenant', tenant, '--subject', user, '--subject-session', session, '--identity', 'id.p12', '--out', 'subject.zip']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`data subject ${user}: rows of the hash chain each recomputed and matching \\(a subject package does not show chain continuity\\)`));
  const files = await unzipAll(join(dir, 'subject.zip'));
  const events = await csv(files.get('audit_events.csv')!);
  const userCol = events[0]!.indexOf('user_id');
  assert.equal(events.length - 1, source.events);
  assert.ok(
    events.slice(1).every((row) => row[userCol] === user),
    "every event is the subject's",
  );
  const access = await csv(files.get('access_log.csv')!);
  assert.equal(access.length - 1, source.access);
  assert.ok(
    access.slice(1).every((row) => row[access[0]!.indexOf('user_id')] === user),
    "no one else's reads",
  );
  const conversations = await csv(files.get('conversation_logs.csv')!);
  assert.equal(conversations.length - 1, source.conversations);
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  assert.equal(manifest.query.subject.userId, user);
  assert.deepEqual(manifest.query.subject.sessions, [session]);
  assert.match(manifest.query.subject.rule, /conversation logs carry no user id/);
  assert.equal(manifest.chain.method, 'subset');

  writeFileSync(join(dir, 'subject.pdf'), files.get('report.pdf')!);
  const page1 = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', join(dir, 'subject.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(page1, /Data-subject package/);
  assert.match(page1, new RegExp(`Data subject ${user}`));
  assert.match(page1, /Rows of the hash chain: each row's hash recomputed and matching \(a subset: chain continuity is not shown\)/);
  assert.doesNotMatch(page1, /Hash chain intact/);
});

test('verify-package says what a subject package proves, never "intact", and the Python verifier agrees', async () => {
  const text = await cli(['verify-package', 'subject.zip']);
  assert.equal(text.code, 3, text.stdout + text.stderr);
  assert.match(text.stdout, new RegExp(`rows of the hash chain in audit_events\\.csv: ${source.events}, each row's hash recomputed and matching \\(a subset: chain continuity is not shown\\)`));
  assert.match(
    text.stdout,
    new RegExp(
      `note: data-subject package for user ${user}: each exported event's hash was recomputed from its own values and prev_hash; the links between them were checked at the source when it was exported; chain continuity is not shown by a subject package`,
    ),
  );
  assert.doesNotMatch(text.stdout, /hash chain in audit_events\.csv: \d+ rows, intact/);
  const both = await verifyWithBoth(join(dir, 'subject.zip'));
  assert.deepEqual(both.failures, []);
  assert.equal(both.subject?.userId, user);
});

test("a subject's row the tenant changed is named by its seq in the package and by verify-package; changed in the cache alone, it is refused as damage", async () => {
  const db = openCache(join(dir, 'cache.sqlite'));
  let seq: string;
  let rid: bigint;
  try {
    const row = db.prepare(`SELECT rid, seq FROM records WHERE kind = 'event' AND tenant_id = ? AND user_id = ? ORDER BY seq LIMIT 1 OFFSET 1`).safeIntegers(true).get(tenant, user) as {
      rid: bigint;
      seq: bigint;
    };
    seq = row.seq.toString();
    rid = row.rid;
    db.prepare(`UPDATE records SET severity = 'critical' WHERE rid = ?`).run(rid);
  } finally {
    db.close();
  }
  // Changed in the cache after the sync: no signed package blames the tenant for it.
  const damaged = await cli(['export', '--cache', 'cache.sqlite', '--tenant', tenant, '--subject', user, '--identity', 'id.p12', '--out', 'damaged.zip']);
  assert.equal(damaged.code, 2, damaged.stdout + damaged.stderr);
  assert.match(damaged.stderr, new RegExp(`is damaged: row seq ${seq!} of .* no longer matches what the sync stored`));
  assert.equal(existsSync(join(dir, 'damaged.zip')), false);
  // The same change as the tenant would have made it before the sync (the cache holds it as
  // synced): a re-verify reads the rows as synced again, which clears the damage on record.
  const synced = openCache(join(dir, 'cache.sqlite'));
  try {
    editAsSynced(synced, () => undefined);
  } finally {
    synced.close();
  }
  const reverified = await cli(['verify', '--cache', 'cache.sqlite', '--tenant', tenant]);
  assert.equal(reverified.code, 1, reverified.stdout + reverified.stderr);
  const r = await cli(['export', '--cache', 'cache.sqlite', '--tenant', tenant, '--subject', user, '--identity', 'id.p12', '--out', 'tampered.zip', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const verification = JSON.parse((await unzipAll(join(dir, 'tampered.zip'))).get('verification.json')!.toString('utf8'));
  assert.deepEqual(
    verification.tenants[0].breaks.map((b: { seq: number | string }) => String(b.seq)),
    [seq!],
  );
  const checked = await cli(['verify-package', 'tampered.zip', '--json']);
  const v = JSON.parse(checked.stdout);
  assert.deepEqual(v.failures, []);
  assert.deepEqual(
    v.chain.breaks.map((b: { seq: number | string }) => String(b.seq)),
    [seq!],
  );
});

test("an empty --subject is refused, never a whole-tenant export of everyone's rows", async () => {
  const r = await cli(['export', '--cache', 'cache.sqlite', '--tenant', tenant, '--subject', ' ', '--identity', 'id.p12', '--out', 'empty-subject.zip']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--subject is empty\./);
  const s = await cli(['export', '--cache', 'cache.sqlite', '--tenant', tenant, '--subject', user, '--user', user, '--identity', 'id.p12', '--out', 'both.zip']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /a data-subject export chooses its rows by the subject: it takes no user or session filter\./);
});

test('a subject id with a bidi override or a control character is shown escaped in the CLI and on page 1, never obeyed', async () => {
  const hostile = `${user}\u202Egpj.exe\u001b[2J`;
  const r = await cli(['export', '--cache', 'cache.sqlite', '--tenant', tenant, '--subject', hostile, '--identity', 'id.p12', '--out', 'hostile.zip']);
  assert.equal(r.code, 0, r.stderr);
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
  assert.doesNotMatch(r.stdout, /[\u202E\u001b]/);
  writeFileSync(join(dir, 'hostile.pdf'), (await unzipAll(join(dir, 'hostile.zip'))).get('report.pdf')!);
  const page1 = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', join(dir, 'hostile.pdf'), '-'], { encoding: 'utf8' });
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern is about (format rules, escaping, stripping)
  assert.doesNotMatch(page1, /[\u202E\u001b]/);
  assert.match(page1, /Data subject/);
});
