// Whether a cached event's chain position was verified, from the latest stored
// integrity result. The verification engine owns those tables (a later cache
// migration); until a result exists the status is honestly 'unknown'.
import type { CacheDb } from '../cache/open.js';
import type { ChainStatus } from '../contract/records.js';
import { stmt } from './sql.js';

export interface ChainRef {
  tableId: number;
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

/** Reads the verification tables when present; never throws for a missing schema. */
export function chainStatusOf(db: CacheDb, ref: ChainRef): ChainStatusResult {
  const tables = new Set(
    (stmt(db, "SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name),
  );
  const reader = READERS.find((r) => r.tables.every((t) => tables.has(t)));
  if (!reader) return { status: 'unknown', detail: 'not verified yet (run Integrity → Verify)', verifiedAt: null };
  try {
    return reader.read(db, ref);
  } catch (e) {
    return { status: 'unknown', detail: `verification result unreadable: ${(e as Error).message}`, verifiedAt: null };
  }
}

interface Reader {
  tables: string[];
  read(db: CacheDb, ref: ChainRef): ChainStatusResult;
}

/** One reader per known verification schema; the first whose tables exist is used. */
const READERS: Reader[] = [];
