// dlq.reconciled: every event in the dead-letter files was persisted after all: found
// by id, else by type + entity + user + time within one second.
import { plural, qualifiedName, requireColumn, requireTable, tenantCondition } from './sql.js';
import type { Control } from './types.js';

export const dlqReconciled: Control = {
  id: 'dlq.reconciled',
  async run(ctx) {
    if (!ctx.dlq.length) {
      return { status: 'not_applicable', summary: 'no dead-letter file was given (--dlq).', evidence: { files: [] } };
    }
    const events = requireTable(ctx, 'events');
    const col = {
      id: requireColumn(events, 'source_key'),
      type: requireColumn(events, 'event_type'),
      etype: requireColumn(events, 'entity_type'),
      eid: requireColumn(events, 'entity_id'),
      user: requireColumn(events, 'user_id'),
      ts: requireColumn(events, 'ts'),
    };
    const mine = ctx.dlq.flatMap((f) => f.events.filter((e) => e.tenant === ctx.tenant));
    const malformed = ctx.dlq.flatMap((f) => f.malformed);
    const files = ctx.dlq.map((f) => ({ path: f.path, events: f.events.length, ofThisTenant: f.events.filter((e) => e.tenant === ctx.tenant).length, malformed: f.malformed.length }));
    let found: string[] = [];
    if (mine.length) {
      const rows = await ctx.query(
        `SELECT d.i::text,
                (SELECT e.${col.id}::text FROM ${qualifiedName(events)} e
                  WHERE ${tenantCondition(events, ctx.tenant, 1, 'e')} AND d.id IS NOT NULL AND e.${col.id}::text = d.id LIMIT 1),
                (SELECT e.${col.id}::text FROM ${qualifiedName(events)} e
                  WHERE ${tenantCondition(events, ctx.tenant, 1, 'e')}
                    AND e.${col.type} = d.event_type
                    AND e.${col.etype} IS NOT DISTINCT FROM d.entity_type
                    AND e.${col.eid} IS NOT DISTINCT FROM d.entity_id
                    AND e.${col.user} IS NOT DISTINCT FROM d.user_id
                    AND e.${col.ts} BETWEEN d.at - interval '1 second' AND d.at + interval '1 second'
                  ORDER BY abs(extract(epoch FROM e.${col.ts} - d.at)) LIMIT 1)
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) WITH ORDINALITY
                AS d(id, event_type, entity_type, entity_id, user_id, at, i)
          ORDER BY d.i`,
        [ctx.tenant, mine.map((e) => e.id), mine.map((e) => e.eventType), mine.map((e) => e.entityType), mine.map((e) => e.entityId), mine.map((e) => e.userId), mine.map((e) => e.at)],
      );
      found = rows.map((r) => (r[1] ? `id:${r[1]}` : r[2] ? `match:${r[2]}` : ''));
    }
    const persisted = mine
      .map((e, i) => ({ ...e, foundBy: found[i]?.startsWith('id:') ? 'id' : 'type, entity, user and time', persistedId: found[i]?.slice(found[i]!.indexOf(':') + 1) ?? '' }))
      .filter((_, i) => found[i]);
    const lost = mine.filter((_, i) => !found[i]);
    const evidence = {
      files,
      events: mine.length,
      persistedById: persisted.filter((p) => p.foundBy === 'id').length,
      persistedByMatch: persisted.filter((p) => p.foundBy !== 'id').length,
      persisted,
      lost,
      malformed,
    };
    if (lost.length) {
      return {
        status: 'fail',
        summary: `${plural(lost.length, 'dead-lettered event')} of ${mine.length} never reached the events table (${lost
          .slice(0, 3)
          .map((e) => `${e.eventType} at ${e.at}, ${e.file}:${e.line}`)
          .join('; ')}${lost.length > 3 ? '; …' : ''}).`,
        evidence,
      };
    }
    if (malformed.length) {
      return {
        status: 'warn',
        summary: `${mine.length ? `all ${plural(mine.length, 'dead-lettered event')} were persisted, but ` : ''}${plural(malformed.length, 'line')} of the dead-letter files cannot be read, so ${malformed.length === 1 ? 'its event' : 'their events'} cannot be reconciled.`,
        evidence,
      };
    }
    if (!mine.length) {
      return { status: 'pass', summary: `the dead-letter files hold no event of ${ctx.tenant}.`, evidence };
    }
    return {
      status: 'pass',
      summary: `all ${plural(mine.length, 'dead-lettered event')} were persisted later (${evidence.persistedById} by id, ${evidence.persistedByMatch} by type, entity, user and time).`,
      evidence,
    };
  },
};
