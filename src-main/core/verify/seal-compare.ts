// Tables without a hash chain (conversation logs, anomalies, access logs) are covered
// by the seals each sync writes: a Merkle root over the row digests. Re-verification
// lists the rows modified, deleted or added since the seal — against the live
// source (through the sync's compareWithSeal) or, offline, inside the cache itself.
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn, TableKind } from '../cache/record-mapping.js';
import { rowDigest } from '../chain/digest.js';
import { MerkleBuilder } from '../chain/merkle.js';
import type { SourceSession, SourceTable } from '../source/index.js';
import { cachedRows, compareWithSeal, latestSeal } from '../sync/index.js';
import { chainTableName } from './adapters.js';
import type { SealReport } from '../contract/verify-report.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export type { SealReport };

export const MAX_KEYS_LISTED = 1000;

interface SealedTable {
  tableId: number;
  kind: TableKind;
  schema: string;
  name: string;
  columns: MappedColumn[];
  tenant: string;
}

/** Tables other than events that have a seal in the cache, per tenant. */
export function sealedTables(db: CacheDb, tenants?: readonly string[]): SealedTable[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT st.table_id, st.kind, st.schema_name, st.table_name, st.columns_json, se.tenant_id
         FROM seals se JOIN source_tables st ON st.table_id = se.table_id
        WHERE st.kind <> 'events' ORDER BY st.table_id, se.tenant_id`,
    )
    .all() as { table_id: number; kind: TableKind; schema_name: string; table_name: string; columns_json: string; tenant_id: string }[];
  return rows
    .filter((r) => !tenants?.length || tenants.includes(r.tenant_id))
    .map((r) => ({
      tableId: r.table_id,
      kind: r.kind,
      schema: r.schema_name,
      name: r.table_name,
      columns: JSON.parse(r.columns_json) as MappedColumn[],
      tenant: r.tenant_id,
    }));
}

function explain(r: Omit<SealReport, 'explanation'>): string {
  const where = `${r.table} (tenant ${r.tenant})`;
  const sealed = `the seal of ${r.sealedAt} (${r.rowsSealed} rows, Merkle root ${r.merkleRootSealed.slice(0, 16)}…)`;
  // A seal over no rows commits to nothing: "intact" would be a claim about no evidence.
  if (r.intact && r.rowsSealed === 0) return `${where} had no rows when sealed (${r.sealedAt}) and has none now: nothing was sealed, so nothing is proven about it.`;
  if (r.intact) return `${where} still holds exactly what ${sealed} committed to.`;
  const parts: string[] = [];
  if (r.counts.modified) parts.push(`${r.counts.modified} row(s) modified`);
  if (r.counts.deleted) parts.push(`${r.counts.deleted} deleted`);
  if (r.counts.added) parts.push(`${r.counts.added} added within the sealed range`);
  if (!parts.length) parts.push(`the Merkle root no longer matches (${r.merkleRootNow.slice(0, 16)}…)`);
  const cause = r.against === 'source' ? 'Likely cause: rows were edited, removed or back-dated at the source after the sync.' : 'Likely cause: the cache file was edited outside AuditDesk.';
  return `${where} differs from ${sealed}: ${parts.join(', ')}. ${cause}`;
}

function finish(base: Omit<SealReport, 'explanation' | 'counts' | 'modified' | 'deleted' | 'added' | 'intact'>, modified: string[], deleted: string[], added: string[]): SealReport {
  const counts = { modified: modified.length, deleted: deleted.length, added: added.length };
  const intact = !counts.modified && !counts.deleted && !counts.added && base.merkleRootNow === base.merkleRootSealed && base.rowsNow === base.rowsSealed;
  const r = {
    ...base,
    intact,
    counts,
    modified: modified.slice(0, MAX_KEYS_LISTED),
    deleted: deleted.slice(0, MAX_KEYS_LISTED),
    added: added.slice(0, MAX_KEYS_LISTED),
  };
  return { ...r, explanation: explain(r) };
}

/** Offline: do the cached rows still produce the digests and the Merkle root the seal recorded? */
export function checkSealInCache(db: CacheDb, t: SealedTable): SealReport | null {
  const seal = latestSeal(db, t.tableId, t.tenant);
  if (!seal) return null;
  const merkle = new MerkleBuilder();
  const modified: string[] = [];
  for (const r of cachedRows(db, t.kind, t.tableId, t.tenant, t.columns)) {
    const digest = rowDigest(t.columns, r.values);
    merkle.push(digest);
    if (digest !== r.digest) modified.push(r.key);
  }
  return finish(
    {
      table: chainTableName(t.schema, t.name),
      kind: t.kind,
      tenant: t.tenant,
      against: 'cache',
      sealId: seal.sealId,
      sealedAt: seal.createdAt,
      rowsSealed: seal.rowCount,
      rowsNow: merkle.count,
      merkleRootSealed: seal.merkleRoot,
      merkleRootNow: merkle.root(),
    },
    modified,
    [],
    [],
  );
}

/** Live: which source rows within the sealed range were modified, deleted or added since. */
export async function checkSealAgainstSource(session: SourceSession, db: CacheDb, table: SourceTable, tenant: string, signal?: AbortSignal): Promise<SealReport> {
  const c = await compareWithSeal(session, db, { table, tenant, signal });
  return finish(
    {
      table: chainTableName(table.schema, table.name),
      kind: table.kind,
      tenant,
      against: 'source',
      sealId: c.seal.sealId,
      sealedAt: c.seal.createdAt,
      rowsSealed: c.seal.rowCount,
      rowsNow: c.sourceCount,
      merkleRootSealed: c.seal.merkleRoot,
      merkleRootNow: c.sourceMerkleRoot,
    },
    c.modified,
    c.deleted,
    c.added,
  );
}
