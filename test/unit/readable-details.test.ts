// Issue 16: list rows show a one-line human summary of an event's details, not raw JSON;
// anomalies are titled by what happened, with the detector's features in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldLabel, jsonAsWords, parseJsonObject } from '../../src-renderer/timeline/readable.js';
import { anomalyTitle, featureWords } from '../../src-renderer/anomalies/describe.js';
import type { RecordSummary } from '../../src-main/core/contract/records.js';

const text = (segments: { text: string }[]) => segments.map((s) => s.text).join('');

test('event details read as words in the list, also when cut mid-way, and highlights survive', () => {
  assert.equal(text(jsonAsWords([{ text: '{"rows": 167, "view": "detail"}', match: false }])), 'rows 167 · view detail');
  assert.equal(text(jsonAsWords([{ text: '{"fields": ["assignee"], "reason": "reassigned after leave", "ticke', match: false }])), 'fields assignee · reason reassigned after leave, ticke');
  const highlighted = jsonAsWords([
    { text: '{"view": "', match: false },
    { text: 'detail', match: true },
    { text: '"}', match: false },
  ]);
  assert.deepEqual(highlighted, [
    { text: 'view ', match: false },
    { text: 'detail', match: true },
    { text: '', match: false },
  ]);
  // A prompt is left as written.
  assert.equal(text(jsonAsWords([{ text: 'Summarise {this} "report"', match: false }])), 'Summarise {this} "report"');
});

test('JSON fields parse for the drawer table; other text does not', () => {
  assert.deepEqual(parseJsonObject('{"a": {"b": 1}}'), { a: { b: 1 } });
  assert.equal(parseJsonObject('plain'), null);
  assert.equal(parseJsonObject('{broken'), null);
  assert.equal(fieldLabel('action_details'), 'Action details');
});

const event = (over: Partial<RecordSummary>): RecordSummary => ({
  rid: 1,
  kind: 'event',
  tenant: 'acme-pharma',
  ts: null,
  undated: false,
  sourceKey: 'k',
  seq: 1,
  eventType: 'login_failed',
  severity: 'high',
  userId: 'j.doe@acme',
  entityType: 'account',
  entityId: '4411',
  agentId: null,
  sessionId: null,
  channel: null,
  modelProvider: null,
  modelName: null,
  modelVersion: null,
  deploymentId: null,
  safetyMode: null,
  temperature: null,
  anomalyScore: 0.96,
  preview: [],
  ...over,
});

test('an anomaly is titled by what happened, and its features read as words', () => {
  assert.equal(anomalyTitle({ event: event({}), tenant: 'acme-pharma', auditEventId: 'e1' }), 'login_failed by j.doe@acme on account 4411 · acme-pharma');
  assert.equal(anomalyTitle({ event: null, tenant: 'acme-pharma', auditEventId: 'e1' }), 'Event e1 not in the cache · acme-pharma');
  assert.equal(featureWords('{"failures_10min": 10, "distinct_ips": 1, "user_baseline": 0.2, "extra": 5}'), 'failures 10min 10 · distinct ips 1 · user baseline 0.2');
  assert.equal(featureWords('not json'), null);
});

test('a jump link names its row, and the row is found among the loaded pages', async () => {
  const { findJumpIndex, formatJump, parseJump } = await import('../../src-renderer/timeline/jump-target.js');
  assert.deepEqual(parseJump('seq:812'), { by: 'seq', seq: 812 });
  assert.deepEqual(parseJump('rid:7'), { by: 'rid', rid: 7 });
  assert.equal(parseJump('seq:-1'), null);
  assert.equal(parseJump('drop table'), null);
  assert.equal(formatJump({ by: 'seq', seq: 812 }), 'seq:812');
  const pages = new Map([
    [1, [event({ rid: 20, seq: 812 }), event({ rid: 21, seq: 811 })]],
    [0, [event({ rid: 10, seq: 900 })]],
  ]);
  assert.equal(findJumpIndex(pages, 100, { by: 'seq', seq: 811 }), 101);
  assert.equal(findJumpIndex(pages, 100, { by: 'rid', rid: 10 }), 0);
  assert.equal(findJumpIndex(pages, 100, { by: 'seq', seq: 1 }), null);
});
