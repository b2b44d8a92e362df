// The timeline stays fast on a million rows only if every filter reaches an index.
// These check the query plans SQLite chooses for the SQL the app really runs
// (STYLE.md: a migration's test asserts the plan of the queries it exists for).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSql, countSql } from '../../src-main/core/records/query.js';
import { facetValuesSql } from '../../src-main/core/records/facets.js';
import { FACET_NAMES, buildWhere, recordFilterSchema, type FacetName, type RecordFilterInput } from '../../src-main/core/records/filter.js';
import { SUMMARY_COLUMNS, timelineConnection } from '../../src-main/core/records/sql.js';
import { textCountSql } from '../../src-main/core/records/text.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';

const FACET_INDEX: Record<FacetName, string> = {
  tenant: 'records_tenant_ts',
  agent: 'records_agent',
  session: 'records_session',
  channel: 'records_channel',
  eventType: 'records_event_type',
  severity: 'records_severity',
  user: 'records_user',
  modelProvider: 'records_model_provider',
  modelName: 'records_model_name',
  modelVersion: 'records_model_version',
  deploymentId: 'records_deployment',
  safetyMode: 'records_safety_mode',
};

let fx: RecordsFixture;

function plan(sql: string, params: unknown[]): string {
  return (fx.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

function page(input: RecordFilterInput): string {
  const q = pageSql({ filter: recordFilterSchema.parse(input), offset: 0, limit: 200, order: 'desc' });
  return plan(q.sql, q.params);
}

before(() => {
  fx = createRecordsFixture({ events: 1500, conversations: 1000, seed: 3 });
  timelineConnection(fx.db); // the SQL functions the timeline queries use
});
after(() => fx.close());

describe('query plans', () => {
  for (const facet of FACET_NAMES) {
    test(`a ${facet} filter pages through its (column, ts) index without sorting`, () => {
      const p = page({ [facet]: ['x'] });
      assert.match(p, new RegExp(`USING (COVERING )?INDEX ${FACET_INDEX[facet]} \\(`), p);
      assert.doesNotMatch(p, /TEMP B-TREE FOR ORDER BY/, p);
    });
  }

  test('the unfiltered timeline walks the ts index (no sort), also for deep offsets', () => {
    const p = page({});
    assert.match(p, /SCAN r USING (COVERING )?INDEX records_ts/, p);
    assert.doesNotMatch(p, /TEMP B-TREE/, p);
  });

  test('a time range searches the ts index, a tenant + range the tenant index', () => {
    assert.match(page({ from: '2026-09-01T10:00:00Z', to: '2026-09-02' }), /INDEX records_ts \(ts>\? AND ts<\?\)/);
    assert.match(page({ tenant: ['a'], from: '2026-09-01T10:00:00Z' }), /INDEX records_tenant_ts \(tenant_id=\? AND ts>\?\)/);
  });

  test('counts for user and session (not rolled up) search their index; the rest read the rollup', () => {
    for (const facet of ['user', 'session'] as const) {
      const q = countSql(recordFilterSchema.parse({ [facet]: ['x'] }));
      assert.match(plan(q.sql, q.params), new RegExp(`INDEX ${FACET_INDEX[facet]} \\(`));
    }
    const q = countSql(recordFilterSchema.parse({ modelProvider: ['openai'], from: '2026-09-01' }));
    assert.match(q.sql, /FROM records_rollup r/);
    assert.doesNotMatch(countSql(recordFilterSchema.parse({ from: '2026-09-01T10:00:00Z' })).sql, /records_rollup/, 'a bound inside a day needs records');
  });

  test('the count of a filter that decides the kind (user, session) reads only its covering index', () => {
    for (const facet of ['user', 'session'] as const) {
      const q = countSql(recordFilterSchema.parse({ [facet]: ['x', 'y'] }));
      const p = plan(q.sql, q.params);
      assert.match(p, new RegExp(`USING COVERING INDEX ${FACET_INDEX[facet]} \\(`), p);
    }
  });

  test('facet counts that must read records use a covering index', () => {
    for (const facet of ['user', 'session'] as const) {
      const p = plan(facetValuesSql(facet, ''), [21]);
      assert.match(p, new RegExp(`SCAN r USING COVERING INDEX ${FACET_INDEX[facet]}`), p);
    }
    const where = buildWhere(recordFilterSchema.parse({ tenant: ['a'] }), 'user');
    assert.match(plan(facetValuesSql('user', where.sql), [...where.params, 21]), /INDEX records_(tenant_ts|user)/);
  });

  test('full-text search goes through the FTS index', () => {
    assert.match(page({ text: 'refund' }), /records_fts VIRTUAL TABLE INDEX/);
  });

  test('text-only counts and bins read kind and ts from the (rid, kind, ts) index, not the table (migration 004)', () => {
    const q = textCountSql(recordFilterSchema.parse({ text: 'refund', from: '2026-09-01T10:00:00Z', kind: 'event' }), '"refund"*');
    const p = plan(q.sql, q.params);
    assert.match(p, /SCAN f VIRTUAL TABLE INDEX/, p);
    assert.match(p, /SEARCH r USING COVERING INDEX records_rid_kind_ts \(rid=\?/, p);
  });

  test('the anomaly-score filter starts from the anomalies and finds each event by its unique key', () => {
    const p = page({ minAnomalyScore: 0.7 });
    assert.match(p, /SCAN a|SEARCH a USING INDEX anomalies_score/, p);
    assert.match(p, /SEARCH ev USING COVERING INDEX records_key \(table_id=\? AND tenant_id=\? AND source_key=\?\)/, p);
  });

  test("a row's anomaly score is looked up by its event id", () => {
    const p = plan(`SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.rid = ?`, [1]);
    assert.match(p, /SEARCH a USING INDEX anomalies_event \(audit_event_id=\?\)/, p);
  });
});
