// Which tables hold the audit data, and which of their columns play which role.
// The demo names are recognised as they are; a mapping names anything else
// (an events table called roche_audit_logs, a created_at called occurred_at).
import type { z } from 'zod';
import type { tableMappingSchema } from '../contract/connection-profile.js';
import { mapColumns, type MappedColumn, type TableKind } from '../cache/record-mapping.js';
import type { ColumnType } from '../chain/canonical.js';
import { typeCategory } from '../chain/canonical.js';
import { UserError } from '../util/errors.js';

export type TableMapping = z.output<typeof tableMappingSchema>;

export const TABLE_KINDS: readonly TableKind[] = ['events', 'conversations', 'anomalies', 'access'];

/** The demo tenant's table names (issue 2). */
export const DEFAULT_TABLE_NAMES: Record<TableKind, string> = {
  events: 'audit_logs',
  conversations: 'conversation_audit_logs',
  anomalies: 'audit_anomalies',
  access: 'audit_access_log',
};

export interface SourceColumn extends ColumnType {
  nullable: boolean;
}

export interface SourceTable {
  kind: TableKind;
  schema: string;
  name: string;
  /** In the source's column order: this is the order of every row streamRows yields. */
  columns: SourceColumn[];
  /** columns with their cache field; stored as source_tables.columns_json */
  mapped: MappedColumn[];
  /** Indexes into `columns` of the columns with a role. */
  keys: { id: number; seq: number | null; ts: number | null; tenant: number | null };
}

export type DiscoveredTables = Partial<Record<TableKind, SourceTable>>;

/** Cache fields that hold the row's time, per kind (the keyset's first part). */
const TIME_FIELD: Record<TableKind, string> = { events: 'ts', conversations: 'ts', anomalies: 'detected_at', access: 'accessed_at' };

export interface TableRef {
  schema: string;
  name: string;
}

/** Which source table each kind should come from; `explicit` marks a name the user gave. */
export function wantedTables(defaultSchema: string, mapping?: TableMapping): { kind: TableKind; ref: TableRef; explicit: boolean }[] {
  return TABLE_KINDS.map((kind) => {
    const given = mapping?.[kind];
    const ref = given ? splitName(given, defaultSchema) : { schema: defaultSchema, name: DEFAULT_TABLE_NAMES[kind] };
    return { kind, ref, explicit: Boolean(given) };
  });
}

function splitName(text: string, defaultSchema: string): TableRef {
  const dot = text.indexOf('.');
  return dot > 0 ? { schema: text.slice(0, dot), name: text.slice(dot + 1) } : { schema: defaultSchema, name: text };
}

/** Builds a SourceTable from information_schema columns, checking the roles we need are there. */
export function describeTable(kind: TableKind, ref: TableRef, columns: SourceColumn[], mapping?: TableMapping): SourceTable {
  const rename = mapping?.columns?.[kind] ?? {};
  const mapped = mapColumns(
    kind,
    columns.map(({ name, type }) => ({ name, type })),
    rename,
  );
  const find = (field: string) => {
    const i = mapped.findIndex((c) => c.field === field);
    return i < 0 ? null : i;
  };
  const id = find('source_key');
  if (id === null) {
    throw new UserError(
      `table ${ref.schema}.${ref.name} has no row id column (expected "id").`,
      'E_UNKNOWN_COLUMN',
      `Map its key column in the mapping file: {"columns": {"${kind}": {"<column>": "id"}}}.`,
    );
  }
  const seq = find('seq');
  if (kind === 'events' && seq === null) {
    throw new UserError(
      `events table ${ref.schema}.${ref.name} has no sequence column (expected "seq").`,
      'E_UNKNOWN_COLUMN',
      `Map it in the mapping file: {"columns": {"events": {"<column>": "seq"}}}.`,
    );
  }
  let ts = find(TIME_FIELD[kind]);
  if (ts !== null && typeCategory(columns[ts]!.type) !== 'timestamp') ts = null;
  return { kind, schema: ref.schema, name: ref.name, columns, mapped, keys: { id, seq, ts, tenant: find('tenant_id') } };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(t: { schema: string; name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}
