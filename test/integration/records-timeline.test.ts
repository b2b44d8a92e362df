// The timeline an auditor filters: pages, counts, facet counts, the histogram with
// sentinel timestamps, the event drawer, conversation threads and saved filters —
// through the API doorway against a real SQLite cache filled like a sync would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { RecordPage } from '../../src-main/core/contract/records.js';
import { FACET_NAMES, recordFilterSchema, type FacetName } from '../../src-main/core/records/filter.js';
import { recordFacets } from '../../src-main/core/records/facets.js';
import { canonicalTimestamp } from '../../src-main/core/chain/canonical.js';
import { createRecordsFixture, type RecordsFixture, type SourceRow } from '../helpers/records-fixture.js';
import { clientFor } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';
import { storeReport } from '../../src-main/core/verify/store.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';

const SOURCE_NAME: Record<FacetName, string> = {
  tenant: 'tenant_id',
  agent: 'agent_id',
  session: 'session_id',
  channel: 'channel',
  eventType: 'event_type',
  severity: 'severity',
  user: 'user_id',
  modelProvider: 'model_provider',
  modelName: 'model_name',
  modelVersion: 'model_version',
  deploymentId: 'deployment_id',
  safetyMode: 'safety_mode',
};

let fx: RecordsFixture;
let ctx: AppContext;

const api = () => clientFor(ctx);

function tsOf(r: SourceRow): string | null {
  const raw = r.kind === 'event' ? r.byName.created_at : r.byName.timestamp;
  return raw === null || raw === undefined ? null : canonicalTimestamp(raw);
}

function countBy(rows: SourceRow[], facet: FacetName): Map<string | null, number> {
  const m = new Map<string | null, number>();
  for (const r of rows) {
    const v = r.byName[SOURCE_NAME[facet]] ?? null;
    m.set(v, (m.get(v) ?? 0) + 1);
  }
  return m;
}

function mostCommon(rows: SourceRow[], facet: FacetName): string {
  const entries = [...countBy(rows, facet)].filter(([v]) => v !== null).sort((a, b) => b[1] - a[1]);
  return entries[0]![0]!;
}

before(() => {
  fx = createRecordsFixture({ events: 3000, conversations: 2000, seed: 7 });
  ctx = new AppContext({ dataDir: scratchDir('auditdesk-ctx-'), frontDoor: 'test', cachePath: fx.path });
});
after(() => {
  ctx.close();
  fx.close();
});

describe('timeline list', () => {
  test('pages come newest first, undated rows last, and offset paging equals cursor paging', async () => {
    const first = await api()['records.query']({ filter: {}, limit: 500 });
    assert.equal(first.rows.length, 500);
    assert.ok(first.hasMore);
    const all: RecordPage['rows'] = [];
    let page = first;
    all.push(...page.rows);
    while (page.nextCursor) {
      page = await api()['records.query']({ filter: {}, limit: 500, after: page.nextCursor });
      all.push(...page.rows);
    }
    assert.equal(all.length, fx.rows.length);
    assert.equal(new Set(all.map((r) => r.rid)).size, fx.rows.length, 'no row twice, none skipped');
    const offsetPage = await api()['records.query']({ filter: {}, offset: 1500, limit: 100 });
    assert.deepEqual(
      offsetPage.rows.map((r) => r.rid),
      all.slice(1500, 1600).map((r) => r.rid),
    );
    // ts descending with NULL last, as ORDER BY ts DESC does
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1]!.ts;
      const b = all[i]!.ts;
      if (a !== null && b !== null) assert.ok(a >= b, `${a} before ${b}`);
      if (a === null) assert.equal(b, null);
    }
    const undated = all.filter((r) => r.undated);
    assert.equal(
      undated.length,
      fx.rows.filter((r) => {
        const t = tsOf(r);
        return t === null || t < '1971' || t > '2200';
      }).length,
    );
  });

  test('ascending order reverses the list', async () => {
    const asc = await api()['records.query']({ filter: { kind: 'conversation' }, order: 'asc', limit: 5 });
    const expected = fx.rows
      .filter((r) => r.kind === 'conversation')
      .map(tsOf)
      .sort() as string[];
    assert.deepEqual(
      asc.rows.map((r) => r.ts),
      expected.slice(0, 5),
    );
    assert.ok(asc.rows.every((r) => r.kind === 'conversation'));
  });

  for (const facet of FACET_NAMES) {
    test(`filtering by ${facet} returns exactly the matching rows and counts them`, async () => {
      const value = mostCommon(fx.rows, facet);
      const expected = fx.rows.filter((r) => r.byName[SOURCE_NAME[facet]] === value);
      const count = await api()['records.count']({ filter: { [facet]: [value] } });
      assert.equal(count.total, expected.length);
      assert.equal(count.events, expected.filter((r) => r.kind === 'event').length);
      const page = await api()['records.query']({ filter: { [facet]: [value] }, limit: 500 });
      assert.equal(page.rows.length, Math.min(500, expected.length));
      const summaryField: Record<FacetName, keyof RecordPage['rows'][number]> = {
        tenant: 'tenant',
        agent: 'agentId',
        session: 'sessionId',
        channel: 'channel',
        eventType: 'eventType',
        severity: 'severity',
        user: 'userId',
        modelProvider: 'modelProvider',
        modelName: 'modelName',
        modelVersion: 'modelVersion',
        deploymentId: 'deploymentId',
        safetyMode: 'safetyMode',
      };
      assert.ok(page.rows.every((r) => r[summaryField[facet]] === value));
    });
  }

  test('several values of one facet are OR-ed, different facets AND-ed', async () => {
    const filter = { tenant: ['acme-health', 'initech'], eventType: ['export', 'delete'] };
    const expected = fx.rows.filter((r) => ['acme-health', 'initech'].includes(r.byName.tenant_id!) && ['export', 'delete'].includes(r.byName.event_type ?? ''));
    const count = await api()['records.count']({ filter });
    assert.equal(count.total, expected.length);
    assert.ok(count.total > 0);
  });

  test('time range and temperature range filter like the source values say', async () => {
    const from = '2026-09-01';
    const to = '2026-09-15T12:00:00Z';
    const expected = fx.rows.filter((r) => {
      const t = tsOf(r);
      return t !== null && t >= '2026-09-01T00:00:00.000000Z' && t < '2026-09-15T12:00:00.000000Z';
    });
    assert.equal((await api()['records.count']({ filter: { from, to } })).total, expected.length);
    const hot = fx.rows.filter((r) => r.kind === 'conversation' && Number(r.byName.temperature) > 0.8 && Number(r.byName.temperature) <= 1.5);
    const count = await api()['records.count']({ filter: { temperatureMin: 0.80001, temperatureMax: 1.5 } });
    assert.equal(count.total, hot.length);
    assert.ok(hot.length > 0);
  });

  test('a malformed date is refused with a message that shows the expected form', async () => {
    const reply = await dispatch(ctx, 'records.query', { filter: { from: 'last tuesday' } });
    assert.equal(reply.ok, false);
    assert.match(!reply.ok ? reply.error.message : '', /ISO date.*2026-01-31/);
  });
});

describe('facet counts', () => {
  test('every facet counts all rows when nothing is selected', async () => {
    const res = await api()['records.facets']({ filter: {}, limit: 200 });
    for (const facet of FACET_NAMES) {
      const expected = countBy(fx.rows, facet);
      const got = res.facets[facet]!;
      if (facet === 'session') {
        assert.ok(got.truncated, 'sessions exceed the limit');
        continue;
      }
      assert.equal(got.truncated, false, facet);
      assert.deepEqual(new Map(got.values.map((v) => [v.value, v.count])), expected, facet);
      for (let i = 1; i < got.values.length; i++) assert.ok(got.values[i - 1]!.count >= got.values[i]!.count);
    }
    assert.deepEqual(res.kind, { event: 3000, conversation: 2000 });
  });

  test("a facet's counts ignore its own selection but honour the others", async () => {
    const filter = { modelProvider: ['openai'], channel: ['web'] };
    const res = await api()['records.facets']({ filter, facets: ['modelProvider', 'channel', 'agent', 'kind'], limit: 50 });
    const webRows = fx.rows.filter((r) => r.byName.channel === 'web');
    assert.deepEqual(new Map(res.facets.modelProvider!.values.map((v) => [v.value, v.count])), countBy(webRows, 'modelProvider'));
    const openaiRows = fx.rows.filter((r) => r.byName.model_provider === 'openai');
    assert.deepEqual(new Map(res.facets.channel!.values.map((v) => [v.value, v.count])), countBy(openaiRows, 'channel'));
    const both = openaiRows.filter((r) => r.byName.channel === 'web');
    assert.deepEqual(new Map(res.facets.agent!.values.map((v) => [v.value, v.count])), countBy(both, 'agent'));
    assert.deepEqual(res.kind, { event: 0, conversation: both.length });
  });

  test('under a model filter, event-only facets show every row as empty (and vice versa)', async () => {
    const res = await api()['records.facets']({ filter: { modelProvider: ['azure'] }, facets: ['user', 'eventType'] });
    const azure = fx.rows.filter((r) => r.byName.model_provider === 'azure').length;
    assert.deepEqual(res.facets.user, { values: [{ value: null, count: azure }], truncated: false });
    assert.deepEqual(res.facets.eventType, { values: [{ value: null, count: azure }], truncated: false });
    const ev = await api()['records.facets']({ filter: { eventType: ['export'], user: ['user-3'] }, facets: ['session', 'user'] });
    const exports = fx.rows.filter((r) => r.byName.event_type === 'export');
    assert.deepEqual(ev.facets.session, { values: [{ value: null, count: exports.filter((r) => r.byName.user_id === 'user-3').length }], truncated: false });
    assert.deepEqual(new Map(ev.facets.user!.values.map((v) => [v.value, v.count])).get('user-3'), exports.filter((r) => r.byName.user_id === 'user-3').length);
  });

  test('a facet that would read too many rows is counted on the newest rows and says so', () => {
    const filter = recordFilterSchema.parse({ tenant: ['acme-health'] });
    const res = recordFacets(fx.db, { filter, facets: ['user', 'agent'], limit: 100 }, 300);
    const tenantRows = fx.rows.filter((r) => r.byName.tenant_id === 'acme-health');
    const newest = tenantRows
      .map((r, i) => ({ r, ts: tsOf(r), i }))
      .sort((a, b) => (a.ts === b.ts ? b.i - a.i : a.ts === null ? 1 : b.ts === null ? -1 : a.ts < b.ts ? 1 : -1))
      .slice(0, 300)
      .map((x) => x.r);
    assert.deepEqual(res.facets.user!.sampled, { rows: 300, of: tenantRows.length });
    assert.deepEqual(new Map(res.facets.user!.values.map((v) => [v.value, v.count])), countBy(newest, 'user'));
    assert.equal(res.facets.agent!.sampled, undefined, 'rolled-up facets stay exact');
    assert.deepEqual(new Map(res.facets.agent!.values.map((v) => [v.value, v.count])), countBy(tenantRows, 'agent'));
  });

  test('temperature and anomaly-score ranges count like the rows say', async () => {
    const res = await api()['records.facets']({ filter: {}, facets: ['temperature', 'anomalyScore'] });
    const temps = fx.rows
      .filter((r) => r.kind === 'conversation')
      .map((r) => Number(r.byName.temperature))
      .filter(Number.isFinite);
    const inBucket = (v: number, min: number | null, max: number | null) => (min === null || v >= min) && (max === null || v < max);
    for (const b of res.temperature!) assert.equal(b.count, temps.filter((t) => inBucket(t, b.min, b.max)).length, b.label);
    assert.equal(
      res.temperature!.reduce((s, b) => s + b.count, 0),
      temps.length,
      '"warm" is not a number and is not counted',
    );
    const eventIds = new Set(fx.rows.filter((r) => r.kind === 'event').map((r) => `${r.byName.tenant_id}/${r.byName.id}`));
    const maxScore = new Map<string, number>();
    for (const a of fx.anomalies) {
      const k = `${a.tenant_id}/${a.audit_event_id}`;
      if (eventIds.has(k)) maxScore.set(k, Math.max(maxScore.get(k) ?? 0, Number(a.anomaly_score)));
    }
    for (const b of res.anomalyScore!) assert.equal(b.count, [...maxScore.values()].filter((s) => inBucket(s, b.min, b.max)).length, b.label);
  });

  test('minAnomalyScore keeps only events with an anomaly at or above it', async () => {
    const page = await api()['records.query']({ filter: { minAnomalyScore: 0.7 }, limit: 500 });
    const expected = new Set(fx.anomalies.filter((a) => Number(a.anomaly_score) >= 0.7).map((a) => `${a.tenant_id}/${a.audit_event_id}`));
    const cachedExpected = fx.rows.filter((r) => r.kind === 'event' && expected.has(`${r.byName.tenant_id}/${r.byName.id}`));
    assert.equal(page.rows.length, cachedExpected.length);
    assert.ok(page.rows.every((r) => r.kind === 'event' && (r.anomalyScore ?? 0) >= 0.7));
  });
});

describe('histogram', () => {
  test('sentinel and missing timestamps are counted apart and never stretch the axis', async () => {
    const h = await api()['records.histogram']({ filter: {} });
    const dated = fx.rows.filter((r) => {
      const t = tsOf(r);
      return t !== null && t >= '1971' && t < '2200';
    });
    const undated = fx.rows.length - dated.length;
    assert.ok(undated >= 4, 'the fixture plants null, 1970, 1601 and infinity');
    assert.equal(h.undated.events + h.undated.conversations, undated);
    assert.equal(
      h.bins.reduce((s, b) => s + b.events + b.conversations, 0),
      dated.length,
    );
    assert.equal(
      h.bins.reduce((s, b) => s + b.conversations, 0),
      dated.filter((r) => r.kind === 'conversation').length,
    );
    assert.ok(h.from! >= '2026-08-01' && h.to! < '2026-11-01', `${h.from} … ${h.to}`);
    assert.ok(h.bins.length >= 60 && h.bins.length <= 130, `${h.bins.length} bins of ${h.bucketSeconds}s`);
    for (let i = 1; i < h.bins.length; i++) assert.equal(h.bins[i]!.start, h.bins[i - 1]!.end);
    assert.ok(h.bins[0]!.start <= h.from! && h.bins[h.bins.length - 1]!.end > h.to!);
  });

  test('a zoomed range gets finer bins and every row lands in the bin of its time', async () => {
    const filter = { from: '2026-09-10T00:00:00Z', to: '2026-09-10T06:00:00Z', kind: 'event' as const };
    const h = await api()['records.histogram']({ filter, buckets: 60 });
    assert.ok(h.bucketSeconds <= 600, `${h.bucketSeconds}`);
    const rows = fx.rows
      .filter((r) => r.kind === 'event')
      .map(tsOf)
      .filter((t): t is string => t !== null && t >= '2026-09-10T00' && t < '2026-09-10T06');
    for (const bin of h.bins) {
      assert.equal(bin.events, rows.filter((t) => t >= bin.start && t < bin.end).length, bin.start);
      assert.equal(bin.conversations, 0);
    }
  });

  test('a zoomed full-text histogram puts every match in the bin of its time', async () => {
    // "patient" is in every event's entity_type ('patient_record'): the matches are the events
    const filter = { from: '2026-09-10T00:00:00Z', to: '2026-09-12T00:00:00Z', text: 'patient' };
    const h = await api()['records.histogram']({ filter, buckets: 60 });
    assert.ok(h.bucketSeconds < 86400, `${h.bucketSeconds}`);
    const rows = fx.rows
      .filter((r) => r.kind === 'event')
      .map(tsOf)
      .filter((t): t is string => t !== null && t >= '2026-09-10T00' && t < '2026-09-12T00');
    assert.ok(rows.length > 0);
    assert.equal(
      h.bins.reduce((n, b) => n + b.events, 0),
      rows.length,
    );
    assert.deepEqual([h.from, h.to], [rows.reduce((a, b) => (a < b ? a : b)), rows.reduce((a, b) => (a > b ? a : b))]);
    for (const bin of h.bins) {
      assert.equal(bin.events, rows.filter((t) => t >= bin.start && t < bin.end).length, bin.start);
      assert.equal(bin.conversations, 0);
    }
  });

  test("a filter's undated rows are counted; a filter matching nothing gives no bins", async () => {
    const undatedEvent = fx.rows.find((r) => r.kind === 'event' && r.byName.created_at === null)!;
    const user = undatedEvent.byName.user_id!;
    const h = await api()['records.histogram']({ filter: { user: [user] } });
    const own = fx.rows.filter((r) => r.byName.user_id === user);
    assert.equal(
      h.undated.events,
      own.filter((r) => {
        const t = tsOf(r);
        return t === null || t < '1971' || t > '2200';
      }).length,
    );
    assert.ok(h.undated.events >= 1);
    const empty = await api()['records.histogram']({ filter: { tenant: ['no-such-tenant'] } });
    assert.deepEqual(empty, { bins: [], bucketSeconds: 0, from: null, to: null, undated: { events: 0, conversations: 0 } });
  });
});

describe('event drawer and conversation view', () => {
  test('an event shows every field, extra columns, pretty JSON and its chain position', async () => {
    const page = await api()['records.query']({ filter: { kind: 'event' }, limit: 1 });
    const d = await api()['records.get']({ rid: page.rows[0]!.rid });
    const source = fx.rows.find((r) => r.byName.id === d.source.sourceKey)!;
    assert.equal(d.fields.event_type, source.byName.event_type);
    assert.equal(d.fields.seq, Number(source.byName.seq));
    assert.deepEqual(d.extraFields, { region: source.byName.region });
    assert.equal(d.pretty.actionDetails, JSON.stringify(JSON.parse(source.byName.action_details!), null, 2));
    assert.equal(d.chain!.hash, source.byName.hash);
    assert.equal(d.chain!.prevHash, source.byName.prev_hash);
    assert.equal(d.chain!.status, 'unknown', 'no verification has run on this cache');
    assert.equal(d.source.table, 'audit_logs');
    assert.equal(d.model, null);
    assert.deepEqual(d.versions, []);
  });

  test('the chain position reads the latest verification: broken at a listed break, verified elsewhere', async () => {
    const db = fx.db;
    const chain = db.prepare("SELECT rid, seq, source_key AS sourceKey FROM records WHERE tenant_id = 'initech' AND kind = 'event' ORDER BY seq LIMIT 3").all() as {
      rid: number;
      seq: number;
      sourceKey: string;
    }[];
    const [a, b, c] = chain;
    const seqs = chain.map((r) => r.seq);
    // The verdict as a run stores it: signed with this data folder's auditor key.
    const verdict = {
      checkedAt: '2026-11-05T10:00:00.000Z',
      target: 'cache',
      source: null,
      intact: false,
      tenants: [
        {
          tenant: 'initech',
          table: 'audit_logs',
          rows: 100,
          intact: false,
          lastSeq: seqs[1],
          breaks: [{ seq: seqs[1], id: b!.sourceKey, kind: 'modified', explanation: 'hash does not match the row' }],
          breaksOmitted: 0,
        },
      ],
      seals: [],
      checkpointsRecorded: [],
    } as unknown as VerifyReport;
    storeReport(db, verdict, loadOrCreateAuditorKey(ctx.dataDir));
    const broken = await api()['records.get']({ rid: b!.rid });
    assert.equal(broken.chain!.status, 'broken');
    assert.match(broken.chain!.detail!, /modified: hash does not match/);
    const fine = await api()['records.get']({ rid: a!.rid });
    assert.equal(fine.chain!.status, 'verified');
    assert.match(fine.chain!.detail!, /1 break elsewhere/);
    const later = await api()['records.get']({ rid: c!.rid });
    assert.equal(later.chain!.status, 'unknown', 'rows past the verified head are not claimed as verified');
    const otherTenant = await api()['records.query']({ filter: { tenant: ['acme-health'], kind: 'event' }, limit: 1 });
    assert.equal((await api()['records.get']({ rid: otherTenant.rows[0]!.rid })).chain!.status, 'unknown');

    // A writer of the file clears the columns and break rows beside the signed verdict: what the
    // drawer says comes from the signed entry, not from them.
    db.prepare("UPDATE verify_results SET intact = 1, break_count = 0, last_seq = 999999 WHERE tenant_id = 'initech'").run();
    db.prepare("DELETE FROM verify_breaks WHERE tenant_id = 'initech'").run();
    assert.equal((await api()['records.get']({ rid: b!.rid })).chain!.status, 'broken');
    assert.match((await api()['records.get']({ rid: a!.rid })).chain!.detail!, /1 break elsewhere/);
    assert.equal((await api()['records.get']({ rid: c!.rid })).chain!.status, 'unknown');

    // The same verdict stored without the key (written into the file by something else): the
    // break is still shown, but no row is "verified" on its word.
    storeReport(db, { ...verdict, checkedAt: '2026-11-06T10:00:00.000Z' }, null);
    const unsigned = await api()['records.get']({ rid: a!.rid });
    assert.equal(unsigned.chain!.status, 'unknown');
    assert.match(unsigned.chain!.detail!, /^a verdict record not signed by an auditor key .* says this row checks; not checked here \(Integrity → Re-verify cache\)$/);
    const stillBroken = await api()['records.get']({ rid: b!.rid });
    assert.equal(stillBroken.chain!.status, 'broken');
    assert.match(stillBroken.chain!.detail!, /modified: hash does not match the row \(a verdict record not signed by an auditor key .*, not checked here\)/);
  });

  test('a conversation shows its model metadata and pretty model_config', async () => {
    const page = await api()['records.query']({ filter: { agent: ['fraud-analyst'] }, limit: 1 });
    const d = await api()['records.get']({ rid: page.rows[0]!.rid });
    assert.deepEqual(
      { ...d.model, modelInfo: null },
      { provider: 'azure', name: 'gpt-4', version: '0613', deploymentId: 'prod-eastus-01', temperature: '1.4', safetyMode: 'balanced', modelInfo: null },
    );
    assert.match(d.pretty.modelConfig!, /^\{\n {2}"max_tokens": 1024,/);
    assert.equal(d.chain, null);
  });

  test('a row changed at the source keeps its earlier version visible', async () => {
    const page = await api()['records.query']({ filter: { kind: 'event' }, limit: 1, offset: 10 });
    const rid = page.rows[0]!.rid;
    const row = fx.db.prepare('SELECT * FROM records WHERE rid = ?').get(rid) as Record<string, unknown>;
    fx.db
      .prepare(
        `INSERT INTO record_versions (rid, table_id, tenant_id, source_key, row_json, digest, superseded_by_sync, superseded_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, '2026-11-02T00:00:00Z')`,
      )
      .run(rid, row.table_id, row.tenant_id, row.source_key, JSON.stringify({ ...row, severity: 'was-low' }), 'old-digest');
    const d = await api()['records.get']({ rid });
    assert.equal(d.versions.length, 1);
    assert.equal(d.versions[0]!.row.severity, 'was-low');
  });

  test('an unknown rid is a named not-found error', async () => {
    const reply = await dispatch(ctx, 'records.get', { rid: 99_999_999 });
    assert.deepEqual(reply.ok ? null : reply.error.code, 'E_NOT_FOUND');
  });

  test("a session's turns come in time order", async () => {
    const sessions = countBy(
      fx.rows.filter((r) => r.kind === 'conversation'),
      'session',
    );
    const [sessionId] = [...sessions].sort((a, b) => b[1] - a[1])[0]!;
    const turns = fx.rows.filter((r) => r.byName.session_id === sessionId);
    const thread = await api()['records.thread']({ tenant: turns[0]!.byName.tenant_id!, sessionId: sessionId! });
    assert.equal(thread.turns.length, turns.length);
    assert.deepEqual(
      thread.turns.map((t) => t.prompt),
      turns.map((t) => t.byName.prompt),
      'generated in time order',
    );
    const times = thread.turns.map((t) => t.ts!);
    assert.deepEqual(times, [...times].sort());
    assert.equal(thread.truncated, false);
    const other = await api()['records.thread']({ tenant: 'no-such-tenant', sessionId: sessionId! });
    assert.deepEqual(other.turns, [], 'a session id is only looked up inside its tenant');
  });
});

describe('saved filters', () => {
  test('save, list, replace and delete a named filter', async () => {
    await api()['filters.saved.save']({ name: 'night exports', filter: { eventType: ['export'], from: '2026-09-01' } });
    await api()['filters.saved.save']({ name: 'Azure', filter: { modelProvider: ['azure'] } });
    await api()['filters.saved.save']({ name: 'night exports', filter: { eventType: ['export', 'delete'] } });
    const list = await api()['filters.saved.list']({});
    assert.deepEqual(
      list.map((f) => f.name),
      ['Azure', 'night exports'],
    );
    assert.deepEqual(list[1]!.filter.eventType, ['export', 'delete']);
    assert.equal(list[1]!.filter.from, undefined);
    assert.deepEqual(await api()['filters.saved.delete']({ name: 'Azure' }), { deleted: true });
    assert.deepEqual(await api()['filters.saved.delete']({ name: 'Azure' }), { deleted: false });
    const bad = await dispatch(ctx, 'filters.saved.save', { name: 'x', filter: { tenant: ['a'], sneaky: 1 } });
    assert.equal(bad.ok, false, 'unknown filter keys are refused');
  });
});
