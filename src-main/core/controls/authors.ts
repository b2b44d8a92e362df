// authors.fields (iam-terminusdb-audit-fields.md): where writes carry author fields,
// every write has all of them and _created_by is the event's own user.
import { auditTables, columnType, plural, qualifiedName, quoteIdent, requireColumn, SAMPLE, tableName, tenantCondition } from './sql.js';
import { pgTextArray } from './retention.js';
import type { Control } from './types.js';

export const AUTHOR_FIELDS = ['_created_by', '_created_by_username', '_created_at', '_updated_by'] as const;
/** _updated_by names who changed a document; a first write has nobody to name yet. */
const REQUIRED = ['_created_by', '_created_by_username', '_created_at'] as const;

export const authorsFields: Control = {
  id: 'authors.fields',
  async run(ctx) {
    const carriers: Record<string, unknown>[] = [];
    const problems: string[] = [];
    // 1. Tables with author columns: every row fills the required ones.
    for (const t of auditTables(ctx)) {
      const present = t.columns.filter((c) => (AUTHOR_FIELDS as readonly string[]).includes(c.name)).map((c) => c.name);
      if (!present.length) continue;
      const id = quoteIdent(t.columns[t.keys.id]!.name);
      const absent = REQUIRED.filter((f) => !present.includes(f));
      const empty = REQUIRED.filter((f) => present.includes(f)).map((f) => `NULLIF(btrim(${quoteIdent(f)}::text), '') IS NULL`);
      const cond = empty.length ? empty.join(' OR ') : 'false';
      const [r] = await ctx.query(
        `SELECT count(*), count(*) FILTER (WHERE ${cond}), (array_agg(${id}::text ORDER BY ${id}) FILTER (WHERE ${cond}))[1:${SAMPLE}]::text
           FROM ${qualifiedName(t)} WHERE ${tenantCondition(t, ctx.tenant, 1)}`,
        [ctx.tenant],
      );
      const rows = Number(r![0]);
      const incomplete = Number(r![1]);
      carriers.push({ table: tableName(t), columns: present, columnsMissing: absent, rows, incomplete, firstIncompleteIds: pgTextArray(r![2] ?? null) });
      if (absent.length) problems.push(`${tableName(t)} lacks the column${absent.length === 1 ? '' : 's'} ${absent.join(', ')}`);
      if (incomplete) problems.push(`${plural(incomplete, 'row')} of ${tableName(t)} leave an author field empty`);
    }
    // 2. Events whose action_details carry author fields.
    const events = ctx.tables.events;
    const detailsType = events ? columnType(events, 'action_details') : null;
    if (events && (detailsType === 'jsonb' || detailsType === 'json')) {
      const details = `${requireColumn(events, 'action_details')}::jsonb`;
      const user = requireColumn(events, 'user_id');
      const seq = requireColumn(events, 'seq');
      const id = requireColumn(events, 'source_key');
      const carries = `${details} ?| $2::text[]`;
      const incomplete = REQUIRED.map((f) => `NULLIF(btrim(${details}->>'${f}'), '') IS NULL`).join(' OR ');
      const mismatch = `${details}->>'_created_by' IS DISTINCT FROM ${user}::text`;
      const [r] = await ctx.query(
        `SELECT count(*) FILTER (WHERE ${carries}),
                count(*) FILTER (WHERE ${carries} AND (${incomplete})),
                (array_agg(${id}::text ORDER BY ${seq}) FILTER (WHERE ${carries} AND (${incomplete})))[1:${SAMPLE}]::text,
                count(*) FILTER (WHERE ${carries} AND NOT (${incomplete}) AND ${mismatch}),
                (array_agg(${id}::text ORDER BY ${seq}) FILTER (WHERE ${carries} AND NOT (${incomplete}) AND ${mismatch}))[1:${SAMPLE}]::text
           FROM ${qualifiedName(events)} WHERE ${tenantCondition(events, ctx.tenant, 1)}`,
        [ctx.tenant, [...AUTHOR_FIELDS]],
      );
      const carrying = Number(r![0]);
      if (carrying) {
        const inc = Number(r![1]);
        const mis = Number(r![3]);
        carriers.push({
          table: tableName(events),
          column: 'action_details',
          rows: carrying,
          incomplete: inc,
          firstIncompleteIds: pgTextArray(r![2] ?? null),
          createdByIsNotTheUser: mis,
          firstMismatchIds: pgTextArray(r![4] ?? null),
        });
        if (inc) problems.push(`${plural(inc, 'event')} of ${carrying} carrying author fields miss ${REQUIRED.join('/')}`);
        if (mis) problems.push(`${plural(mis, 'event')} name a _created_by other than the event's user`);
      }
    }
    const evidence = { fields: AUTHOR_FIELDS, required: REQUIRED, carriers };
    if (!carriers.length) {
      return { status: 'not_applicable', summary: 'no audit table column and no action_details of this tenant carries author fields.', evidence };
    }
    if (problems.length) return { status: 'fail', summary: `${problems.join('; ')}.`, evidence };
    return { status: 'pass', summary: `every write carrying author fields has ${REQUIRED.join(', ')}, and _created_by is the event's user.`, evidence };
  },
};
