// Contract for sync: start a sync of a saved connection as a job (poll it with
// jobs.get, stop it with jobs.cancel or sync.cancel) and read the sync history.
import { z } from 'zod';
import { method } from './define.js';

export type SyncTableKind = 'events' | 'conversations' | 'anomalies' | 'access';

export interface SyncChange {
  kind: SyncTableKind;
  tenant: string;
  key: string;
  change: 'modified' | 'deleted' | 'added-behind-watermark';
}

/** One (table, tenant) of a sync: what was fetched, what changed, and its seal. */
export interface SyncTableResult {
  kind: SyncTableKind;
  table: string;
  tenant: string;
  fetched: number;
  modified: number;
  deleted: number;
  late: number;
  seal: { rowCount: number; merkleRoot: string; firstKey: string | null; lastKey: string | null; headSeq: string | null; headHash: string | null };
}

/** What a finished sync job returns as its result (jobs.get → result). */
export interface SyncResult {
  syncId: number;
  source: string;
  fingerprint: string;
  serverVersion: string;
  tenants: string[];
  tables: SyncTableResult[];
  rowsFetched: number;
  rowsChanged: number;
  rowsDeleted: number;
  changes: SyncChange[];
  changesTruncated: boolean;
  privilegeWarnings: string[];
  readOnly: boolean;
  seconds: number;
  rowsPerSecond: number;
  /**
   * The hash chains' verdict, checked at the end of the sync over what it cached
   * (issue 17): one entry per chain, and the stored verify report that holds the
   * breaks. Absent when the sync ran without a verdict.
   */
  chains?: SyncChainVerdict[];
  verifyReportId?: number;
  /** Facet indexes still to build after the sync was ready (`--no-wait-index`): filters are slower until then, never different. */
  indexesPending?: string[];
}

/** One chain's verdict as a sync reports it; the words come from the verify report's. */
export interface SyncChainVerdict {
  table: string;
  tenant: string;
  verdict: 'intact' | 'broken' | 'empty';
  /** The verdict in words, as `auditdesk verify` prints it ("intact as far as this run can see", …). */
  phrase: string;
  rows: number;
  breaks: number;
  lastSeq: number | string | null;
  headHash: string | null;
}

export interface SyncHistoryEntry {
  syncId: number;
  source: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  rowsFetched: number;
  rowsChanged: number;
  message: string | null;
  seals: { tableKind: SyncTableKind; table: string; tenant: string; rowCount: number; merkleRoot: string; headSeq: string | null; headHash: string | null }[];
}

export const syncContract = {
  /** Starts a sync of a saved connection (default: the active one) as a job. */
  'sync.start': method<{ jobId: string }>()(
    z
      .object({
        connectionId: z.string().min(1).max(100).optional(),
        /** default: the profile's tenants */
        tenants: z.array(z.string().min(1).max(200)).max(100).optional(),
        recheck: z.boolean().optional(),
        /**
         * Move a damaged cache aside first (kept beside it as cache.sqlite.broken-<time>)
         * and sync into a new one, as the CLI's --rebuild; a sound cache is left as it is.
         */
        rebuild: z.boolean().optional(),
      })
      .strict(),
  ),
  'sync.cancel': method<{ cancelled: boolean }>()(z.object({ jobId: z.string().min(1).max(100) }).strict()),
  'sync.history': method<SyncHistoryEntry[]>()(z.object({ limit: z.number().int().min(1).max(500).optional() }).strict()),
};
