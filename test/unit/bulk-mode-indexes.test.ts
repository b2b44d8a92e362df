import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache } from '../../src-main/core/cache/open.js';
import { mapColumns } from '../../src-main/core/cache/record-mapping.js';
import { columnsNeverFilled, enterBulkMode, restoreDeferredSchema } from '../../src-main/core/sync/deferred.js';
import { CONVERSATION_COLUMNS, EVENT_COLUMNS } from '../helpers/cache-fixture.js';
import { scratchDir } from '../helpers/scratch.js';

const recordsIndexes = (db: ReturnType<typeof openCache>) =>
  db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL ORDER BY name`).pluck().all() as string[];

test('a bulk fill of events keeps the conversation-only facet indexes live and rebuilds the rest', () => {
  const db = openCache(join(scratchDir('auditdesk-bulk-'), 'c.sqlite'));
  const before = recordsIndexes(db);
  const events = { tableId: 1, columns: mapColumns('events', EVENT_COLUMNS) };
  const never = columnsNeverFilled(db, [events]);
  for (const c of ['agent_id', 'channel', 'model_provider', 'model_name', 'model_version', 'deployment_id', 'safety_mode', 'temperature_num']) {
    assert.ok(never.has(c), `${c} is never filled by events`);
  }
  for (const c of ['event_type', 'severity', 'user_id', 'ts', 'seq', 'source_key', 'tenant_id', 'digest', 'extra']) assert.ok(!never.has(c), `${c} is filled by events`);

  enterBulkMode(db, never);
  const live = recordsIndexes(db);
  assert.deepEqual(live, [
    'records_agent',
    'records_channel',
    'records_deployment',
    'records_model_name',
    'records_model_provider',
    'records_model_version',
    'records_safety_mode',
    'records_temperature',
  ]);
  const deferred = db.prepare(`SELECT name FROM deferred_schema WHERE kind = 'index'`).pluck().all() as string[];
  assert.deepEqual([...deferred, ...live].sort(), before, 'every index is either live or noted for the rebuild');
  restoreDeferredSchema(db);
  assert.deepEqual(recordsIndexes(db), before);
  db.close();
});

test('a bulk fill of events and conversations together defers every facet index', () => {
  const db = openCache(join(scratchDir('auditdesk-bulk-'), 'c.sqlite'));
  const before = recordsIndexes(db);
  const never = columnsNeverFilled(db, [
    { tableId: 1, columns: mapColumns('events', EVENT_COLUMNS) },
    { tableId: 2, columns: mapColumns('conversations', CONVERSATION_COLUMNS) },
  ]);
  enterBulkMode(db, never);
  assert.deepEqual(recordsIndexes(db), []);
  restoreDeferredSchema(db);
  assert.deepEqual(recordsIndexes(db), before);
  db.close();
});
