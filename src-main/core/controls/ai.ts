// AI conversation controls: model metadata on every row (EU AI Act Art. 12), the
// temperature and safety-mode limits, no credentials in model_config, and every
// configuration change seen in the logs announced by an event beforehand.
import { findSecrets } from '../anomalies/findings.js';
import { columnOf, columnType, plural, qualifiedName, requireColumn, requireTable, SAMPLE, tenantCondition } from './sql.js';
import { pgTextArray } from './retention.js';
import type { Control } from './types.js';

const NUMBER = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';
const blank = (col: string) => `NULLIF(btrim(${col}::text), '') IS NULL`;

export const aiModelTraceability: Control = {
  id: 'ai.model_traceability',
  async run(ctx) {
    const conv = requireTable(ctx, 'conversations');
    const agent = requireColumn(conv, 'agent_id');
    const fields = ['model_provider', 'model_name', 'model_version'] as const;
    const cols = fields.map((f) => requireColumn(conv, f));
    const missing = cols.map(blank).join(' OR ');
    const rows = await ctx.query(
      `SELECT ${agent}::text, count(*), count(*) FILTER (WHERE ${missing}),
              ${cols.map((c) => `count(*) FILTER (WHERE ${blank(c)})`).join(', ')}
         FROM ${qualifiedName(conv)} WHERE ${tenantCondition(conv, ctx.tenant, 1)}
        GROUP BY 1 ORDER BY 1`,
      [ctx.tenant],
    );
    const agents = rows.map((r) => ({
      agent: r[0],
      rows: Number(r[1]),
      missing: Number(r[2]),
      missingProvider: Number(r[3]),
      missingModelName: Number(r[4]),
      missingModelVersion: Number(r[5]),
    }));
    const total = agents.reduce((a, x) => a + x.rows, 0);
    const missingTotal = agents.reduce((a, x) => a + x.missing, 0);
    const evidence = { rows: total, missing: missingTotal, agents };
    if (!total) return { status: 'not_applicable', summary: `${ctx.tenant} has no conversation rows.`, evidence };
    if (missingTotal) {
      const worst = agents.filter((x) => x.missing).sort((a, b) => b.missing - a.missing);
      return {
        status: 'fail',
        summary: `${plural(missingTotal, 'conversation row')} of ${total} lack provider, model name or version (${worst
          .map((x) => `${x.agent}: ${x.missing}`)
          .slice(0, 5)
          .join(', ')}${worst.length > 5 ? ', …' : ''}).`,
        evidence,
      };
    }
    return { status: 'pass', summary: `all ${plural(total, 'conversation row')} name provider, model and version.`, evidence };
  },
};

export const aiTemperature: Control = {
  id: 'ai.temperature',
  async run(ctx) {
    const conv = requireTable(ctx, 'conversations');
    const agent = requireColumn(conv, 'agent_id');
    const temp = requireColumn(conv, 'temperature');
    const id = requireColumn(conv, 'source_key');
    const ts = columnOf(conv, 'ts') ?? id;
    const isNumber = `${temp}::text ~ $2`;
    const num = `(CASE WHEN ${isNumber} THEN btrim(${temp}::text)::numeric END)`;
    const rows = await ctx.query(
      `SELECT ${agent}::text,
              count(*) FILTER (WHERE ${num} > $3), max(${num})::text,
              (array_agg(${id}::text ORDER BY ${ts}) FILTER (WHERE ${num} > $3))[1:${SAMPLE}]::text,
              count(*) FILTER (WHERE ${temp} IS NOT NULL AND btrim(${temp}::text) <> '' AND NOT ${isNumber}),
              (array_agg(${id}::text ORDER BY ${ts}) FILTER (WHERE ${temp} IS NOT NULL AND btrim(${temp}::text) <> '' AND NOT ${isNumber}))[1:${SAMPLE}]::text
         FROM ${qualifiedName(conv)} WHERE ${tenantCondition(conv, ctx.tenant, 1)}
        GROUP BY 1 ORDER BY 1`,
      [ctx.tenant, NUMBER, ctx.policy.maxTemperature],
    );
    const agents = rows
      .map((r) => ({ agent: r[0], above: Number(r[1]), max: r[2], firstIdsAbove: pgTextArray(r[3] ?? null), notANumber: Number(r[4]), firstIdsNotANumber: pgTextArray(r[5] ?? null) }))
      .filter((a) => a.above || a.notANumber || a.max !== null);
    const above = agents.filter((a) => a.above);
    const odd = agents.filter((a) => a.notANumber);
    const evidence = { maxTemperature: ctx.policy.maxTemperature, agents };
    if (above.length) {
      return {
        status: 'fail',
        summary: `${above.map((a) => `${a.agent} ran ${plural(a.above, 'time')} above ${ctx.policy.maxTemperature} (up to ${a.max})`).join('; ')}.`,
        evidence,
      };
    }
    if (odd.length) {
      return {
        status: 'warn',
        summary: `no temperature above ${ctx.policy.maxTemperature}, but ${odd.map((a) => `${a.agent} has ${plural(a.notANumber, 'temperature')} that ${a.notANumber === 1 ? 'is' : 'are'} not a number`).join('; ')}.`,
        evidence,
      };
    }
    return { status: 'pass', summary: `no conversation ran above temperature ${ctx.policy.maxTemperature}.`, evidence };
  },
};

export const aiSafetyMode: Control = {
  id: 'ai.safety_mode',
  async run(ctx) {
    const conv = requireTable(ctx, 'conversations');
    const agent = requireColumn(conv, 'agent_id');
    const mode = requireColumn(conv, 'safety_mode');
    const deployment = columnOf(conv, 'deployment_id');
    const id = requireColumn(conv, 'source_key');
    const ts = columnOf(conv, 'ts') ?? id;
    const production = `(${agent}::text ~* $2${deployment ? ` OR ${deployment}::text ~* $2` : ''})`;
    const rows = await ctx.query(
      `SELECT ${agent}::text, ${deployment ? `string_agg(DISTINCT ${deployment}::text, ', ')` : 'NULL'}, ${mode}::text, count(*),
              min(${ts})::text, max(${ts})::text, (array_agg(${id}::text ORDER BY ${ts}))[1:${SAMPLE}]::text
         FROM ${qualifiedName(conv)}
        WHERE ${tenantCondition(conv, ctx.tenant, 1)} AND ${production} AND lower(btrim(${mode}::text)) = ANY($3::text[])
        GROUP BY 1, 3 ORDER BY 1, 3`,
      [ctx.tenant, ctx.policy.productionPattern, ctx.policy.relaxedSafetyModes.map((m) => m.toLowerCase())],
    );
    const agents = rows.map((r) => ({ agent: r[0], deployments: r[1], safetyMode: r[2], rows: Number(r[3]), from: r[4], to: r[5], firstIds: pgTextArray(r[6] ?? null) }));
    const evidence = { productionPattern: ctx.policy.productionPattern, relaxedSafetyModes: ctx.policy.relaxedSafetyModes, agents };
    if (agents.length) {
      return {
        status: 'fail',
        summary: `production ${agents.length === 1 ? 'agent' : 'agents'} ran with a relaxed safety mode: ${agents.map((a) => `${a.agent} (${a.safetyMode}, ${plural(a.rows, 'row')} from ${a.from})`).join('; ')}.`,
        evidence,
      };
    }
    return { status: 'pass', summary: `no agent matching /${ctx.policy.productionPattern}/i ran with a relaxed safety mode.`, evidence };
  },
};

export const aiSecrets: Control = {
  id: 'ai.secrets',
  async run(ctx) {
    const conv = requireTable(ctx, 'conversations');
    const config = requireColumn(conv, 'model_config');
    const agent = requireColumn(conv, 'agent_id');
    const id = requireColumn(conv, 'source_key');
    const ts = columnOf(conv, 'ts') ?? id;
    // The server narrows to distinct configs that could hold a credential; findSecrets
    // (shared with the findings view) decides and redacts, so no secret leaves this function.
    const rows = await ctx.query(
      `SELECT ${config}::text, count(*), string_agg(DISTINCT ${agent}::text, ', '), (array_agg(${id}::text ORDER BY ${ts}))[1:${SAMPLE}]::text
         FROM ${qualifiedName(conv)}
        WHERE ${tenantCondition(conv, ctx.tenant, 1)} AND ${config} IS NOT NULL
          AND ${config}::text ~* '(sk-|sk_live_|xox[abpr]-|AKIA|gh[pousr]_|key|secret|token|passw)'
        GROUP BY 1`,
      [ctx.tenant],
    );
    const found = rows.map((r) => ({ secrets: findSecrets(r[0] ?? null), rows: Number(r[1]), agents: r[2], firstIds: pgTextArray(r[3] ?? null) })).filter((f) => f.secrets.length);
    const count = found.reduce((a, f) => a + f.rows, 0);
    const evidence = { rows: count, configs: found.map((f) => ({ agents: f.agents, rows: f.rows, redacted: f.secrets, firstIds: f.firstIds })) };
    if (count) {
      return { status: 'fail', summary: `${plural(count, 'conversation row')} carry a credential in model_config (${[...new Set(found.map((f) => f.agents))].join('; ')}).`, evidence };
    }
    return { status: 'pass', summary: 'no model_config holds anything that looks like a credential.', evidence };
  },
};

const CONFIG_FIELDS = ['model_provider', 'model_name', 'model_version', 'temperature', 'safety_mode'] as const;
const MAX_LISTED = 100;

export const aiConfigChangeLogged: Control = {
  id: 'ai.config_change_logged',
  async run(ctx) {
    const conv = requireTable(ctx, 'conversations');
    const events = requireTable(ctx, 'events');
    const c = {
      id: requireColumn(conv, 'source_key'),
      agent: requireColumn(conv, 'agent_id'),
      ts: requireColumn(conv, 'ts'),
      fields: CONFIG_FIELDS.map((f) => requireColumn(conv, f)),
    };
    const e = {
      id: requireColumn(events, 'source_key'),
      type: requireColumn(events, 'event_type'),
      entity: requireColumn(events, 'entity_id'),
      ts: requireColumn(events, 'ts'),
      details: columnOf(events, 'action_details'),
    };
    const detailsType = columnType(events, 'action_details');
    const agentInDetails = e.details && (detailsType === 'jsonb' || detailsType === 'json') ? ` OR ev.${e.details}->>'agent' = ch.agent OR ev.${e.details}->>'agent_id' = ch.agent` : '';
    // Rows written before the metadata existed (all NULL) are no configuration: left out
    // before comparing each row with the agent's previous one. The change happened between
    // those two rows, so an event after the previous row announces it even when the new
    // configuration was first used more than the window later.
    const rows = await ctx.query(
      `WITH described AS (
         SELECT ${c.id}::text AS id, ${c.agent}::text AS agent, ${c.ts} AS ts,
                ${CONFIG_FIELDS.map((f, i) => `${c.fields[i]}::text AS ${f}`).join(', ')}
           FROM ${qualifiedName(conv)}
          WHERE ${tenantCondition(conv, ctx.tenant, 1)} AND (${c.fields
            .slice(0, 3)
            .map((f) => `${f} IS NOT NULL`)
            .join(' OR ')})
       ), compared AS (
         SELECT d.*, ${CONFIG_FIELDS.map((f) => `lag(${f}) OVER w AS prev_${f}`).join(', ')}, lag(id) OVER w AS prev_id, lag(ts) OVER w AS prev_ts
           FROM described d WINDOW w AS (PARTITION BY agent ORDER BY ts, id)
       ), changes AS (
         SELECT * FROM compared
          WHERE prev_id IS NOT NULL AND (${CONFIG_FIELDS.map((f) => `${f} IS DISTINCT FROM prev_${f}`).join(' OR ')})
       )
       SELECT ch.id, ch.agent, ch.ts::text,
              ${CONFIG_FIELDS.map((f) => `CASE WHEN ch.${f} IS DISTINCT FROM ch.prev_${f} THEN ch.prev_${f} || ' → ' || coalesce(ch.${f}, 'NULL') END`).join(', ')},
              (SELECT ev.${e.id}::text FROM ${qualifiedName(events)} ev
                WHERE ${tenantCondition(events, ctx.tenant, 1, 'ev')}
                  AND ev.${e.type} IN ('config_change', 'model_deploy')
                  AND (ev.${e.entity} = ch.agent${agentInDetails})
                  AND ev.${e.ts} <= ch.ts AND ev.${e.ts} >= LEAST(ch.prev_ts, ch.ts - make_interval(secs => $2))
                ORDER BY ev.${e.ts} DESC LIMIT 1)
         FROM changes ch ORDER BY ch.ts, ch.id`,
      [ctx.tenant, ctx.policy.configChangeWindowHours * 3600],
    );
    const changes = rows.map((r) => {
      const changed: Record<string, string> = {};
      CONFIG_FIELDS.forEach((f, i) => {
        if (r[3 + i] !== null) changed[f] = r[3 + i]!;
      });
      return { firstRowId: r[0], agent: r[1], at: r[2], changed, announcedBy: r[3 + CONFIG_FIELDS.length] ?? null };
    });
    const unannounced = changes.filter((ch) => ch.announcedBy === null);
    const evidence = {
      windowHours: ctx.policy.configChangeWindowHours,
      eventTypes: ['config_change', 'model_deploy'],
      changes: changes.length,
      unannouncedCount: unannounced.length,
      unannounced: unannounced.slice(0, MAX_LISTED),
      announced: changes.filter((ch) => ch.announcedBy !== null).slice(0, MAX_LISTED),
    };
    if (unannounced.length) {
      const first = unannounced[0]!;
      return {
        status: 'fail',
        summary: `${plural(unannounced.length, 'configuration change')} of ${changes.length} seen in the conversation logs had no config_change or model_deploy event in the ${ctx.policy.configChangeWindowHours} h before (first: ${first.agent} at ${first.at}, ${Object.entries(
          first.changed,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}).`,
        evidence,
      };
    }
    if (!changes.length) return { status: 'pass', summary: 'the conversation logs show no configuration change.', evidence };
    return {
      status: 'pass',
      summary: `all ${plural(changes.length, 'configuration change')} seen in the conversation logs were announced by an event within ${ctx.policy.configChangeWindowHours} h before.`,
      evidence,
    };
  },
};
