// The anomaly review an auditor does: anomalies by score above a threshold, each
// with its event in context; a decision needs a note, a name and a meaning, is kept
// in the cache only, and never overwrites an earlier one. Plus model/config findings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { Finding } from '../../src-main/core/contract/anomalies.js';
import { canonicalTimestamp } from '../../src-main/core/chain/canonical.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';
import { clientFor } from '../helpers/app-calls.js';
import { scratchDir } from '../helpers/scratch.js';

let fx: RecordsFixture;
let ctx: AppContext;

const api = () => clientFor(ctx);

const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwx0123456789';

before(() => {
  fx = createRecordsFixture({ events: 3000, conversations: 2500, anomalies: 40, seed: 5 });
  ctx = new AppContext({ dataDir: scratchDir('auditdesk-ctx-'), frontDoor: 'test', cachePath: fx.path });
});
after(() => {
  ctx.close();
  fx.close();
});

describe('anomaly list', () => {
  test('anomalies at or above 0.7 by default, highest score first, each with its event', async () => {
    const list = await api()['anomalies.list']({});
    const expected = fx.anomalies.filter((a) => Number(a.anomaly_score) >= 0.7);
    assert.equal(list.total, expected.length);
    assert.equal(list.anomalies.length, expected.length);
    assert.equal(list.unreviewed, expected.length);
    for (let i = 1; i < list.anomalies.length; i++) assert.ok(list.anomalies[i - 1]!.score! >= list.anomalies[i]!.score!);
    for (const a of list.anomalies) {
      const source = fx.anomalies.find((s) => s.id === a.anomalyKey)!;
      const event = fx.rows.find((r) => r.kind === 'event' && r.byName.id === source.audit_event_id && r.byName.tenant_id === source.tenant_id);
      if (event) {
        assert.equal(a.event?.sourceKey, event.byName.id);
        assert.equal(a.event?.tenant, a.tenant);
      } else assert.equal(a.event, null, 'an anomaly whose event is not cached still lists, without an event');
      assert.match(a.features!, /^\{\n/, 'features are pretty-printed text');
    }
    assert.ok(
      list.anomalies.some((a) => a.event === null),
      'the fixture plants one anomaly with a missing event',
    );
  });

  test('the threshold slider and tenant narrow the list', async () => {
    const all = await api()['anomalies.list']({ threshold: 0 });
    assert.equal(all.total, fx.anomalies.length);
    const tenant = fx.anomalies[0]!.tenant_id!;
    const one = await api()['anomalies.list']({ tenant, threshold: 0.5 });
    assert.equal(one.total, fx.anomalies.filter((a) => a.tenant_id === tenant && Number(a.anomaly_score) >= 0.5).length);
    assert.ok(one.anomalies.every((a) => a.tenant === tenant && a.score! >= 0.5));
    const bad = await dispatch(ctx, 'anomalies.list', { threshold: 1.5 });
    assert.equal(bad.ok, false);
  });

  test('context shows the event between its neighbours in time, same tenant only', async () => {
    const list = await api()['anomalies.list']({});
    const target = list.anomalies.find((a) => a.event && !a.event.undated)!;
    const c = await api()['anomalies.context']({ tenant: target.tenant, anomalyKey: target.anomalyKey, window: 4 });
    assert.equal(c.event!.rid, target.event!.rid);
    assert.equal(c.before.length, 4);
    assert.equal(c.after.length, 4);
    const tenantTimes = fx.rows
      .filter((r) => r.byName.tenant_id === target.tenant)
      .map((r) => (r.kind === 'event' ? r.byName.created_at : r.byName.timestamp))
      .filter((t): t is string => t !== null)
      .map(canonicalTimestamp)
      .sort();
    const at = tenantTimes.indexOf(c.event!.ts!);
    assert.deepEqual(
      c.before.map((r) => r.ts),
      tenantTimes.slice(at - 4, at),
    );
    assert.deepEqual(
      c.after.map((r) => r.ts),
      tenantTimes.slice(at + 1, at + 5),
    );
    assert.ok([...c.before, ...c.after].every((r) => r.tenant === target.tenant));
  });
});

describe('reviews', () => {
  test('a review needs a note, a reviewer and a meaning', async () => {
    const [a] = (await api()['anomalies.list']({})).anomalies;
    const base = { tenant: a!.tenant, anomalyKey: a!.anomalyKey, decision: 'confirmed', reviewer: 'R. Auditor', meaning: 'Reviewed and confirmed as a security incident' };
    for (const input of [
      { ...base, note: '' },
      { ...base, note: '   \n ' },
      { ...base, note: 'ok', reviewer: ' ' },
      { ...base, note: 'ok', meaning: '' },
    ]) {
      const reply = await dispatch(ctx, 'anomalies.review', input);
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.error.code, 'E_INPUT');
    }
    const missingNote = await dispatch(ctx, 'anomalies.review', base);
    assert.equal(missingNote.ok, false);
    assert.match(!missingNote.ok ? missingNote.error.message : '', /note/);
    assert.deepEqual(await api()['anomalies.reviews']({}), [], 'nothing was stored');
    const unknown = await dispatch(ctx, 'anomalies.review', { ...base, anomalyKey: 'no-such-anomaly', note: 'x' });
    assert.equal(!unknown.ok && unknown.error.code, 'E_NOT_FOUND');
    const wrongTenant = await dispatch(ctx, 'anomalies.review', { ...base, tenant: 'other-tenant', note: 'x' });
    assert.equal(!wrongTenant.ok && wrongTenant.error.code, 'E_NOT_FOUND', 'an anomaly is reviewed within its own tenant');
  });

  test('decisions are appended with UTC time; the latest one counts; the list can hide reviewed ones', async () => {
    const list = await api()['anomalies.list']({});
    const a = list.anomalies[1]!;
    const first = await api()['anomalies.review']({
      tenant: a.tenant,
      anomalyKey: a.anomalyKey,
      decision: 'false_positive',
      note: '  Scheduled export by the backup job <b>x</b>  ',
      reviewer: 'R. Auditor',
      meaning: 'Reviewed and dismissed as a false positive',
    });
    assert.equal(first.note, 'Scheduled export by the backup job <b>x</b>', 'stored trimmed, verbatim (markup is text)');
    assert.match(first.reviewedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const second = await api()['anomalies.review']({
      tenant: a.tenant,
      anomalyKey: a.anomalyKey,
      decision: 'confirmed',
      note: 'Backup job does not run at 3 a.m.; escalated.',
      reviewer: 'S. Second',
      meaning: 'Reviewed and confirmed as a security incident',
    });
    assert.ok(second.reviewId > first.reviewId);
    const history = await api()['anomalies.reviews']({ tenant: a.tenant, anomalyKey: a.anomalyKey });
    assert.deepEqual(
      history.map((r) => r.decision),
      ['false_positive', 'confirmed'],
    );
    const after = await api()['anomalies.list']({});
    const listed = after.anomalies.find((x) => x.anomalyKey === a.anomalyKey)!;
    assert.equal(listed.latestReview?.decision, 'confirmed');
    assert.equal(listed.reviewCount, 2);
    assert.equal(after.unreviewed, list.unreviewed - 1);
    const open = await api()['anomalies.list']({ includeReviewed: false });
    assert.ok(!open.anomalies.some((x) => x.anomalyKey === a.anomalyKey));
    assert.equal(open.anomalies.length, after.unreviewed);
  });

  test('stored reviews cannot be edited or deleted, even with SQL', () => {
    assert.throws(() => fx.db.prepare("UPDATE reviews SET decision = 'confirmed'").run(), /append-only/);
    assert.throws(() => fx.db.prepare('DELETE FROM reviews').run(), /append-only/);
    assert.equal((fx.db.prepare('SELECT count(*) AS n FROM reviews').get() as { n: number }).n, 2);
  });
});

describe('model and config findings', () => {
  test('risky temperatures, relaxed safety, secrets (redacted) and rare versions are found', async () => {
    const tenant = fx.rows.find((r) => r.byName.model_config?.includes(SECRET))!.byName.tenant_id!;
    const found = await api()['anomalies.findings']({ tenant });
    const convs = fx.rows.filter((r) => r.kind === 'conversation' && r.byName.tenant_id === tenant);
    const kinds = (k: Finding['kind']) => found.filter((f) => f.kind === k);

    const hot = kinds('high_temperature');
    assert.deepEqual(new Set(hot.map((f) => f.agentId)), new Set(convs.filter((r) => Number(r.byName.temperature) > 0.8).map((r) => r.byName.agent_id)));
    assert.equal(
      hot.reduce((s, f) => s + f.count, 0),
      convs.filter((r) => Number(r.byName.temperature) > 0.8).length,
    );
    assert.equal(hot.find((f) => f.agentId === 'fraud-analyst')?.severity, 'high', '1.4 is above 1');
    assert.match(hot.find((f) => f.agentId === 'fraud-analyst')!.title, /temperature 1\.4 on agent fraud-analyst \(azure gpt-4 0613, deployment prod-eastus-01\)/);

    const relaxed = kinds('relaxed_safety');
    assert.equal(
      relaxed.reduce((s, f) => s + f.count, 0),
      convs.filter((r) => r.byName.safety_mode === 'relaxed').length,
    );

    const secrets = kinds('secret_in_config');
    const withSecret = convs.filter((r) => r.byName.model_config?.includes(SECRET));
    assert.equal(
      secrets.reduce((s, f) => s + f.count, 0),
      withSecret.length,
    );
    assert.ok(withSecret.length > 0);
    for (const f of secrets) {
      assert.match(f.excerpt!, /^api_key: "sk-…\[REDACTED \d+ chars\]"$/);
      assert.ok(!JSON.stringify(f).includes('abcdefghij'), 'the secret never leaves the cache');
    }
    assert.ok(!found.some((f) => f.kind === 'secret_in_config' && /max_tokens/.test(f.excerpt ?? '')), 'max_tokens is not a token');

    const rare = kinds('unapproved_model_version');
    assert.ok(
      rare.some((f) => f.modelVersion === '2024-05-13'),
      'the 2% version of gpt-4o is flagged',
    );
    assert.ok(!rare.some((f) => f.modelVersion === '2024-08-06'));
    for (const f of found) {
      assert.ok(f.sampleRids.length > 0 && f.sampleRids.length <= 5);
      assert.equal(f.tenant, tenant);
    }
  });

  test('an approved-version list overrides the share rule', async () => {
    const found = await api()['anomalies.findings']({
      tenant: 'globex-bank',
      approvedVersions: { 'openai/gpt-4o': ['2024-05-13'] },
    });
    const rare = found.filter((f) => f.kind === 'unapproved_model_version' && f.modelName === 'gpt-4o');
    assert.deepEqual(new Set(rare.map((f) => f.modelVersion)), new Set(['2024-08-06']));
  });

  test('findings follow the timeline filter', async () => {
    const found = await api()['anomalies.findings']({ tenant: 'globex-bank', filter: { agent: ['claims-triage'] } });
    assert.ok(found.every((f) => f.agentId === 'claims-triage'));
    assert.ok(!found.some((f) => f.kind === 'high_temperature'));
  });

  test("each finding's related filter opens exactly its calls in the timeline (a secret: that agent's calls of the model)", async () => {
    const tenant = fx.rows.find((r) => r.byName.model_config?.includes(SECRET))!.byName.tenant_id!;
    const found = await api()['anomalies.findings']({ tenant });
    assert.ok(found.length > 0);
    for (const f of found) {
      const { total } = await api()['records.count']({ filter: f.related });
      if (f.kind === 'secret_in_config') assert.ok(total >= f.count, f.title);
      else assert.equal(total, f.count, `${f.title}: ${JSON.stringify(f.related)}`);
      const page = await api()['records.query']({ filter: f.related, limit: 500 });
      assert.ok(f.sampleRids.every((rid) => page.rows.some((r) => r.rid === rid)) || total > 500, f.title);
    }
  });
});
