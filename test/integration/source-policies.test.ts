// The policy reader against real PostgreSQL: what the auditor's role can read of
// pg_policies and pg_class, and which policies can hide a tenant's rows from it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { readTablePolicies } from '../../src-main/core/source/policies.js';

let demo: DemoDb;

before(async () => {
  demo = await startDemoDb();
});

after(async () => {
  await demo?.stop();
});

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: demo.adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function policiesOf(url: string, name: string) {
  const session = await connectSource(url);
  try {
    return await readTablePolicies(session, { schema: 'public', name }, 'tenant_id');
  } finally {
    await session.close();
  }
}

test('the demo tables filter the auditor by tenant only: nothing can hide rows of a tenant', async () => {
  const p = await policiesOf(demo.url, 'audit_logs');
  assert.equal(p.rlsEnabled, true);
  assert.equal(p.rlsForced, true);
  assert.equal(p.bypassedBy, null);
  assert.deepEqual(
    p.policies.map((x) => [x.name, x.command, x.permissive, x.appliesToReads, x.comparesTenant, x.extraPredicates]),
    [['tenant_isolation', 'ALL', true, true, true, []]],
  );
  assert.deepEqual(p.hidingPredicates, []);
});

test('a policy that also filters on the event type is named as able to hide rows', async () => {
  await admin(`ALTER POLICY tenant_isolation ON conversation_audit_logs
                 USING (tenant_id = current_setting('app.current_tenant_id', true) AND model_name <> 'hidden-model')`);
  const p = await policiesOf(demo.url, 'conversation_audit_logs');
  assert.deepEqual(p.hidingPredicates, ["model_name <> 'hidden-model'::text"]);
  // A restrictive policy on top of a tenant-only one is ANDed, so it hides rows too;
  // a second permissive one only widens what the tenant-only policy lets through.
  await admin(`CREATE POLICY no_exports ON audit_logs AS RESTRICTIVE FOR SELECT USING (event_type <> 'export')`);
  await admin(`CREATE POLICY support_sees_more ON audit_access_log AS PERMISSIVE FOR SELECT USING (access_type = 'read')`);
  assert.equal((await policiesOf(demo.url, 'audit_logs')).hidingPredicates.length, 1);
  assert.match((await policiesOf(demo.url, 'audit_logs')).hidingPredicates[0]!, /event_type.*<> 'export'/);
  assert.deepEqual((await policiesOf(demo.url, 'audit_access_log')).hidingPredicates, []);
});

test('for a superuser the policies do not apply, and the reader says why', async () => {
  const p = await policiesOf(demo.adminUrl, 'audit_logs');
  assert.equal(p.bypassedBy, 'superuser');
  assert.deepEqual(p.hidingPredicates, []);
});
