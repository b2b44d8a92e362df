// Sync as a job: the caller gets a job id at once and polls jobs.get for progress
// (rows/s, ETA) and, at the end, the SyncResult.
import type { SyncHistoryEntry, SyncResult, SyncTableKind, syncContract } from '../../contract/sync.js';
import { UserError } from '../../util/errors.js';
import type { AppContext } from '../context.js';
import { runSyncJobInWorker, runSyncJobOnOwnConnection, type SyncJobInput } from '../sync-job.js';
import { profileWithPassword } from './connections.js';
import type { HandlersFor } from './types.js';

export function syncHistory(ctx: AppContext, limit: number): SyncHistoryEntry[] {
  const db = ctx.cache();
  const syncs = db
    .prepare(
      `SELECT s.sync_id, so.label, s.started_at, s.finished_at, s.status, s.rows_fetched, s.rows_changed, s.message
         FROM syncs s JOIN sources so ON so.source_id = s.source_id
        ORDER BY s.sync_id DESC LIMIT ?`,
    )
    .all(limit) as {
    sync_id: number;
    label: string;
    started_at: string;
    finished_at: string | null;
    status: SyncHistoryEntry['status'];
    rows_fetched: number;
    rows_changed: number;
    message: string | null;
  }[];
  const seals = db.prepare(
    `SELECT st.kind, st.schema_name || '.' || st.table_name AS tbl, se.tenant_id, se.row_count, se.merkle_root,
            CAST(se.head_seq AS TEXT) AS head_seq, se.head_hash
       FROM seals se JOIN source_tables st ON st.table_id = se.table_id
      WHERE se.sync_id = ? ORDER BY se.seal_id`,
  );
  return syncs.map((s) => ({
    syncId: s.sync_id,
    source: s.label,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
    status: s.status,
    rowsFetched: s.rows_fetched,
    rowsChanged: s.rows_changed,
    message: s.message,
    seals: (seals.all(s.sync_id) as { kind: SyncTableKind; tbl: string; tenant_id: string; row_count: number; merkle_root: string; head_seq: string | null; head_hash: string | null }[]).map((r) => ({
      tableKind: r.kind,
      table: r.tbl,
      tenant: r.tenant_id,
      rowCount: r.row_count,
      merkleRoot: r.merkle_root,
      headSeq: r.head_seq,
      headHash: r.head_hash,
    })),
  }));
}

export const syncHandlers: HandlersFor<typeof syncContract> = {
  'sync.start': async ({ connectionId, tenants, recheck, rebuild }, ctx) => {
    const { profile, password } = await profileWithPassword(ctx, connectionId);
    // One writer per cache: a second sync would interleave watermarks and bulk mode.
    const running = ctx.jobs.list().find((j) => j.kind === 'sync' && j.state === 'running');
    if (running) {
      throw new UserError('a sync is already running.', 'E_BUSY', `Wait for it to finish or cancel it (job ${running.jobId}).`);
    }
    if (rebuild) await ctx.rebuildCache();
    // Migrated (and checked) here, before the sync opens its own connection to it.
    ctx.cache();
    const input: SyncJobInput = { profile, password, tenants, recheck, cachePath: ctx.cachePath, dataDir: ctx.dataDir };
    const jobId = ctx.jobs.start('sync', async (ctl): Promise<SyncResult> => {
      let summary = await runSyncJobInWorker(input, ctl, ctx.syncWorkerUrl);
      if (summary === null) {
        ctx.log('warn', 'the sync worker could not start; syncing in the main process (the app answers more slowly meanwhile).');
        summary = await runSyncJobOnOwnConnection(input, ctl);
      }
      for (const w of summary.privilegeWarnings) ctx.log('warn', w);
      // Ready for review; the facet indexes the sync left for later are built behind it.
      ctx.startIndexing();
      return summary;
    });
    return { jobId };
  },

  'sync.cancel': async ({ jobId }, ctx) => ({ cancelled: ctx.jobs.cancel(jobId) }),

  'sync.history': async ({ limit }, ctx) => syncHistory(ctx, limit ?? 50),
};
