// An auditor pastes anything into a filter or the search box: SQL fragments, FTS
// operators, HTML. Every such string is a plain value: right (usually empty) results,
// no error, nothing in the cache changed, and matches come back as text segments.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { FACET_NAMES } from '../../src-main/core/records/filter.js';
import { canonicalTimestamp } from '../../src-main/core/chain/canonical.js';
import { WALK_THRESHOLD } from '../../src-main/core/records/text.js';
import { createRecordsFixture, HOSTILE, type RecordsFixture } from '../helpers/records-fixture.js';
import { clientFor } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';

const HOSTILE_STRINGS = [HOSTILE.sql, HOSTILE.html, 'NEAR(', '"', '*', 'OR', 'a" OR "b', "x') OR 1=1 --", '%', '_', '\\', '\u0000', 'records_fts MATCH *', '-infinity'];

let fx: RecordsFixture;
let ctx: AppContext;

const api = () => clientFor(ctx);

function snapshot(): string {
  const counts = fx.db
    .prepare(
      `SELECT (SELECT count(*) FROM records) AS records, (SELECT count(*) FROM anomalies) AS anomalies,
              (SELECT count(*) FROM reviews) AS reviews, (SELECT count(*) FROM sqlite_master) AS objects,
              (SELECT total(rid) FROM records) AS rids`,
    )
    .get();
  const ftsCheck = fx.db.prepare("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')").run();
  return JSON.stringify([counts, ftsCheck.changes >= 0]);
}

before(() => {
  fx = createRecordsFixture({ events: 2600, conversations: 1500, seed: 11 }); // > WALK_THRESHOLD events
  ctx = new AppContext({ dataDir: scratchDir('auditdesk-ctx-'), frontDoor: 'test', cachePath: fx.path });
});
after(() => {
  ctx.close();
  fx.close();
});

describe('hostile filter values', () => {
  test('every facet, time bound and search box takes hostile strings as plain values', async () => {
    const before = snapshot();
    for (const s of HOSTILE_STRINGS) {
      for (const facet of FACET_NAMES) {
        const expected = fx.rows.filter((r) => Object.values(r.byName).includes(s) && matchesFacet(r.byName, facet, s)).length;
        const count = await api()['records.count']({ filter: { [facet]: [s] } });
        assert.equal(count.total, expected, `${facet} = ${JSON.stringify(s)}`);
        const page = await api()['records.query']({ filter: { [facet]: [s] }, limit: 10 });
        assert.equal(page.rows.length, Math.min(10, expected));
        await api()['records.facets']({ filter: { [facet]: [s] }, limit: 5 });
        await api()['records.histogram']({ filter: { [facet]: [s] } });
      }
      await api()['records.query']({ filter: { text: s }, limit: 20 });
      await api()['records.count']({ filter: { text: s } });
      await api()['records.facets']({ filter: { text: s } });
      await api()['records.histogram']({ filter: { text: s } });
      // a hostile time bound is refused by name, never run
      const reply = await dispatch(ctx, 'records.query', { filter: { from: s } });
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.error.code, 'E_INPUT');
    }
    assert.equal(snapshot(), before, 'nothing in the cache changed');
  });

  test('the stored hostile values are found exactly, and shown as text', async () => {
    const agent = await api()['records.query']({ filter: { agent: [HOSTILE.sql] }, limit: 500 });
    const expected = fx.rows.filter((r) => r.byName.agent_id === HOSTILE.sql);
    assert.ok(expected.length > 0);
    assert.equal((await api()['records.count']({ filter: { agent: [HOSTILE.sql] } })).total, expected.length);
    assert.ok(agent.rows.every((r) => r.agentId === HOSTILE.sql));
    const users = await api()['records.query']({ filter: { user: [HOSTILE.html] }, limit: 500 });
    assert.equal(users.rows.length, fx.rows.filter((r) => r.byName.user_id === HOSTILE.html).length);
    const facets = await api()['records.facets']({ filter: {}, facets: ['agent'] });
    assert.ok(
      facets.facets.agent!.values.some((v) => v.value === HOSTILE.sql),
      'facet values come back verbatim',
    );
  });

  test('SQL and FTS operator words in the search box are searched as words', async () => {
    // "DROP TABLE records" appears only in the planted hostile prompts and action details.
    const withWords = fx.rows.filter((r) => /\bDROP TABLE records\b/i.test(`${r.byName.prompt ?? ''} ${r.byName.action_details ?? ''}`));
    const page = await api()['records.query']({ filter: { text: "'; DROP TABLE records; --" }, limit: 500 });
    assert.equal(page.rows.length, withWords.length);
    assert.ok(page.rows.length > 0);
    const near = await api()['records.count']({ filter: { text: 'NEAR( OR *' } });
    const nearRows = fx.rows.filter((r) => /NEAR\(/.test(`${r.byName.prompt ?? ''} ${r.byName.action_details ?? ''}`) && /\bOR\b/.test(`${r.byName.prompt ?? ''} ${r.byName.action_details ?? ''}`));
    assert.equal(near.total, nearRows.length, 'NEAR and OR are words here, not operators');
    const nothing = await api()['records.count']({ filter: { text: '" * ( )' } });
    assert.equal(nothing.total, 0, 'text with no searchable word matches nothing');
  });
});

describe('full-text search results', () => {
  test('matches are highlighted as text segments, HTML stays text', async () => {
    const page = await api()['records.query']({ filter: { text: 'img onerror' }, limit: 50 });
    assert.ok(page.rows.length > 0);
    for (const row of page.rows) {
      const marked = row.preview.filter((s) => s.match).map((s) => s.text.toLowerCase());
      assert.ok(marked.includes('img') && marked.some((m) => m.startsWith('onerror')), JSON.stringify(row.preview));
      const text = row.preview.map((s) => s.text).join('');
      assert.ok(text.includes('<img src=x'), 'the markup is returned verbatim as text, for the UI to render as text');
      assert.ok(!/[\uE000\uE001]/.test(text), 'no marker characters leak');
    }
  });

  test('the last word matches as a prefix while typing, diacritics fold', async () => {
    const prefix = await api()['records.count']({ filter: { text: 'passw' } });
    const full = fx.rows.filter((r) => /\bpassw/i.test(`${r.byName.prompt} ${r.byName.response} ${r.byName.action_details}`)).length;
    assert.equal(prefix.total, full);
    const page = await api()['records.query']({ filter: { text: 'passw' }, limit: 5 });
    assert.ok(page.rows.every((r) => r.preview.some((s) => s.match && s.text.toLowerCase().startsWith('passw'))));
    const folded = await api()['records.count']({ filter: { text: 'resume' } });
    assert.equal(folded.total, fx.rows.filter((r) => /résumé/.test(`${r.byName.prompt} ${r.byName.response} ${r.byName.action_details}`)).length);
    assert.ok(folded.total > 0);
  });

  test('a word in most rows (index walk, FTS counts) gives the same page, count and bins as the rows say', async () => {
    // "patient" is in every event's entity_type: well above the walk threshold.
    const matches = fx.rows.filter((r) => r.kind === 'event');
    assert.ok(matches.length > WALK_THRESHOLD);
    const tsOf = (r: (typeof fx.rows)[number]) => (r.byName.created_at === null ? null : canonicalTimestamp(r.byName.created_at!));
    const count = await api()['records.count']({ filter: { text: 'patient' } });
    const undated = matches.filter((r) => {
      const t = tsOf(r);
      return t === null || t < '1971' || t > '2200';
    }).length;
    assert.deepEqual(count, { total: matches.length, events: matches.length, conversations: 0, undated: null }, 'undated is left to the histogram');
    const tenant = matches[0]!.byName.tenant_id!;
    const own = matches.filter((r) => r.byName.tenant_id === tenant);
    const perTenant = await api()['records.count']({ filter: { text: 'patient', tenant: [tenant] } });
    assert.deepEqual(perTenant, {
      total: own.length,
      events: own.length,
      conversations: 0,
      undated: own.filter((r) => {
        const t = tsOf(r);
        return t === null || t < '1971' || t > '2200';
      }).length,
    });
    const both = await api()['records.count']({ filter: { text: 'answer patient' } });
    assert.equal(both.total, 0, 'no row has both words');
    const page = await api()['records.query']({ filter: { text: 'patient' }, limit: 100, offset: 50 });
    const expected = matches.map((r) => ({ ts: tsOf(r), key: r.byName.id })).sort((a, b) => (a.ts === b.ts ? 0 : a.ts === null ? 1 : b.ts === null ? -1 : a.ts < b.ts ? 1 : -1));
    assert.deepEqual(
      page.rows.map((r) => r.ts),
      expected.slice(50, 150).map((e) => e.ts),
    );
    const h = await api()['records.histogram']({ filter: { text: 'patient' } });
    assert.equal(
      h.bins.reduce((s, b) => s + b.events, 0),
      matches.length - undated,
    );
    assert.equal(
      h.bins.reduce((s, b) => s + b.conversations, 0),
      0,
    );
    assert.deepEqual(h.undated, { events: undated, conversations: 0 });
    const conv = await api()['records.count']({ filter: { text: 'answer', kind: 'conversation' } });
    assert.equal(conv.total, fx.rows.filter((r) => r.kind === 'conversation').length);
  });

  test('search combines with facets', async () => {
    const filter = { text: 'refund', tenant: ['globex-bank'], kind: 'conversation' as const };
    const count = await api()['records.count']({ filter });
    const expected = fx.rows.filter((r) => r.kind === 'conversation' && r.byName.tenant_id === 'globex-bank' && /\brefund/i.test(`${r.byName.prompt} ${r.byName.response}`));
    assert.equal(count.total, expected.length);
  });
});

function matchesFacet(row: Record<string, string | null>, facet: string, value: string): boolean {
  const column: Record<string, string> = {
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
  return row[column[facet]!] === value;
}
