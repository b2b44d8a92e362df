// Controls against real PostgreSQL (issue 15): every control passes on a source that
// keeps its promise and fails (or warns) on one that breaks it. Damage is planted with
// the superuser on this file's own copy of the demo cluster, and undone where later
// tests need the promise kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { CONTROL_IDS, parseDlq, parsePolicy, readDlqFile, runControls, type ControlResult, type ControlsPolicy, type DlqFile } from '../../src-main/core/controls/index.js';

let db: DemoDb;
let admin: pg.Client;
const ACME = 'acme-pharma';
const GLOBEX = 'globex-bank';
const INITECH = 'initech-ai';
/** A tenant planted here whose records keep the promises the demo tenants break. */
const CLEAN = 'clean-co';
/** A tenant planted here with odd values (non-numeric temperature, wrong authors). */
const ODD = 'odd-co';

before(async () => {
  db = await startDemoDb();
  admin = new pg.Client({ connectionString: db.adminUrl });
  await admin.connect();
  await plantTenants();
});

after(async () => {
  await admin?.end();
  await db?.stop();
});

async function verdict(tenant: string, id: string, opts: { policy?: Partial<ControlsPolicy>; dlq?: DlqFile[]; url?: string } = {}): Promise<ControlResult> {
  const session = await connectSource(opts.url ?? db.url);
  try {
    const report = await runControls({ session, tenants: [tenant], only: [id], policy: parsePolicy(opts.policy ?? {}), dlq: opts.dlq });
    const [result] = report.tenants[0]!.controls;
    assert.equal(result!.id, id);
    return result!;
  } finally {
    await session.close();
  }
}

/** Runs `sql` as the superuser, then `undo` after `body` whatever happens. */
async function withPlanted<T>(sql: string[], undo: string[], body: () => Promise<T>): Promise<T> {
  for (const s of sql) await admin.query(s);
  try {
    return await body();
  } finally {
    for (const s of undo) await admin.query(s);
  }
}

const ev = {
  insert: `INSERT INTO audit_logs (id, seq, tenant_id, event_type, entity_type, entity_id, severity, user_id, action_details, ip_address, created_at, prev_hash, hash)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'medium', $6, $7, $8, $9, 'x', 'x') RETURNING id::text`,
};
const conv = `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, prompt, response, model_info, "timestamp",
                model_provider, model_name, model_version, deployment_id, temperature, safety_mode, model_config)
              VALUES (gen_random_uuid(), $1, $2, 's1', 'web', 'q', 'a', NULL, $3, $4, $5, $6, NULL, $7, 'strict', '{"max_tokens": 256}')`;

async function plantTenants(): Promise<void> {
  const author = (user: string, extra: Record<string, string> = {}) => JSON.stringify({ _created_by: user, _created_by_username: user.split('@')[0], _created_at: '2026-09-01T10:00:00Z', ...extra });
  // clean-co: encrypted IPs, an export with its access-log row, author fields, a model
  // change announced by a config_change event the hour before.
  await admin.query(ev.insert, [1, CLEAN, 'update', 'document', 'D-1', 'ana@clean.example', author('ana@clean.example'), 'gAAAAABnQ2VuY3J5cHRlZC1pcC0x', '2026-09-01 10:00:00+00']);
  await admin.query(ev.insert, [2, CLEAN, 'export', 'report', 'R-1', 'ana@clean.example', author('ana@clean.example'), 'gAAAAABnQ2VuY3J5cHRlZC1pcC0y', '2026-09-01 11:00:00+00']);
  await admin.query(ev.insert, [3, CLEAN, 'config_change', 'agent', 'clean-bot-prod', 'root@clean.example', author('root@clean.example'), 'gAAAAABnQ2VuY3J5cHRlZC1pcC0z', '2026-09-02 09:00:00+00']);
  await admin.query(
    `INSERT INTO audit_access_log (id, tenant_id, user_id, access_type, query_parameters, accessed_at) VALUES (gen_random_uuid(), $1, 'ana@clean.example', 'export', NULL, '2026-09-01 11:00:42+00')`,
    [CLEAN],
  );
  await admin.query(conv, [CLEAN, 'clean-bot-prod', '2026-09-01 12:00:00+00', 'openai', 'gpt-4o', '2024-08-06', '0.2']);
  await admin.query(conv, [CLEAN, 'clean-bot-prod', '2026-09-02 10:00:00+00', 'openai', 'gpt-4o', '2024-11-20', '0.2']);
  // odd-co: a temperature that is no number, an event whose author is someone else, one without a username.
  await admin.query(ev.insert, [1, ODD, 'update', 'document', 'D-9', 'bo@odd.example', author('eve@odd.example'), null, '2026-09-01 10:00:00+00']);
  await admin.query(ev.insert, [
    2,
    ODD,
    'update',
    'document',
    'D-9',
    'bo@odd.example',
    JSON.stringify({ _created_by: 'bo@odd.example', _created_at: '2026-09-01T10:00:00Z' }),
    null,
    '2026-09-01 10:05:00+00',
  ]);
  await admin.query(conv, [ODD, 'odd-bot-prod', '2026-09-01 12:00:00+00', 'openai', 'gpt-4o', '2024-08-06', 'warm']);
}

test("the catalogue of controls is the issue's, in its order", () => {
  assert.deepEqual(CONTROL_IDS, [
    'rls.enabled',
    'rls.policy',
    'tenant.isolation',
    'immutability.privileges',
    'immutability.guard',
    'chain.intact',
    'retention.archive',
    'retention.deletion',
    'access_log.coverage',
    'encryption.ip_address',
    'ai.model_traceability',
    'ai.temperature',
    'ai.safety_mode',
    'ai.secrets',
    'ai.config_change_logged',
    'authors.fields',
    'dlq.reconciled',
  ]);
});

test('rls.enabled: passes naming every audit table, fails naming the table without row-level security', async () => {
  const ok = await verdict(ACME, 'rls.enabled');
  assert.equal(ok.status, 'pass');
  assert.deepEqual((ok.evidence.tables as { table: string }[]).map((t) => t.table).sort(), [
    'public.audit_access_log',
    'public.audit_anomalies',
    'public.audit_logs',
    'public.conversation_audit_logs',
  ]);
  assert.match(ok.queries[0]!, /pg_catalog\.pg_class/);
  const bad = await withPlanted(['ALTER TABLE audit_anomalies DISABLE ROW LEVEL SECURITY'], ['ALTER TABLE audit_anomalies ENABLE ROW LEVEL SECURITY'], () => verdict(ACME, 'rls.enabled'));
  assert.equal(bad.status, 'fail');
  assert.match(bad.summary, /public\.audit_anomalies/);
  assert.doesNotMatch(bad.summary, /audit_logs|conversation/);
});

test('rls.policy: passes with tenant policies; warns when RLS is not forced; fails on a policy that ignores the tenant or filters on more than the tenant', async () => {
  // The demo leaves RLS on audit_anomalies unforced (its controls planting).
  const warn = await verdict(ACME, 'rls.policy');
  assert.equal(warn.status, 'warn');
  assert.match(warn.summary, /RLS is not FORCEd on public\.audit_anomalies, so the table owner bypasses it/);
  const forced = await withPlanted(['ALTER TABLE audit_anomalies FORCE ROW LEVEL SECURITY'], ['ALTER TABLE audit_anomalies NO FORCE ROW LEVEL SECURITY'], () => verdict(ACME, 'rls.policy'));
  assert.equal(forced.status, 'pass');
  const open = await withPlanted([`CREATE POLICY everyone_reads ON audit_anomalies FOR SELECT USING (true)`], ['DROP POLICY everyone_reads ON audit_anomalies'], () => verdict(ACME, 'rls.policy'));
  assert.equal(open.status, 'fail');
  assert.match(open.summary, /public\.audit_anomalies has a permissive policy that ignores the tenant \(everyone_reads\)/);
  const none = await withPlanted(
    [`ALTER POLICY tenant_isolation ON audit_access_log USING (tenant_id IS NOT NULL)`],
    [`ALTER POLICY tenant_isolation ON audit_access_log USING (tenant_id = current_setting('app.current_tenant_id', true))`],
    () => verdict(ACME, 'rls.policy'),
  );
  assert.equal(none.status, 'fail');
  assert.match(none.summary, /public\.audit_access_log has no read policy comparing the tenant with current_setting/);
  // A predicate beyond the tenant can hide the tenant's own rows from the auditor (source/policies.ts
  // classifies it): issue 21 asks rls.policy to fail on it, not merely warn.
  const hiding = await withPlanted(
    [`ALTER POLICY tenant_isolation ON audit_access_log USING (tenant_id = current_setting('app.current_tenant_id', true) AND access_type <> 'export')`],
    [`ALTER POLICY tenant_isolation ON audit_access_log USING (tenant_id = current_setting('app.current_tenant_id', true))`],
    () => verdict(ACME, 'rls.policy'),
  );
  assert.equal(hiding.status, 'fail');
  assert.match(hiding.summary, /on public\.audit_access_log a policy also filters on \(?access_type <> 'export'/);
});

test('tenant.isolation: a tenant sees only itself and no tenant sees nothing; a leaking policy is caught with counts', async () => {
  const ok = await verdict(GLOBEX, 'tenant.isolation');
  assert.equal(ok.status, 'pass');
  const events = (ok.evidence.tables as { table: string; ownRows: number; rowsWithNoTenantSet: number }[]).find((t) => t.table === 'public.audit_logs')!;
  assert.equal(events.ownRows, db.groundTruth.counts[GLOBEX]!.audit_logs);
  assert.equal(events.rowsWithNoTenantSet, 0);
  const leak = await withPlanted([`CREATE POLICY everyone_reads ON audit_access_log FOR SELECT USING (true)`], ['DROP POLICY everyone_reads ON audit_access_log'], () =>
    verdict(GLOBEX, 'tenant.isolation'),
  );
  assert.equal(leak.status, 'fail');
  const access = (leak.evidence.tables as { table: string; foreignRows: { tenant: string; rows: number }[]; rowsWithNoTenantSet: number }[]).find((t) => t.table === 'public.audit_access_log')!;
  assert.equal(access.foreignRows.find((f) => f.tenant === ACME)?.rows, db.groundTruth.counts[ACME]!.audit_access_log);
  assert.ok(access.rowsWithNoTenantSet > 0);
  assert.match(leak.summary, /public\.audit_access_log/);
});

test('tenant.isolation cannot be tested by a role that bypasses RLS: error with the reason, never a pass', async () => {
  const r = await verdict(GLOBEX, 'tenant.isolation', { url: db.adminUrl });
  assert.equal(r.status, 'error');
  assert.match(r.summary, /could not run: .*superuser/);
});

test("immutability.privileges: only the owner may change; a granted UPDATE/DELETE is named with its role, the auditor's own included", async () => {
  const ok = await verdict(ACME, 'immutability.privileges');
  assert.equal(ok.status, 'pass');
  assert.equal((ok.evidence.auditor as { role: string }).role, 'auditor_ro');
  const bad = await withPlanted(
    ['CREATE ROLE app_writer NOLOGIN', 'GRANT UPDATE, DELETE ON audit_logs TO app_writer', 'GRANT TRUNCATE ON audit_access_log TO auditor_ro'],
    ['REVOKE TRUNCATE ON audit_access_log FROM auditor_ro', 'REVOKE ALL ON audit_logs FROM app_writer', 'DROP ROLE app_writer'],
    () => verdict(ACME, 'immutability.privileges'),
  );
  assert.equal(bad.status, 'fail');
  assert.deepEqual(bad.evidence.holders, [
    { table: 'public.audit_access_log', role: 'auditor_ro', privileges: ['TRUNCATE'] },
    { table: 'public.audit_logs', role: 'app_writer', privileges: ['DELETE', 'UPDATE'] },
  ]);
  assert.deepEqual((bad.evidence.auditor as { changePrivileges: unknown }).changePrivileges, [{ table: 'public.audit_access_log', privileges: ['TRUNCATE'] }]);
});

test('immutability.guard: the trigger passes; disabled it warns while privileges hold, and fails when they do not', async () => {
  const ok = await verdict(ACME, 'immutability.guard');
  assert.equal(ok.status, 'pass');
  assert.match(ok.summary, /audit_logs_immutable/);
  const off = ['ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_immutable'];
  const on = ['ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_immutable'];
  const warn = await withPlanted(off, on, async () => {
    const session = await connectSource(db.url);
    try {
      // The guard reads the privileges verdict of the same run.
      const report = await runControls({ session, tenants: [ACME], only: ['immutability.privileges', 'immutability.guard'] });
      return report.tenants[0]!.controls[1]!;
    } finally {
      await session.close();
    }
  });
  assert.equal(warn.status, 'warn');
  assert.match(warn.summary, /rejects UPDATE and DELETE \(trigger audit_logs_immutable is disabled\)/);
  const fail = await withPlanted([...off, 'GRANT UPDATE ON audit_logs TO auditor_ro'], [...on, 'REVOKE UPDATE ON audit_logs FROM auditor_ro'], async () => {
    const session = await connectSource(db.url);
    try {
      const report = await runControls({ session, tenants: [ACME], only: ['immutability.privileges', 'immutability.guard'] });
      return report.tenants[0]!.controls[1]!;
    } finally {
      await session.close();
    }
  });
  assert.equal(fail.status, 'fail');
});

test('chain.intact: an untouched chain passes; the tampered tenant fails with the planted modified and deleted rows', async () => {
  const ok = await verdict(ACME, 'chain.intact');
  assert.equal(ok.status, 'pass');
  assert.equal(ok.evidence.rows, db.groundTruth.counts[ACME]!.audit_logs);
  assert.match(ok.queries[0]!, /^COPY \(SELECT .* FROM "public"\."audit_logs" WHERE "tenant_id" = .* ORDER BY "seq"\) TO STDOUT$/);
  const bad = await verdict(db.groundTruth.tamperedTenant, 'chain.intact');
  assert.equal(bad.status, 'fail');
  const breaks = bad.evidence.breaks as { kind: string; id: string | null }[];
  assert.deepEqual([...new Set(breaks.map((b) => b.kind))].sort(), ['deleted', 'modified']);
  const modified = db.groundTruth.tampering.find((t) => t.kind === 'modified')!;
  assert.ok(breaks.some((b) => b.kind === 'modified' && b.id === modified.id));
  // A tenant with no visible rows is a finding, never a pass (as verify's EMPTY).
  const empty = await verdict('nobody-co', 'chain.intact');
  assert.equal(empty.status, 'fail');
  assert.match(empty.summary, /^empty chain: no rows are visible for tenant nobody-co/);
});

test('retention.archive: passes within archiveAfterDays; fails naming the events that stayed past it', async () => {
  const from = Date.parse(db.groundTruth.window.from);
  const daysSince = (ms: number) => Math.floor((Date.now() - ms) / 86_400_000);
  const ok = await verdict(ACME, 'retention.archive', { policy: { archiveAfterDays: daysSince(from) + 30 } });
  assert.equal(ok.status, 'pass');
  const bad = await verdict(ACME, 'retention.archive', { policy: { archiveAfterDays: daysSince(from) - 10 } });
  assert.equal(bad.status, 'fail');
  assert.ok((bad.evidence.rows as number) > 0);
  assert.equal((bad.evidence.firstIds as string[]).length, 10);
});

test('retention.deletion: looks in every readable table named like the events table; fails on an archive holding an 8-year-old event', async () => {
  const ok = await verdict(ACME, 'retention.deletion');
  assert.equal(ok.status, 'pass');
  const bad = await withPlanted(
    [
      'CREATE TABLE audit_logs_archive (LIKE audit_logs)',
      `INSERT INTO audit_logs_archive SELECT * FROM audit_logs WHERE tenant_id = '${ACME}' ORDER BY seq LIMIT 3`,
      `UPDATE audit_logs_archive SET created_at = now() - interval '8 years' WHERE seq = 1`,
      'GRANT SELECT ON audit_logs_archive TO auditor_ro',
    ],
    ['DROP TABLE audit_logs_archive'],
    () => verdict(ACME, 'retention.deletion'),
  );
  assert.equal(bad.status, 'fail');
  assert.deepEqual(bad.evidence.searched, ['public.audit_logs', 'public.audit_logs_archive']);
  assert.match(bad.summary, /1 event older than 7 years remain: 1 in public\.audit_logs_archive/);
});

test("access_log.coverage: an export with its access-log row passes; the demo's unlogged exports fail, listed", async () => {
  const ok = await verdict(CLEAN, 'access_log.coverage');
  assert.equal(ok.status, 'pass');
  assert.equal(ok.evidence.exports, 1);
  const bad = await verdict(ACME, 'access_log.coverage');
  assert.equal(bad.status, 'fail');
  const night = db.groundTruth.incidents.nightExport;
  const uncovered = (bad.evidence.uncovered as { id: string }[]).map((u) => u.id);
  for (const id of night.ids) assert.ok(uncovered.includes(id), `the 3 a.m. export ${id} is listed`);
  // Outside the window is not covered.
  const late = await verdict(CLEAN, 'access_log.coverage', { policy: { accessLogWindowSeconds: 30 } });
  assert.equal(late.status, 'fail');
});

test('encryption.ip_address: encrypted values pass; plaintext addresses fail with a count and ids, never the values', async () => {
  const ok = await verdict(CLEAN, 'encryption.ip_address');
  assert.equal(ok.status, 'pass');
  const bad = await verdict(INITECH, 'encryption.ip_address');
  assert.equal(bad.status, 'fail');
  const [col] = bad.evidence.columns as { plaintext: number; firstIds: string[] }[];
  assert.equal(col!.plaintext, db.groundTruth.counts[INITECH]!.audit_logs);
  assert.equal(col!.firstIds.length, 10);
  assert.ok(!JSON.stringify(bad).includes(db.groundTruth.incidents.failedLoginBurst.ip), 'no address in the result');
});

test('ai.model_traceability: fully described rows pass; rows without model metadata fail, counted per agent', async () => {
  assert.equal((await verdict(CLEAN, 'ai.model_traceability')).status, 'pass');
  const bad = await verdict(INITECH, 'ai.model_traceability');
  assert.equal(bad.status, 'fail');
  const [{ rows: missingInDb }] = (
    await admin.query(`SELECT count(*)::int AS rows FROM conversation_audit_logs WHERE tenant_id = $1 AND (model_provider IS NULL OR model_name IS NULL OR model_version IS NULL)`, [INITECH])
  ).rows as { rows: number }[];
  assert.equal(bad.evidence.missing, missingInDb);
});

test('ai.temperature: passes below the limit, fails on the planted 1.4, warns on a temperature that is no number', async () => {
  assert.equal((await verdict(ACME, 'ai.temperature')).status, 'pass');
  const bad = await verdict(INITECH, 'ai.temperature');
  assert.equal(bad.status, 'fail');
  const hot = (bad.evidence.agents as { agent: string; above: number; max: string }[]).find((a) => a.above)!;
  assert.equal(hot.agent, db.groundTruth.incidents.highTemperature.agent_id);
  assert.equal(hot.above, db.groundTruth.incidents.highTemperature.count);
  assert.equal(Number(hot.max), 1.4);
  assert.equal((await verdict(INITECH, 'ai.temperature', { policy: { maxTemperature: 1.5 } })).status, 'pass');
  const odd = await verdict(ODD, 'ai.temperature');
  assert.equal(odd.status, 'warn');
});

test('ai.safety_mode: relaxed production agents fail; relaxed staging agents pass until the pattern names them', async () => {
  assert.equal((await verdict(ACME, 'ai.safety_mode')).status, 'pass');
  const bad = await verdict(INITECH, 'ai.safety_mode');
  assert.equal(bad.status, 'fail');
  const relaxed = db.groundTruth.incidents.relaxedProductionAgent;
  assert.deepEqual(
    (bad.evidence.agents as { agent: string; rows: number }[]).map((a) => [a.agent, a.rows]),
    [[relaxed.agent_id, relaxed.count]],
  );
  const staging = await verdict(ACME, 'ai.safety_mode', { policy: { productionPattern: 'staging' } });
  assert.equal(staging.status, 'fail');
  assert.match(staging.summary, /lab-notes-summariser-staging/);
});

test('ai.secrets: the API key planted in model_config fails, redacted; a tenant without one passes', async () => {
  assert.equal((await verdict(GLOBEX, 'ai.secrets')).status, 'pass');
  const bad = await verdict(ACME, 'ai.secrets');
  assert.equal(bad.status, 'fail');
  assert.equal(bad.evidence.rows, db.groundTruth.incidents.apiKeyInModelConfig.count);
  const text = JSON.stringify(bad);
  assert.match(text, /api_key: \\"sk-…\[REDACTED \d+ chars\]/);
  const [{ key }] = (await admin.query(`SELECT model_config->>'api_key' AS key FROM conversation_audit_logs WHERE model_config ? 'api_key' LIMIT 1`)).rows as { key: string }[];
  assert.ok(!text.includes(key.slice(3, 20)), 'the key itself never appears');
});

test('ai.config_change_logged: announced changes pass; a model version change without an event fails', async () => {
  const ok = await verdict(INITECH, 'ai.config_change_logged');
  assert.equal(ok.status, 'pass');
  assert.ok((ok.evidence.changes as number) >= 3);
  assert.equal((await verdict(CLEAN, 'ai.config_change_logged')).status, 'pass');
  const bad = await withPlanted(
    [
      `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, "timestamp", model_provider, model_name, model_version, temperature, safety_mode)
      VALUES (gen_random_uuid(), '${CLEAN}', 'clean-bot-prod', 's2', 'web', '2026-09-20 10:00:00+00', 'openai', 'gpt-4o', '2025-01-01', '0.2', 'strict')`,
    ],
    [`DELETE FROM conversation_audit_logs WHERE tenant_id = '${CLEAN}' AND session_id = 's2'`],
    () => verdict(CLEAN, 'ai.config_change_logged'),
  );
  assert.equal(bad.status, 'fail');
  const [change] = bad.evidence.unannounced as { agent: string; changed: Record<string, string> }[];
  assert.deepEqual(change, { ...change, agent: 'clean-bot-prod', changed: { model_version: '2024-11-20 → 2025-01-01' } });
});

test('authors.fields: not applicable without author fields; complete ones pass; a missing username or a foreign _created_by fails', async () => {
  assert.equal((await verdict(ACME, 'authors.fields')).status, 'not_applicable');
  assert.equal((await verdict(CLEAN, 'authors.fields')).status, 'pass');
  const bad = await verdict(ODD, 'authors.fields');
  assert.equal(bad.status, 'fail');
  const [events] = bad.evidence.carriers as { incomplete: number; createdByIsNotTheUser: number }[];
  assert.equal(events!.incomplete, 1);
  assert.equal(events!.createdByIsNotTheUser, 1);
});

test('dlq.reconciled: not applicable without files; persisted by id or by match pass; a lost event and a malformed line are listed', async () => {
  assert.equal((await verdict(ACME, 'dlq.reconciled')).status, 'not_applicable');
  const rows = (
    await admin.query(
      `SELECT id::text, event_type, entity_type, entity_id, user_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM audit_logs WHERE tenant_id = $1 ORDER BY seq LIMIT 2`,
      [ACME],
    )
  ).rows as { id: string; event_type: string; entity_type: string; entity_id: string; user_id: string; at: string }[];
  const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const shifted = new Date(Date.parse(b.at) + 400).toISOString();
  const persisted = [
    JSON.stringify({ error: 'timeout', event: { id: a.id, tenant_id: ACME, event_type: a.event_type, entity_type: a.entity_type, entity_id: a.entity_id, user_id: a.user_id, created_at: a.at } }),
    JSON.stringify({ tenant_id: ACME, event_type: b.event_type, entity_type: b.entity_type, entity_id: b.entity_id, user_id: b.user_id, created_at: shifted }),
  ];
  const good = parseDlq('audit_dlq_fallback.jsonl', persisted.join('\n') + '\n');
  const ok = await verdict(ACME, 'dlq.reconciled', { dlq: [good] });
  assert.equal(ok.status, 'pass');
  assert.equal(ok.evidence.persistedById, 1);
  assert.equal(ok.evidence.persistedByMatch, 1);
  const lost = JSON.stringify({
    id: '00000000-0000-4000-8000-00000000dead',
    tenant_id: ACME,
    event_type: 'delete',
    entity_type: 'document',
    entity_id: 'DOC-404',
    user_id: a.user_id,
    created_at: '2026-09-30T23:59:59Z',
  });
  const dir = scratchDir('auditdesk-dlq-');
  writeFileSync(join(dir, 'audit_dlq_primary.jsonl'), [...persisted, lost, '{"event": truncated'].join('\n'));
  const bad = await verdict(ACME, 'dlq.reconciled', { dlq: [readDlqFile(join(dir, 'audit_dlq_primary.jsonl'))] });
  assert.equal(bad.status, 'fail');
  assert.deepEqual(
    (bad.evidence.lost as { line: number; entityId: string }[]).map((l) => [l.line, l.entityId]),
    [[3, 'DOC-404']],
  );
  assert.deepEqual(bad.evidence.malformed, [{ file: 'audit_dlq_primary.jsonl', line: 4, reason: 'not JSON' }]);
  // Events of another tenant are not this tenant's to reconcile.
  assert.equal((await verdict(GLOBEX, 'dlq.reconciled', { dlq: [good] })).status, 'pass');
});
