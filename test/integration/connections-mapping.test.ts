// The Connections screen's table mapping, through dispatch as the UI calls it: a
// profile's mapping is validated at the door, saved and listed back, a mapped table
// that does not exist is one clear line on Test (the server did answer), and a sync of
// the saved profile reads the mapped table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { createMappedEventsTable, MAPPED_TENANT } from '../helpers/mapped-table.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import { clientFor, finishedJob } from '../helpers/app-calls.js';

let demo: DemoDb;
let dir: string;
let ctx: AppContext;

const api = () => clientFor(ctx);

function profile(mapping?: unknown) {
  const url = new URL(demo.url);
  return {
    id: 'mapped',
    name: 'Mapped',
    host: url.hostname,
    port: Number(url.port),
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username),
    sslmode: 'disable' as const,
    tenants: [MAPPED_TENANT],
    schema: 'public',
    ...(mapping ? { mapping } : {}),
  };
}
const password = () => decodeURIComponent(new URL(demo.url).password);

before(async () => {
  demo = await startDemoDb();
  await createMappedEventsTable(demo.adminUrl);
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-conn-mapping-'));
  ctx = new AppContext({ dataDir: join(dir, 'data'), frontDoor: 'test' });
});

after(async () => {
  await ctx?.shutdown();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the editor is offered the default table names and the field names a column can take', async () => {
  const f = await api()['connections.mappingFields']({});
  assert.equal(f.defaultTables.events, 'audit_logs');
  assert.ok(f.fields.events.includes('created_at') && f.fields.events.includes('id') && f.fields.events.includes('seq'));
  assert.ok(f.fields.conversations.includes('model_provider'));
});

test('a malformed mapping is refused at the door with the field that is wrong', async () => {
  for (const [mapping, message] of [
    [{ events: '' }, /mapping\.events: a mapped table name cannot be empty/],
    [{ events: 'a.b.c' }, /"table" or "schema\.table"/],
    [{ columns: { events: { a: 'id', b: 'id' } } }, /renamed to the same field/],
    [{ columns: { logs: { a: 'id' } } }, /mapping\.columns/],
  ] as const) {
    const reply = await dispatch(ctx, 'connections.save', { profile: profile(mapping) });
    assert.ok(!reply.ok && reply.error.code === 'E_INPUT' && message.test(reply.error.message), `${JSON.stringify(mapping)}: ${JSON.stringify(reply)}`);
  }
});

test('a mapped table that does not exist: Test connects, then names the table and the way out', async () => {
  const r = await api()['connections.test']({ profile: profile({ events: 'roche_audit_logz' }), password: password() });
  assert.equal(r.ok, false);
  assert.equal(r.connected, true);
  assert.equal(r.errorCode, 'E_UNKNOWN_TABLE');
  assert.match(r.error!, /public\.roche_audit_logz \(mapped as events\) does not exist/);
  assert.match(r.error!, /Check the table name in the mapping/);
  const unreachable = await api()['connections.test']({ profile: { ...profile(), port: 1 }, password: password() });
  assert.equal(unreachable.connected, false);
});

test('the mapping is saved with the profile, listed back, and the sync reads the mapped table', async () => {
  const mapping = { events: 'roche_audit_logs', columns: { events: { event_uuid: 'id', occurred_at: 'created_at' } } };
  const tested = await api()['connections.test']({ profile: profile(mapping), password: password() });
  assert.equal(tested.ok, true, tested.error ?? '');
  assert.equal(tested.tables.events, 'public.roche_audit_logs');
  await api()['connections.save']({ profile: profile(mapping), password: password(), makeActive: true });
  const [view] = await api()['connections.list']({});
  assert.deepEqual(view!.mapping, mapping);

  const result = await finishedJob<SyncResult>(ctx, 'sync.start', { connectionId: 'mapped' });
  const events = result.tables.find((t) => t.table === 'public.roche_audit_logs');
  assert.ok(events, JSON.stringify(result.tables.map((t) => t.table)));
  assert.equal(events.fetched, 120);
  assert.equal(events.tenant, MAPPED_TENANT.toLowerCase());
});
