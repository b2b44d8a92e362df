// Whether a cached event's chain position was verified, from the latest stored
// integrity result. The verification engine owns those tables (cache migration
// 002); until a result covers the row the status is honestly 'unknown'.
import type { CacheDb } from '../cache/open.js';
import { cachedRowRef } from '../cache/record-mapping.js';
import type { ChainStatus } from '../contract/records.js';
import { stmt } from './sql.js';
import { resultChecker } from '../verify/verdict-record.js';

export interface ChainRef {
  tableId: number;
  /** as the verifier names chains: "table", or "schema.table" outside public */
  tableName: string;
  tenant: string;
  seq: bigint | null;
  sourceKey: string;
}

export interface ChainStatusResult {
  status: ChainStatus;
  detail: string | null;
  verifiedAt: string | null;
}

/**
 * Reads the verification tables when present; never throws for a missing schema. `ownKeyId`:
 * the reading data folder's auditor key id; a verdict it did not sign (verdict-record.ts) never
 * reads as "verified".
 */
export function chainStatusOf(db: CacheDb, ref: ChainRef, ownKeyId: string | null): ChainStatusResult {
  const tables = new Set((stmt(db, "SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  const reader = READERS.find((r) => r.tables.every((t) => tables.has(t)));
  if (!reader) return { status: 'unknown', detail: 'not verified yet (run Integrity → Verify)', verifiedAt: null };
  try {
    return reader.read(db, ref, ownKeyId);
  } catch (e) {
    return { status: 'unknown', detail: `verification result unreadable: ${(e as Error).message}`, verifiedAt: null };
  }
}

interface Reader {
  tables: string[];
  read(db: CacheDb, ref: ChainRef, ownKeyId: string | null): ChainStatusResult;
}

interface LatestResult {
  result_id: number;
  report_id: number | bigint;
  result_json: string;
  intact: number;
  last_seq: number | bigint | null;
  break_count: number;
  checked_at: string;
}

/** Cache migration 002 (verify engine): latest verdict per chain, breaks by seq or source id. */
const VERIFY_V2: Reader = {
  tables: ['verify_results', 'verify_breaks'],
  read(db, ref, ownKeyId) {
    const latest = (what: 'chain' | 'seal') =>
      stmt(
        db,
        `SELECT result_id, report_id, result_json, intact, last_seq, break_count, checked_at FROM verify_results
          WHERE table_name = ? AND tenant_id = ? AND what = ? ORDER BY result_id DESC LIMIT 1`,
      )
        .safeIntegers(true)
        .get(ref.tableName, ref.tenant, what) as LatestResult | undefined;
    const breakAt = (r: LatestResult) =>
      stmt(
        db,
        `SELECT kind, explanation FROM verify_breaks
          WHERE table_name = ? AND tenant_id = ? AND result_id = ? AND (seq = ? OR source_key = ?) LIMIT 1`,
      ).get(ref.tableName, ref.tenant, Number(r.result_id), ref.seq, ref.sourceKey) as { kind: string; explanation: string } | undefined;

    // Damage found in this chain's cached rows since: no stored verdict speaks for them now.
    const damage = openDamageOf(db, ref);
    if (damage.length) {
      const here = damage.some((d) => d.row === cachedRowRef(ref.seq, ref.sourceKey));
      return {
        status: 'unknown',
        detail: here
          ? 'this row no longer matches what the sync stored: it was changed in the cache, and nothing it shows is evidence about the source (Integrity → Rebuild the cache)'
          : `the cache is damaged at ${damage.map((d) => d.row).join(', ')}: the last verdict of this chain no longer applies (Integrity → Rebuild the cache)`,
        verifiedAt: null,
      };
    }
    const chain = latest('chain');
    const seal = latest('seal');
    const notCheckedHere = resultChecker(db, ownKeyId);
    for (const r of [chain, seal]) {
      const b = r && breakAt(r);
      const whose = r && notCheckedHere(r.report_id, r.result_json);
      if (r && b) return { status: 'broken', detail: `${b.kind}: ${b.explanation}${whose ? ` (${whose.words}, not checked here)` : ''}`, verifiedAt: r.checked_at };
    }
    if (!chain) return { status: 'unknown', detail: 'not verified yet (run Integrity → Verify)', verifiedAt: null };
    const whose = notCheckedHere(chain.report_id, chain.result_json);
    if (whose) {
      return { status: 'unknown', detail: `${whose.words} says this row checks; not checked here (Integrity → Re-verify cache)`, verifiedAt: chain.checked_at };
    }
    if (chain.last_seq !== null && ref.seq !== null && ref.seq > BigInt(chain.last_seq)) {
      return { status: 'unknown', detail: 'synced after the last verification', verifiedAt: chain.checked_at };
    }
    const breaks = Number(chain.break_count);
    return {
      status: 'verified',
      detail: Number(chain.intact) ? null : `this row checks, but the chain has ${breaks} break${breaks === 1 ? '' : 's'} elsewhere`,
      verifiedAt: chain.checked_at,
    };
  },
};

/** Damage on record for the chain (cache migration 015; absent in a cache not yet migrated). */
function openDamageOf(db: CacheDb, ref: ChainRef): { row: string }[] {
  const known = stmt(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cache_damage'").get();
  if (!known) return [];
  return stmt(db, 'SELECT row_ref AS row FROM cache_damage WHERE cleared_by_report IS NULL AND table_name = ? AND tenant_id = ? ORDER BY damage_id').all(ref.tableName, ref.tenant) as {
    row: string;
  }[];
}

/** One reader per known verification schema; the first whose tables exist is used. */
const READERS: Reader[] = [VERIFY_V2];
