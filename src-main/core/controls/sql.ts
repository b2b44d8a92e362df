// SQL fragments shared by the controls: columns found through the table mapping
// (so a customer's own names work), the tenant condition, and catalog lookups.
import { qualifiedName, quoteIdent, type SourceTable } from '../source/index.js';
import type { TableKind } from '../cache/record-mapping.js';
import { checkTenantFits } from '../source/tenant.js';
import { ControlCannotRun, type ControlContext } from './types.js';

export const KIND_LABEL: Record<TableKind, string> = {
  events: 'events',
  conversations: 'conversations',
  anomalies: 'anomalies',
  access: 'access log',
};

/** The table of a kind, or ControlCannotRun naming what was looked for. */
export function requireTable(ctx: ControlContext, kind: TableKind): SourceTable {
  const t = ctx.tables[kind];
  if (!t) throw new ControlCannotRun(`no ${KIND_LABEL[kind]} table was found at the source (name it in a mapping file with --mapping).`);
  return t;
}

/** The quoted source column holding one of our fields, or null. */
export function columnOf(table: SourceTable, field: string): string | null {
  const i = table.mapped.findIndex((c) => c.field === field);
  return i < 0 ? null : quoteIdent(table.columns[i]!.name);
}

export function columnType(table: SourceTable, field: string): string | null {
  const i = table.mapped.findIndex((c) => c.field === field);
  return i < 0 ? null : table.columns[i]!.type;
}

export function requireColumn(table: SourceTable, field: string): string {
  const c = columnOf(table, field);
  if (!c) throw new ControlCannotRun(`${table.schema}.${table.name} has no ${field} column (map it with --mapping).`);
  return c;
}

/** `"tenant_id" = CAST($n AS "text")`: explicit even under RLS, as every read of ours. */
export function tenantCondition(table: SourceTable, tenant: string, param: number, alias?: string): string {
  if (table.keys.tenant === null) return 'true';
  checkTenantFits(table, tenant);
  const col = table.columns[table.keys.tenant]!;
  return `${alias ? `${alias}.` : ''}${quoteIdent(col.name)} = CAST($${param} AS ${quoteIdent(col.type)})`;
}

export function tableName(t: SourceTable): string {
  return `${t.schema}.${t.name}`;
}

export { qualifiedName, quoteIdent };

/** The audit tables found, in the order of the contract. */
export function auditTables(ctx: ControlContext): SourceTable[] {
  return (['events', 'conversations', 'anomalies', 'access'] as const).flatMap((k) => (ctx.tables[k] ? [ctx.tables[k]] : []));
}

export interface TableCatalog {
  table: string;
  kind: TableKind;
  rowSecurity: boolean;
  forced: boolean;
  owner: string;
}

/** pg_class facts of the audit tables; a table the catalog does not show cannot be judged. */
export async function catalogOf(ctx: ControlContext): Promise<TableCatalog[]> {
  const tables = auditTables(ctx);
  const rows = await ctx.query(
    `SELECT n.nspname, c.relname, c.relrowsecurity::text, c.relforcerowsecurity::text, pg_get_userbyid(c.relowner)
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
    null,
  );
  return tables.map((t) => {
    const r = rows.find((x) => x[0] === t.schema && x[1] === t.name);
    if (!r) throw new ControlCannotRun(`the catalog (pg_class) does not show ${tableName(t)} to this role, so its settings cannot be read.`);
    return { table: tableName(t), kind: t.kind, rowSecurity: r[2] === 'true', forced: r[3] === 'true', owner: r[4]! };
  });
}

export const SAMPLE = 10;

/** "1 row" / "3 rows" */
export function plural(n: number | string, one: string, many = `${one}s`): string {
  return `${n} ${Number(n) === 1 ? one : many}`;
}
