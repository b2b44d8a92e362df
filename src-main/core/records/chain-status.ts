// Whether a cached event's chain position was verified, from the latest stored
// integrity result. The verification engine owns those tables (cache migration
// 002); until a result covers the row the status is honestly 'unknown'.
import type { CacheDb } from '../cache/open.js';
import { cachedRowRef } from '../cache/record-mapping.js';
import type { ChainStatus } from '../contract/records.js';
import { stmt } from './sql.js';
import { resultChecker } from '../verify/verdict-record.js';
import type { ChainReportJson, SealReport } from '../contract/verify-report.js';

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
  report_id: number | bigint;
  result_json: string;
  checked_at: string;
}

type ChainEntry = Pick<ChainReportJson, 'intact' | 'lastSeq' | 'breaks' | 'breaksOmitted'>;

/** The row's break among a chain entry's listed breaks. */
function chainBreakAt(chain: ChainEntry, ref: ChainRef): { kind: string; explanation: string } | null {
  const b = (chain.breaks ?? []).find((x) => (x.seq !== null && ref.seq !== null && BigInt(x.seq) === ref.seq) || x.id === ref.sourceKey);
  return b ? { kind: b.kind, explanation: b.explanation } : null;
}

/** The row's change among a sealed table entry's changed keys. */
function sealChangeAt(resultJson: string, ref: ChainRef): { kind: string; explanation: string } | null {
  const seal = JSON.parse(resultJson) as Pick<SealReport, 'modified' | 'deleted' | 'added' | 'sealedAt' | 'explanation'>;
  for (const [kind, keys] of [
    ['modified', seal.modified],
    ['deleted', seal.deleted],
    ['inserted', seal.added],
  ] as const) {
    if ((keys ?? []).includes(ref.sourceKey)) return { kind, explanation: `${kind} since the seal of ${seal.sealedAt}: ${seal.explanation}` };
  }
  return null;
}

/**
 * Cache migration 002 (verify engine): the latest verdict per chain and sealed table. What it
 * says is read from the result entry, which its signed record must contain (verdict-record.ts),
 * never from the columns beside it, which any writer of the file could change.
 */
const VERIFY_V2: Reader = {
  tables: ['verify_results'],
  read(db, ref, ownKeyId) {
    const latest = (what: 'chain' | 'seal') =>
      stmt(
        db,
        `SELECT report_id, result_json, checked_at FROM verify_results
          WHERE table_name = ? AND tenant_id = ? AND what = ? ORDER BY result_id DESC LIMIT 1`,
      )
        .safeIntegers(true)
        .get(ref.tableName, ref.tenant, what) as LatestResult | undefined;

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
    const verdict = chain ? (JSON.parse(chain.result_json) as ChainEntry) : null;
    const notCheckedHere = resultChecker(db, ownKeyId);
    const broken = (r: LatestResult, b: { kind: string; explanation: string }): ChainStatusResult => {
      const whose = notCheckedHere(r.report_id, r.result_json);
      return { status: 'broken', detail: `${b.kind}: ${b.explanation}${whose ? ` (${whose.words}, not checked here)` : ''}`, verifiedAt: r.checked_at };
    };
    const chainBreak = verdict && chainBreakAt(verdict, ref);
    if (chain && chainBreak) return broken(chain, chainBreak);
    const sealBreak = seal && sealChangeAt(seal.result_json, ref);
    if (seal && sealBreak) return broken(seal, sealBreak);
    if (!chain || !verdict) return { status: 'unknown', detail: 'not verified yet (run Integrity → Verify)', verifiedAt: null };
    const whose = notCheckedHere(chain.report_id, chain.result_json);
    if (whose) {
      return { status: 'unknown', detail: `${whose.words} says this row checks; not checked here (Integrity → Re-verify cache)`, verifiedAt: chain.checked_at };
    }
    if (verdict.lastSeq !== null && ref.seq !== null && ref.seq > BigInt(verdict.lastSeq)) {
      return { status: 'unknown', detail: 'synced after the last verification', verifiedAt: chain.checked_at };
    }
    const breaks = verdict.breaks.length + verdict.breaksOmitted;
    return {
      status: 'verified',
      detail: verdict.intact ? null : `this row checks, but the chain has ${breaks} break${breaks === 1 ? '' : 's'} elsewhere`,
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
