// Drift findings (issue 19, migrations/cache/008): every change a sync sees at the
// source in a row it had already cached is recorded once, with both versions of the
// row, so verify and export keep reporting it after the next seal has moved on.
// A sync only ever inserts here; deciding a finding belongs to the exceptions queue.
import { driftItemKey, itemIdOf, latestDecisions, type LatestDecision } from '../cache/review-decisions.js';
import type { CacheDb } from '../cache/open.js';
import { fromRecord, type CacheRow, type MappedColumn, type TableKind } from '../cache/record-mapping.js';
import type { Row } from '../source/session.js';
import { CACHE_TABLE } from '../cache/cache-tables.js';
import type { DriftChange } from '../contract/verify-report.js';
import type { ColumnType } from '../chain/canonical.js';
import { rowDigest } from '../chain/digest.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export type { DriftChange };

/** One version of a row: its source values and their digest (rowDigest of the table's columns). */
export interface RowVersion {
  values: Row;
  digest: string;
}

/** {"column": "text as printed"} in source column order: readable, and enough to recompute the digest. */
export function valuesJson(columns: readonly MappedColumn[], values: Row): string {
  const out: Record<string, string | null> = {};
  columns.forEach((c, i) => {
    out[c.name] = values[i] ?? null;
  });
  return JSON.stringify(out);
}

/** The source values of a cached row (any of records, anomalies, access_log). */
export function sourceValuesOf(columns: readonly MappedColumn[], cached: Record<string, unknown>): Row {
  return fromRecord(columns, cached as CacheRow);
}

/** Records drift findings of one (table, tenant) for one sync; a finding already recorded is left as it is. */
export class DriftRecorder {
  private readonly insert;

  constructor(
    db: CacheDb,
    private readonly tableId: number,
    private readonly columns: readonly MappedColumn[],
    private readonly tenant: string,
    private readonly syncId: number,
  ) {
    // ON CONFLICT DO NOTHING against drift_findings_once: the first detection stands.
    this.insert = db.prepare(
      `INSERT INTO drift_findings (table_id, tenant_id, source_key, change, detected_sync_id, detected_at,
                                   earlier_digest, later_digest, earlier_values, later_values)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
  }

  record(key: string, change: DriftChange, earlier: RowVersion | null, later: RowVersion | null, tenant = this.tenant): void {
    this.insert.run(
      this.tableId,
      tenant,
      key,
      change,
      this.syncId,
      new Date().toISOString(),
      earlier?.digest ?? null,
      later?.digest ?? null,
      earlier ? valuesJson(this.columns, earlier.values) : null,
      later ? valuesJson(this.columns, later.values) : null,
    );
  }
}

/** The cached copy of a row, as the version a 'deleted' finding keeps. */
export function cachedVersion(db: CacheDb, kind: TableKind, tableId: number, tenant: string, key: string, columns: readonly MappedColumn[]): RowVersion | null {
  const spec = CACHE_TABLE[kind];
  const kindFilter = spec.recordKind ? `AND kind = '${spec.recordKind}'` : '';
  const row = db.prepare(`SELECT * FROM ${spec.table} WHERE table_id = ? AND tenant_id = ? AND source_key = ? ${kindFilter}`).safeIntegers(true).get(tableId, tenant, key) as
    Record<string, unknown> | undefined;
  return row ? { values: sourceValuesOf(columns, row), digest: String(row.digest) } : null;
}

/** A drift finding as verify, export and (later) the exceptions queue read it. */
export interface DriftFinding {
  findingId: number;
  tableId: number;
  /** schema.table as the auditor knows it ("conversation_audit_logs" in public) */
  table: string;
  tableKind: TableKind;
  tenant: string;
  key: string;
  change: DriftChange;
  detectedSyncId: number;
  /** when a sync first saw the change */
  detectedAt: string;
  earlierDigest: string | null;
  laterDigest: string | null;
  /** JSON {"column": "text as printed"}; null when there is no such version */
  earlierValues: string | null;
  laterValues: string | null;
  status: 'open' | 'decided';
  decision: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /**
   * Set for a finding a rebuild carried over from the cache file it set aside (migration
   * 016): that file's name and the rebuild's time. Its findingId and detectedSyncId are
   * the ids in that file; its tableId is the same table's here (0 before a sync registers it).
   */
  carriedFrom: { file: string; at: string } | null;
  /** A carried finding whose table's columns differ now from those its digests are over. */
  columnsChanged: boolean;
}

/** Whether a finding's JSON values give its digest over the table's columns (what verify-package checks in changes.csv). */
export function valuesGiveDigest(columns: readonly ColumnType[], valuesJson: string | null, digest: string | null): boolean {
  if (valuesJson === null || digest === null) return valuesJson === digest;
  let byName: unknown;
  try {
    byName = JSON.parse(valuesJson);
  } catch {
    return false;
  }
  if (!byName || typeof byName !== 'object' || Array.isArray(byName)) return false;
  const values = byName as Record<string, string | null>;
  return (
    rowDigest(
      columns,
      columns.map((c) => values[c.name] ?? null),
    ) === digest
  );
}

/** Every drift finding (of these tenants), in detection order (those a rebuild carried over first); decided ones included. */
export function listDriftFindings(db: CacheDb, opts: { tenants?: readonly string[]; kinds?: readonly TableKind[] } = {}): DriftFinding[] {
  const tenants = opts.tenants?.length ? opts.tenants : null;
  const rows = db
    .prepare(
      `SELECT d.*, st.schema_name, st.table_name, st.kind AS table_kind, s.fingerprint
         FROM drift_findings d JOIN source_tables st ON st.table_id = d.table_id JOIN sources s ON s.source_id = st.source_id
        ${tenants ? `WHERE d.tenant_id IN (${tenants.map(() => '?').join(', ')})` : ''}
        ORDER BY d.finding_id`,
    )
    .all(...(tenants ?? [])) as Record<string, string | number | null>[];
  const decided = latestDecisions(db, 'drift');
  const own = rows
    .filter((r) => !opts.kinds || opts.kinds.includes(r.table_kind as TableKind))
    .map((r) => ({ ...findingOf(r, Number(r.table_id)), ...decisionOf(decided, r), carriedFrom: null, columnsChanged: false }));
  return [...carriedFindings(db, tenants, opts.kinds, decided), ...own];
}

function carriedFindings(db: CacheDb, tenants: readonly string[] | null, kinds: readonly TableKind[] | undefined, decided: Map<string, LatestDecision>): DriftFinding[] {
  const rows = db
    .prepare(
      `SELECT c.*, c.source_fingerprint AS fingerprint, st.table_id AS table_id_here, st.columns_json AS columns_here
         FROM drift_findings_carried c
         LEFT JOIN sources s ON s.fingerprint = c.source_fingerprint
         LEFT JOIN source_tables st ON st.source_id = s.source_id AND st.kind = c.table_kind AND st.schema_name = c.schema_name AND st.table_name = c.table_name
        ${tenants ? `WHERE c.tenant_id IN (${tenants.map(() => '?').join(', ')})` : ''}
        ORDER BY c.carried_id`,
    )
    .all(...(tenants ?? [])) as Record<string, string | number | null>[];
  return rows
    .filter((r) => !kinds || kinds.includes(r.table_kind as TableKind))
    .map((r) => ({
      ...findingOf(r, r.table_id_here === null ? 0 : Number(r.table_id_here)),
      // Nothing of this version writes the old status columns; a carried finding is decided by a signed decision only.
      ...decisionOf(decided, { ...r, status: 'open' }),
      carriedFrom: { file: String(r.carried_from), at: String(r.carried_at) },
      columnsChanged: r.columns_here !== null && !sameColumns(String(r.columns_json), String(r.columns_here)),
    }));
}

/** What a finding's row says, whichever table holds it (drift_findings, or drift_findings_carried with the table named). */
function findingOf(r: Record<string, string | number | null>, tableId: number): Omit<DriftFinding, 'status' | 'decision' | 'decidedBy' | 'decidedAt' | 'carriedFrom' | 'columnsChanged'> {
  return {
    findingId: Number(r.finding_id),
    tableId,
    table: r.schema_name === 'public' ? String(r.table_name) : `${r.schema_name}.${r.table_name}`,
    tableKind: r.table_kind as TableKind,
    tenant: String(r.tenant_id),
    key: String(r.source_key),
    change: r.change as DriftChange,
    detectedSyncId: Number(r.detected_sync_id),
    detectedAt: String(r.detected_at),
    earlierDigest: (r.earlier_digest as string | null) ?? null,
    laterDigest: (r.later_digest as string | null) ?? null,
    earlierValues: (r.earlier_values as string | null) ?? null,
    laterValues: (r.later_values as string | null) ?? null,
  };
}

/** The same columns in the same order with the same types (the mapping's field names do not enter a digest). */
function sameColumns(a: string, b: string): boolean {
  const shape = (json: string) => (JSON.parse(json) as ColumnType[]).map((c) => `${c.name}:${c.type}`).join(',');
  return shape(a) === shape(b);
}

/**
 * The finding's status is the exceptions queue's latest signed decision on it; the
 * table's own status columns (written before signed decisions existed) are the fallback.
 */
function decisionOf(decided: Map<string, LatestDecision>, r: Record<string, string | number | null>): Pick<DriftFinding, 'status' | 'decision' | 'decidedBy' | 'decidedAt'> {
  const key = driftItemKey({
    sourceKey: String(r.source_key),
    change: String(r.change),
    earlierDigest: (r.earlier_digest as string | null) ?? null,
    laterDigest: (r.later_digest as string | null) ?? null,
  });
  const signed = decided.get(itemIdOf('drift', String(r.fingerprint), String(r.tenant_id), String(r.table_name), key));
  if (signed) return { status: 'decided', decision: signed.disposition, decidedBy: signed.signerName, decidedAt: signed.signedAt };
  return {
    status: r.status as 'open' | 'decided',
    decision: (r.decision as string | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: (r.decided_at as string | null) ?? null,
  };
}

export { driftSentence } from './drift-words.js';
