// The app can only read its sources: its own session refuses writes, and with the
// server's statement log on, a whole sync issues nothing but reads. Row-level
// security applies per tenant, and a role that could write is called out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startDemoDb, DEFAULT_TEST_EVENTS, DEFAULT_TEST_SEED } from '../helpers/demo-db.js';
import { freePort } from '../helpers/free-port.js';
import { demoBuildKey, openDemoFolder, type RunningDemo } from '../../src-main/core/demo/index.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { connectSource, type SourceSession } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import { CONTROL_IDS, parseDlq, runControls } from '../../src-main/core/controls/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';

const run = promisify(execFile);

let demo: RunningDemo;
let parent: string;
const serverLog: string[] = [];

before(async () => {
  // A private copy of the shared demo template, started here so this test can read
  // the server's log (the shared helper does not expose it).
  const shared = await startDemoDb();
  await shared.stop();
  const key = await demoBuildKey({ events: DEFAULT_TEST_EVENTS, seed: DEFAULT_TEST_SEED });
  parent = mkdtempSync(join(tmpdir(), 'auditdesk-readonly-'));
  chmodSync(parent, 0o755);
  await run('cp', ['-a', join(tmpdir(), 'auditdesk-demo-templates', key), join(parent, 'demo')]);
  demo = await openDemoFolder(join(parent, 'demo'), { port: await freePort(), onLog: (line) => serverLog.push(line) });
});

after(async () => {
  await demo?.stop();
  if (parent) rmSync(parent, { recursive: true, force: true });
});

async function expectRefused(session: SourceSession, sql: string): Promise<void> {
  await assert.rejects(session.query(sql), (e: unknown) => {
    assert.ok(isUserError(e), `expected a UserError, got ${String(e)}`);
    assert.match(e.message, /read-only|permission denied/);
    return true;
  });
}

test("a write attempted on the app's own session fails, even as the superuser", async () => {
  for (const url of [demo.url, demo.adminUrl]) {
    const session = await connectSource(url);
    try {
      assert.equal(await session.isReadOnly(), true);
      await expectRefused(session, `CREATE TABLE planted (x int)`);
      await expectRefused(session, `INSERT INTO audit_access_log (id, tenant_id, user_id, access_type, accessed_at) VALUES (gen_random_uuid(), 't', 'u', 'read', now())`);
      await expectRefused(session, `UPDATE conversation_audit_logs SET prompt = 'x'`);
      await expectRefused(session, `DELETE FROM audit_access_log`);
      // Asking for a writable transaction inside ours is refused too.
      await assert.rejects(session.query(`SET TRANSACTION READ WRITE`));
      // The session is still usable afterwards.
      assert.equal((await session.query('SELECT 1'))[0]![0], '1');
    } finally {
      await session.close();
    }
  }
  const admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  try {
    const r = await admin.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'planted'`);
    assert.equal(r.rows[0].n, 0);
  } finally {
    await admin.end();
  }
});

test('row-level security: no tenant sees nothing, a tenant sees only itself', async () => {
  const session = await connectSource(demo.url);
  try {
    const [none] = await session.query('SELECT count(*) FROM audit_logs');
    assert.equal(none![0], '0');
    for (const tenant of demo.groundTruth.tenants) {
      const rows = await session.query('SELECT tenant_id, count(*) FROM audit_logs GROUP BY tenant_id', [], tenant);
      assert.deepEqual(rows, [[tenant, String(demo.groundTruth.counts[tenant]!.audit_logs)]]);
      const conv = await session.query('SELECT DISTINCT tenant_id FROM conversation_audit_logs', [], tenant);
      assert.deepEqual(conv, [[tenant]]);
    }
    // streamRows for one tenant yields only that tenant's rows.
    const tables = await session.discover();
    const tenant = demo.groundTruth.tenants[0]!;
    let n = 0;
    for await (const batch of session.streamRows(tables.conversations!, tenant, { orderBy: 'key', batchSize: 500 })) {
      for (const row of batch) assert.equal(row[tables.conversations!.keys.tenant!], tenant);
      n += batch.length;
    }
    assert.equal(n, demo.groundTruth.counts[tenant]!.conversation_audit_logs);
  } finally {
    await session.close();
  }
});

test('streamRows reads with COPY: keyset bounds without spliced values, raw bytes seen first, an early stop leaves the session usable', async () => {
  const session = await connectSource(demo.url);
  try {
    const tables = await session.discover();
    const events = tables.events!;
    const tenant = demo.groundTruth.tenants[0]!;
    const seqs = (await session.query('SELECT seq::text AS s FROM audit_logs ORDER BY audit_logs.seq', [], tenant)).map((r) => r[0]!);
    const [after, through] = [seqs[10]!, seqs[seqs.length - 10]!];
    let bytes = 0;
    let ended = false;
    const got: string[] = [];
    for await (const batch of session.streamRows(events, tenant, {
      orderBy: 'seq',
      after: { seq: after },
      through: { seq: through },
      batchSize: 300,
      onBytes: (chunk) => {
        assert.equal(ended, false, 'nothing after the end');
        if (chunk === null) ended = true;
        else bytes += chunk.length;
      },
    })) {
      assert.ok(batch.length <= 300);
      for (const row of batch) got.push(row[events.keys.seq!]!);
    }
    assert.deepEqual(got, seqs.slice(11, seqs.length - 9), 'exactly the rows after `after` through `through`, in order');
    assert.ok(ended && bytes > 0, 'the raw COPY text was handed over, then its end');
    // A consumer that stops after the first batch: the COPY is read to its end, the session answers the next call.
    for await (const batch of session.streamRows(events, tenant, { orderBy: 'seq', batchSize: 100 })) {
      assert.equal(batch.length, 100);
      break;
    }
    assert.deepEqual(await session.query('SELECT count(*)::text FROM audit_logs', [], tenant), [[String(seqs.length)]]);
  } finally {
    await session.close();
  }
});

test('a role that could change the audit trail is called out', async () => {
  const ro = await connectSource(demo.url);
  try {
    assert.deepEqual(await ro.privilegeWarnings(await ro.discover()), []);
  } finally {
    await ro.close();
  }
  const su = await connectSource(demo.adminUrl);
  try {
    const warnings = await su.privilegeWarnings(await su.discover());
    assert.ok(warnings.some((w) => /superuser/.test(w)));
    assert.ok(warnings.some((w) => /holds INSERT, UPDATE, DELETE, TRUNCATE on public\.audit_logs/.test(w)));
  } finally {
    await su.close();
  }
});

/** Runs a marker statement until its line appears in the server log. */
async function untilLogged(admin: pg.Client, marker: string): Promise<void> {
  for (;;) {
    await admin.query(`SELECT $1::text AS marker`, [marker]);
    if (serverLog.some((l) => l.includes(marker))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Server log lines of our statements while `work` runs with log_statement = all. */
async function statementsDuring(work: () => Promise<void>): Promise<string[]> {
  const admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
  try {
    await admin.query(`ALTER SYSTEM SET log_statement = 'all'`);
    await admin.query(`ALTER SYSTEM SET log_line_prefix = 'app=%a pid=%p '`);
    await admin.query(`SELECT pg_reload_conf()`);
    // Logging is on once a marker statement shows up in the server log; after the work, a
    // second marker shows that every earlier statement's line has been written.
    await untilLogged(admin, 'auditdesk-log-on');
    serverLog.length = 0;
    await work();
    await untilLogged(admin, 'auditdesk-log-flushed');
    // PostgreSQL continues a multi-line statement on lines that start with a tab: one
    // message per statement, so a write on a statement's later line is seen too.
    const messages: string[] = [];
    for (const l of serverLog) {
      if (l.startsWith('\t') && messages.length) messages[messages.length - 1] += `\n${l.slice(1)}`;
      else messages.push(l);
    }
    const ours = messages.filter((l) => l.includes('app=auditdesk '));
    return ours.filter((l) => /(statement|execute [^:]*):/.test(l));
  } finally {
    await admin.query(`ALTER SYSTEM RESET log_statement`);
    await admin.query(`ALTER SYSTEM RESET log_line_prefix`);
    await admin.query(`SELECT pg_reload_conf()`);
    await admin.end();
  }
}

/**
 * Statements that could write. Rows are read with COPY (SELECT …) TO STDOUT. COPY FROM
 * always names a table (`COPY t [(cols)] FROM …`); a COPY of a query can only write TO,
 * so a COPY that does not start with "(" or does not end with TO STDOUT counts as a write.
 */
function writesAmong(statements: string[]): string[] {
  return statements.filter((l) => {
    const sql = l
      .replace(/^.*?(statement|execute [^:]*): /, '')
      .replace(/'[^']*'/g, "''")
      .replace(/"[^"]*"/g, '""');
    return (
      /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP|GRANT|REVOKE|VACUUM|CLUSTER|REINDEX|LOCK|COMMENT|SECURITY LABEL|REFRESH)\b|nextval|setval|pg_advisory|\blo_\w+\(/i.test(sql) ||
      (/\bCOPY\b/i.test(sql) && !/^\s*COPY \(SELECT [\s\S]*\) TO STDOUT\s*$/i.test(sql))
    );
  });
}

test('with the statement log on, a whole sync issues no write, DDL or COPY FROM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditdesk-readonly-cache-'));
  try {
    const statements = await statementsDuring(async () => {
      const db = openCache(join(dir, 'cache.sqlite'));
      const session = await connectSource(demo.url);
      try {
        await syncToCache(session, db, { tenants: demo.groundTruth.tenants });
        // A second run exercises the incremental and recheck paths too.
        await syncToCache(session, db, { tenants: demo.groundTruth.tenants });
      } finally {
        await session.close();
        db.close();
      }
    });
    // The log is really on: our reads are in it.
    assert.ok(
      statements.some((l) => /BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY/.test(l)),
      'the statement log shows our transactions',
    );
    assert.ok(
      statements.some((l) => /SELECT .* FROM "public"\."audit_logs"/.test(l)),
      'the statement log shows our reads',
    );
    assert.ok(
      statements.some((l) => /COPY \(SELECT .* FROM "public"\."audit_logs" .*\) TO STDOUT$/.test(l)),
      'the statement log shows our COPY reads',
    );
    assert.deepEqual(writesAmong(statements), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with the statement log on, every control of a controls run issues no write, DDL or COPY FROM', async () => {
  const dlq = parseDlq('audit_dlq_fallback.jsonl', JSON.stringify({ tenant_id: demo.groundTruth.tenants[0], event_type: 'export', created_at: '2026-09-01T00:00:00Z' }));
  let statuses: string[] = [];
  const statements = await statementsDuring(async () => {
    const session = await connectSource(demo.url);
    try {
      const report = await runControls({ session, tenants: demo.groundTruth.tenants, dlq: [dlq] });
      statuses = report.tenants.flatMap((t) => t.controls.map((c) => `${t.tenant} ${c.id} ${c.status}`));
    } finally {
      await session.close();
    }
  });
  // Every control ran (none stopped at an error before reaching the server).
  assert.deepEqual(
    statuses.filter((s) => s.endsWith(' error')),
    [],
  );
  assert.equal(statuses.length, demo.groundTruth.tenants.length * CONTROL_IDS.length);
  assert.ok(
    statements.some((l) => /FROM pg_policies/.test(l)),
    "the statement log shows the controls' catalog reads",
  );
  assert.ok(
    statements.some((l) => /COPY \(SELECT .* FROM "public"\."audit_logs" .*\) TO STDOUT$/.test(l)),
    'and the chain read',
  );
  assert.deepEqual(writesAmong(statements), []);
});
