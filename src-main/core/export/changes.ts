// changes.csv (issue 19, docs/package-format.md#changescsv): the drift findings of the
// exported rows, one per line with both versions of the row. A deleted row stays in
// its table's CSV exactly as it was cached (so its digest, the Merkle root and the
// hash chain still recompute); this file is what marks it deleted at the source.
import type Database from 'better-sqlite3';
import type { CacheDb } from '../cache/open.js';
import type { ColumnType } from '../chain/canonical.js';
import { driftSentence, listDriftFindings, valuesGiveDigest, type DriftFinding } from '../sync/index.js';
import { accessWhere, type Selection } from './select.js';
import { PACKAGE_FILES } from './package-files.js';
import { CACHE_TABLE } from '../cache/cache-tables.js';

export const CHANGES_FILE = PACKAGE_FILES.changes;

export const CHANGES_COLUMNS: ColumnType[] = [
  { name: 'finding_id', type: 'int8' },
  { name: 'table', type: 'text' },
  { name: 'key', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'detected_at', type: 'text' },
  { name: 'detected_sync_id', type: 'int8' },
  { name: 'earlier_digest', type: 'text' },
  { name: 'later_digest', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'decision', type: 'text' },
  { name: 'earlier_values', type: 'text' },
  { name: 'later_values', type: 'text' },
  // Last, so the twelve columns before it keep their places in older readers.
  { name: 'carried_from', type: 'text' },
];

export function changesCells(f: DriftFinding): (string | null)[] {
  return [
    String(f.findingId),
    f.table,
    f.key,
    f.change,
    f.detectedAt,
    String(f.detectedSyncId),
    f.earlierDigest,
    f.laterDigest,
    f.status,
    f.decision,
    f.earlierValues,
    f.laterValues,
    f.carriedFrom ? `${f.carriedFrom.file} at ${f.carriedFrom.at}` : null,
  ];
}

/** The tenant's drift findings whose row is in the package (a deleted row's cached copy is). */
export function driftInScope(db: CacheDb, s: Selection): DriftFinding[] {
  const where = (w: { sql: string }) => w.sql || 'WHERE 1';
  const inEvents = db.prepare(`SELECT 1 FROM records r ${where(s.events.where)} AND r.table_id = ? AND r.source_key = ?`);
  const inConversations = db.prepare(`SELECT 1 FROM records r ${where(s.conversations.where)} AND r.table_id = ? AND r.source_key = ?`);
  const inAnomalies = db.prepare(
    `SELECT 1 FROM anomalies a WHERE a.tenant_id = ? AND a.table_id = ? AND a.source_key = ?
        AND a.audit_event_id IN (SELECT r.source_key FROM records r ${where(s.events.where)})`,
  );
  const access = accessWhere(s);
  const inAccess = db.prepare(`SELECT 1 FROM access_log ${access.sql} AND table_id = ? AND source_key = ?`);
  const tableIdOf = new Map<string, number | undefined>([
    ['events', s.events.table?.tableId],
    ['conversations', s.conversations.table?.tableId],
    ['anomalies', s.anomalyTable?.tableId],
    ['access', s.accessTable?.tableId],
  ]);
  const cachedRow = new Map<string, Database.Statement>();
  const isCached = (kind: DriftFinding['tableKind'], tableId: number, tenant: string, key: string) => {
    const table = CACHE_TABLE[kind].table;
    let stmt = cachedRow.get(table);
    if (!stmt) cachedRow.set(table, (stmt = db.prepare(`SELECT 1 FROM ${table} WHERE table_id = ? AND tenant_id = ? AND source_key = ?`)));
    return stmt.get(tableId, tenant, key) !== undefined;
  };
  return listDriftFindings(db, { tenants: [s.tenant] }).filter((f) => {
    const tableId = tableIdOf.get(f.tableKind);
    if (tableId === undefined || f.tableId !== tableId) return false;
    if (f.carriedFrom) {
      // Its digests are over the columns the table had then: the manifest names one column list per table.
      if (f.columnsChanged) return false;
      // A row the rebuilt cache does not hold (deleted at the source before the rebuild) cannot be
      // tested against the selection: it is in every package that keeps its tenant's whole history.
      if (!isCached(f.tableKind, tableId, s.tenant, f.key)) return s.contiguous;
    }
    switch (f.tableKind) {
      case 'events':
        return Boolean(inEvents.get(...s.events.where.params, tableId, f.key));
      case 'conversations':
        return Boolean(inConversations.get(...s.conversations.where.params, tableId, f.key));
      case 'anomalies':
        return Boolean(inAnomalies.get(s.tenant, tableId, f.key, ...s.events.where.params));
      case 'access':
        return Boolean(inAccess.get(...access.params, tableId, f.key));
    }
  });
}

/** What verification.json, the manifest, the PDF and the export result say about drift. */
export interface DriftSummary {
  /** findings in the package (= rows of changes.csv) */
  findings: number;
  open: number;
  /** per table and change kind, e.g. {"conversation_audit_logs": {"modified": 1}} */
  byTable: Record<string, Partial<Record<DriftFinding['change'], number>>>;
  /** "N rows changed at the source after they were first cached", or null without drift */
  statement: string | null;
  file: typeof CHANGES_FILE | null;
  /**
   * The source columns of each table with findings, in order: earlier_digest and
   * later_digest are rowDigest(columns, values) of the values beside them.
   */
  columns: Record<string, ColumnType[]>;
}

export function summariseDrift(findings: readonly DriftFinding[], columnsOf: (tableId: number) => readonly ColumnType[] = () => []): DriftSummary {
  const columns: DriftSummary['columns'] = {};
  for (const f of findings) columns[f.table] ??= columnsOf(f.tableId).map(({ name, type }) => ({ name, type }));
  const byTable: DriftSummary['byTable'] = {};
  for (const f of findings) {
    const t = (byTable[f.table] ??= {});
    t[f.change] = (t[f.change] ?? 0) + 1;
  }
  return {
    findings: findings.length,
    open: findings.filter((f) => f.status === 'open').length,
    byTable,
    statement: findings.length ? driftSentence(findings.length) : null,
    file: findings.length ? CHANGES_FILE : null,
    columns,
  };
}

/** Problems in changes.csv's rows: a digest that is not the digest of the values beside it. */
export function changesProblems(rows: readonly (string | null)[][], columns: DriftSummary['columns']): string[] {
  const problems: string[] = [];
  for (const r of rows) {
    const [id, table, key] = r;
    const cols = columns[table ?? ''];
    if (!cols) {
      problems.push(`finding ${id}: the manifest records no columns for table ${table}`);
      continue;
    }
    for (const [values, digest, which] of [
      [r[10], r[6], 'earlier'],
      [r[11], r[7], 'later'],
    ] as const) {
      if (!valuesGiveDigest(cols, values, digest)) problems.push(`finding ${id} (${table} ${key}): the ${which} digest is not the digest of the ${which} values`);
    }
  }
  return problems;
}
