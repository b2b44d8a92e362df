// Verification results kept in the cache (migrations/cache/002_verify_reports.sql):
// the whole report per run, the latest verdict per chain or sealed table for the
// Integrity screen, and each break by row for the timeline's chain status.
import { verdictPhrase, type ChainLimitsJson } from './limits.js';
import type { CacheDb } from '../cache/open.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import type { SyncSummary } from '../sync/index.js';
import { chainTableName, listCachedChains } from './adapters.js';
import { chainTreeOf } from './tlog-evidence.js';
import type { ChainTree } from '../chain/chain-leaves.js';
import { recordCheckpoint, type StoredCheckpoint } from './checkpoints.js';
import type { ChainReportJson, VerifyReport } from './report.js';
import type { SealReport } from './seal-compare.js';
import type { CacheDamage } from '../contract/integrity.js';
import { journalVerification } from '../journal/journal-events.js';
import { clearCacheDamage, openCacheDamage } from './cache-damage.js';
import { resultChecker, signVerdictRecord } from './verdict-record.js';
import type { NotCheckedHere } from '../contract/integrity.js';

/** Stores a run's report, signed with `key` (verdict-record.ts); without a key it is stored unsigned and reads as "not checked here". */
export function storeReport(db: CacheDb, report: VerifyReport, key: AuditorKey | null): number {
  return db.transaction(() => {
    // The signature covers the record's place and generation, so both are fixed before the insert.
    const record = {
      report_id: db.prepare('SELECT coalesce(max(report_id), 0) + 1 FROM verify_reports').pluck().get() as number,
      checked_at: report.checkedAt,
      target: report.target,
      source_fingerprint: report.source?.fingerprint ?? null,
      intact: report.intact ? 1 : 0,
      cache_generation: db.prepare('SELECT n FROM cache_generation').pluck().get() as number,
      report_json: JSON.stringify(report),
    };
    const signed = key ? signVerdictRecord(key, record) : { signature: null, publicKey: null };
    db.prepare('INSERT INTO verify_reports (report_id, checked_at, target, source_fingerprint, intact, cache_generation, report_json, signature, public_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      record.report_id,
      record.checked_at,
      record.target,
      record.source_fingerprint,
      record.intact,
      record.cache_generation,
      record.report_json,
      signed.signature,
      signed.publicKey,
    );
    const reportId = Number(record.report_id);
    const result = db.prepare(
      `INSERT INTO verify_results (report_id, what, table_name, tenant_id, intact, row_count, break_count, last_seq, checked_at, result_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const brk = db.prepare('INSERT INTO verify_breaks (report_id, result_id, table_name, tenant_id, seq, source_key, kind, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const t of report.tenants) {
      const resultId = Number(
        result.run(
          reportId,
          'chain',
          t.table,
          t.tenant,
          t.intact ? 1 : 0,
          t.rows,
          t.breaks.length + t.breaksOmitted,
          t.lastSeq === null ? null : BigInt(t.lastSeq),
          report.checkedAt,
          JSON.stringify(t),
        ).lastInsertRowid,
      );
      for (const b of t.breaks) brk.run(reportId, resultId, t.table, t.tenant, b.seq === null ? null : BigInt(b.seq), b.id, b.kind, b.explanation);
      // A run over the cache read this chain's rows and found none changed since the sync
      // stored it (cache-damage.ts throws before a report otherwise): earlier damage is gone.
      if (report.target === 'cache') clearCacheDamage(db, reportId, t.table, t.tenant);
    }
    for (const s of report.seals) {
      const resultId = Number(
        result.run(reportId, 'seal', s.table, s.tenant, s.intact ? 1 : 0, s.rowsNow, s.counts.modified + s.counts.deleted + s.counts.added, null, report.checkedAt, JSON.stringify(s)).lastInsertRowid,
      );
      const note = (keys: string[], kind: string) => {
        for (const k of keys) brk.run(reportId, resultId, s.table, s.tenant, null, k, kind, `${kind} since the seal of ${s.sealedAt}: ${s.explanation}`);
      };
      note(s.modified, 'modified');
      note(s.deleted, 'deleted');
      note(s.added, 'inserted');
      // Every cached row of the table recomputed to the digest the sync stored, and the seal's root.
      if (report.target === 'cache' && s.against === 'cache' && s.intact) clearCacheDamage(db, reportId, s.table, s.tenant);
    }
    journalVerification(db, report, reportId);
    return reportId;
  })();
}

/**
 * A stored chain verdict as the Integrity screen shows it; entries stored before limits existed lack them.
 * `notCheckedHere`: why it is not a check made with the reader's auditor key (verdict-record.ts), else null.
 */
export type LatestChain = ChainReportJson &
  Partial<ChainLimitsJson> & { checkedAt: string; reportId: number; verdictText: string; cacheDamage: CacheDamage | null; notCheckedHere: NotCheckedHere | null };

export interface LatestResults {
  chains: LatestChain[];
  /** damage a verdict found in cached rows since, not cleared (cache-damage.ts); each chain it touches carries it too */
  cacheDamage: CacheDamage[];
  seals: (SealReport & { checkedAt: string; reportId: number; notCheckedHere: NotCheckedHere | null })[];
}

/**
 * The most recent verdict for every chain and sealed table (optionally one tenant), each with
 * whether the reader's key (`ownKeyId`, null when the data folder has none) signed the record it
 * came from. A result row is only as good as that record: one its record does not list was
 * written beside it, and is not this auditor's either.
 */
export function latestResults(db: CacheDb, ownKeyId: string | null, tenant?: string): LatestResults {
  const rows = db
    .prepare(
      `SELECT r.what, r.report_id, r.checked_at, r.result_json FROM verify_results r
        WHERE r.result_id IN (SELECT max(result_id) FROM verify_results GROUP BY table_name, tenant_id, what)
          ${tenant === undefined ? '' : 'AND r.tenant_id = ?'}
        ORDER BY r.what, r.table_name, r.tenant_id`,
    )
    .all(...(tenant === undefined ? [] : [tenant])) as { what: 'chain' | 'seal'; report_id: number; checked_at: string; result_json: string }[];
  const checkedAgainstRecord = resultChecker(db, ownKeyId);
  const out: LatestResults = { chains: [], seals: [], cacheDamage: openCacheDamage(db).filter((d) => tenant === undefined || d.tenant === tenant) };
  for (const r of rows) {
    const extra = { checkedAt: r.checked_at, reportId: r.report_id, notCheckedHere: checkedAgainstRecord(r.report_id, r.result_json) };
    if (r.what === 'chain') {
      const chain = JSON.parse(r.result_json) as ChainReportJson & Partial<ChainLimitsJson>;
      const cacheDamage = out.cacheDamage.find((d) => d.table === chain.table && d.tenant === chain.tenant) ?? null;
      // The screen's words for the verdict come from limits.ts, as the CLI's and the PDF's do.
      out.chains.push({ ...chain, ...extra, verdictText: verdictPhrase(chain), cacheDamage });
    } else out.seals.push({ ...(JSON.parse(r.result_json) as SealReport), ...extra });
  }
  return out;
}

/** The chains whose latest verdict is not a check made with `ownKeyId`: another auditor's, or a record no key signed. */
export function chainsVerifiedElsewhere(db: CacheDb, ownKeyId: string | null, tenant?: string): { tenant: string; table: string; notCheckedHere: NotCheckedHere }[] {
  return latestResults(db, ownKeyId, tenant).chains.flatMap((c) => (c.notCheckedHere ? [{ tenant: c.tenant, table: c.table, notCheckedHere: c.notCheckedHere }] : []));
}

/**
 * For sync: after a sync, record one signed checkpoint per events chain it sealed
 * (origin 'sync'), so a later verification can tell whether the chain was rewritten
 * since. Call with the sync's summary and the same cache. Each checkpoint is also a
 * signed note over the cached chain's RFC 6962 tree up to the synced head.
 * `sealedTrees` (by sealedTreeKey) are trees the sync's seals built from the rows they
 * were made from, equal to what the cache gives back (sync/seal.ts); any other chain is
 * read back.
 */
export function recordSyncCheckpoints(db: CacheDb, key: AuditorKey, summary: SyncSummary, sealedTrees: ReadonlyMap<string, ChainTree> = new Map()): StoredCheckpoint[] {
  const out: StoredCheckpoint[] = [];
  for (const t of summary.tables) {
    if (t.kind !== 'events' || t.seal.headSeq === null || t.seal.headHash === null) continue;
    const dot = t.table.indexOf('.');
    const name = dot > 0 ? chainTableName(t.table.slice(0, dot), t.table.slice(dot + 1)) : t.table;
    const headSeq = BigInt(t.seal.headSeq);
    const chain = listCachedChains(db, [t.tenant]).find((c) => c.name === name && c.sourceFingerprint === summary.fingerprint);
    const sealed = sealedTrees.get(sealedTreeKey(t.table, t.tenant));
    const read = chain && !sealed ? chainTreeOf(db, chain, headSeq) : null;
    const tree = chain && sealed ? sealed : read && read.size > 0n ? read : null;
    out.push(
      recordCheckpoint(db, key, {
        origin: 'sync',
        sourceFingerprint: summary.fingerprint,
        tableName: name,
        tenantId: t.tenant,
        lastSeq: headSeq,
        headHash: t.seal.headHash,
        merkleRoot: t.seal.merkleRoot,
        rowCount: t.seal.rowCount,
        tree,
      }),
    );
  }
  return out;
}

/** How recordSyncCheckpoints looks up a sealed tree: the summary's "schema.table" and tenant. */
export function sealedTreeKey(table: string, tenant: string): string {
  return `${table}\u0000${tenant}`;
}
