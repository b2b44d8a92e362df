// access_log.coverage: every export in the events table shows up in the access log,
// by the same user, as an export, within accessLogWindowSeconds of it.
import { plural, qualifiedName, requireColumn, requireTable, tenantCondition } from './sql.js';
import type { Control } from './types.js';

const MAX_LISTED = 100;

export const accessLogCoverage: Control = {
  id: 'access_log.coverage',
  async run(ctx) {
    const events = requireTable(ctx, 'events');
    const access = requireTable(ctx, 'access');
    const e = {
      id: requireColumn(events, 'source_key'),
      seq: requireColumn(events, 'seq'),
      type: requireColumn(events, 'event_type'),
      user: requireColumn(events, 'user_id'),
      ts: requireColumn(events, 'ts'),
    };
    const a = { user: requireColumn(access, 'user_id'), type: requireColumn(access, 'access_type'), at: requireColumn(access, 'accessed_at') };
    const window = ctx.policy.accessLogWindowSeconds;
    const rows = await ctx.query(
      `SELECT e.${e.id}::text, e.${e.seq}::text, e.${e.user}::text, e.${e.ts}::text,
              EXISTS (SELECT 1 FROM ${qualifiedName(access)} a
                       WHERE ${tenantCondition(access, ctx.tenant, 1, 'a')}
                         AND a.${a.user} = e.${e.user}
                         AND a.${a.type} = ANY($2::text[])
                         AND a.${a.at} BETWEEN e.${e.ts} - make_interval(secs => $3) AND e.${e.ts} + make_interval(secs => $3))::text
         FROM ${qualifiedName(events)} e
        WHERE ${tenantCondition(events, ctx.tenant, 1, 'e')} AND e.${e.type} = 'export'
        ORDER BY e.${e.seq}`,
      [ctx.tenant, ctx.policy.exportAccessTypes, window],
    );
    const uncovered = rows.filter((r) => r[4] !== 'true').map((r) => ({ id: r[0], seq: r[1], user: r[2], at: r[3] }));
    const evidence = {
      windowSeconds: window,
      accessTypes: ctx.policy.exportAccessTypes,
      exports: rows.length,
      uncoveredCount: uncovered.length,
      uncovered: uncovered.slice(0, MAX_LISTED),
    };
    if (!rows.length) {
      return { status: 'not_applicable', summary: `${ctx.tenant} has no export events, so there is nothing the access log must cover.`, evidence };
    }
    if (uncovered.length) {
      return {
        status: 'fail',
        summary: `${plural(uncovered.length, 'export')} of ${rows.length} have no access-log entry of type ${ctx.policy.exportAccessTypes.join('/')} by the same user within ${window} s (first: seq ${uncovered[0]!.seq} by ${uncovered[0]!.user} at ${uncovered[0]!.at}).`,
        evidence,
      };
    }
    return { status: 'pass', summary: `all ${plural(rows.length, 'export')} have an access-log entry by the same user within ${window} s.`, evidence };
  },
};
