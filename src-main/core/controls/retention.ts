// Retention: events are archived out of the live table after archiveAfterDays and
// deleted everywhere after deleteAfterYears. "Now" is the server's clock (now()).
import { plural, qualifiedName, quoteIdent, requireColumn, requireTable, SAMPLE, tableName, tenantCondition } from './sql.js';
import type { Control, ControlContext, SourceTable } from './types.js';

interface OldRows {
  table: string;
  rows: number;
  oldest: string | null;
  firstIds: string[];
}

async function rowsOlderThan(ctx: ControlContext, table: SourceTable, timeCol: string, idCol: string, interval: string, amount: number): Promise<OldRows & { cutoff: string }> {
  const [r] = await ctx.query(
    `SELECT count(*), min(${timeCol})::text, (array_agg(${idCol}::text ORDER BY ${timeCol}))[1:${SAMPLE}]::text,
            (now() - make_interval(${interval} => $2))::text
       FROM ${qualifiedName(table)}
      WHERE ${tenantCondition(table, ctx.tenant, 1)} AND ${timeCol} < now() - make_interval(${interval} => $2)`,
    [ctx.tenant, amount],
  );
  return { table: tableName(table), rows: Number(r![0]), oldest: r![1] ?? null, firstIds: pgTextArray(r![2] ?? null), cutoff: r![3]! };
}

/** `{a,b}` as PostgreSQL prints a text[] of uuids or plain words. */
export function pgTextArray(text: string | null): string[] {
  if (!text || text === '{}' || text === 'NULL') return [];
  return text
    .slice(1, -1)
    .split(',')
    .map((s) => s.replace(/^"|"$/g, ''));
}

export const retentionArchive: Control = {
  id: 'retention.archive',
  async run(ctx) {
    const events = requireTable(ctx, 'events');
    const ts = requireColumn(events, 'ts');
    const days = ctx.policy.archiveAfterDays;
    const old = await rowsOlderThan(ctx, events, ts, requireColumn(events, 'source_key'), 'days', days);
    const evidence = { archiveAfterDays: days, ...old };
    if (old.rows) {
      return { status: 'fail', summary: `${plural(old.rows, 'event')} older than ${days} days (oldest ${old.oldest}) remain in the live table ${old.table}.`, evidence };
    }
    return { status: 'pass', summary: `no event older than ${days} days (before ${old.cutoff}) remains in ${old.table}.`, evidence };
  },
};

export const retentionDeletion: Control = {
  id: 'retention.deletion',
  async run(ctx) {
    const events = requireTable(ctx, 'events');
    const tsName = events.columns[events.keys.ts ?? -1]?.name;
    requireColumn(events, 'ts');
    const tenantName = events.keys.tenant === null ? null : events.columns[events.keys.tenant]!.name;
    const idName = events.columns[events.keys.id]!.name;
    const years = ctx.policy.deleteAfterYears;
    // "Anywhere the role can read": the events table and every readable table named like
    // it (audit_logs_archive, audit_logs_2019 …) with the same time, id and tenant columns.
    const candidates = await ctx.query(
      `SELECT c.table_schema::text, c.table_name::text
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.column_name = $1 AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND t.table_type IN ('BASE TABLE', 'VIEW', 'FOREIGN')
          AND (c.table_schema, c.table_name) <> ($2, $3)
          AND starts_with(c.table_name::text, $3)
          AND has_table_privilege(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), 'SELECT')
          AND EXISTS (SELECT 1 FROM information_schema.columns k WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = $4)
          AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM information_schema.columns k WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = $5))
        ORDER BY 1, 2`,
      [tsName, events.schema, events.name, idName, tenantName],
      null,
    );
    const tables: SourceTable[] = [events, ...candidates.map((r) => ({ ...events, schema: r[0]!, name: r[1]! }))];
    const found: (OldRows & { cutoff: string })[] = [];
    for (const t of tables) found.push(await rowsOlderThan(ctx, t, quoteIdent(tsName!), quoteIdent(idName), 'years', years));
    const over = found.filter((f) => f.rows > 0);
    const evidence = { deleteAfterYears: years, cutoff: found[0]!.cutoff, searched: found.map((f) => f.table), tables: found };
    if (over.length) {
      return {
        status: 'fail',
        summary: `${plural(
          over.reduce((a, f) => a + f.rows, 0),
          'event',
        )} older than ${years} years remain: ${over.map((f) => `${f.rows} in ${f.table} (oldest ${f.oldest})`).join('; ')}.`,
        evidence,
      };
    }
    return { status: 'pass', summary: `no event older than ${years} years remains in ${plural(found.length, 'readable table')} (${found.map((f) => f.table).join(', ')}).`, evidence };
  },
};
