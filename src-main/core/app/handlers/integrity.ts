// Integrity as a job: verification runs on a connection of its own to the cache
// (reads never block the timeline), records signed checkpoints and stores its report
// through the app's cache connection.
import type { CheckpointInfo, IntegrityReport, integrityContract, VerifyReport } from '../../contract/integrity.js';
import { openCache } from '../../cache/open.js';
import { loadOrCreateAuditorKey } from '../../identity/auditor-key.js';
import { connectSource, type SourceSession } from '../../source/index.js';
import { UserError } from '../../util/errors.js';
import { checkpointAsAnchor, listCheckpoints, parseAnchor, seqJson } from '../../verify/checkpoints.js';
import { runVerification } from '../../verify/run.js';
import { latestResults } from '../../verify/store.js';
import { profileWithPassword } from './connections.js';
import type { HandlersFor } from './types.js';

export const integrityHandlers: HandlersFor<typeof integrityContract> = {
  'integrity.verify': async ({ target, connectionId, tenants, anchors }, ctx) => {
    const store = ctx.cache();
    const external = (anchors ?? []).map((a, i) => parseAnchor(a, `anchor #${i + 1}`));
    const useSource = target !== 'cache';
    const conn = useSource ? await profileWithPassword(ctx, connectionId) : null;
    const key = loadOrCreateAuditorKey(ctx.dataDir);
    const jobId = ctx.jobs.start('verify', async ({ signal, report }): Promise<VerifyReport> => {
      const reader = target === 'source' ? undefined : openCache(ctx.cachePath, { readonly: true });
      let session: SourceSession | undefined;
      try {
        let wanted = tenants;
        if (conn) {
          report({ phase: 'connecting', message: `${conn.profile.host}:${conn.profile.port}/${conn.profile.database}` });
          session = await connectSource(conn.profile, { password: conn.password, signal });
          if (!wanted?.length && conn.profile.tenants.length) wanted = conn.profile.tenants;
        }
        return await runVerification({
          session,
          copy: conn ? { target: conn.profile, password: conn.password } : undefined,
          cache: reader ? { db: reader, path: ctx.cachePath } : undefined,
          store,
          tenants: wanted,
          anchors: external,
          key,
          mapping: conn?.profile.mapping,
          signal,
          onProgress: report,
        });
      } finally {
        await session?.close();
        reader?.close();
      }
    });
    return { jobId };
  },

  'integrity.report': async ({ tenant }, ctx): Promise<IntegrityReport> => {
    const db = ctx.cache();
    const latest = latestResults(db, tenant);
    const last = db
      .prepare('SELECT report_id, checked_at, target, intact FROM verify_reports ORDER BY report_id DESC LIMIT 1')
      .get() as { report_id: number; checked_at: string; target: 'source' | 'cache' | 'source+cache'; intact: number } | undefined;
    return {
      ...latest,
      lastRun: last ? { reportId: last.report_id, checkedAt: last.checked_at, target: last.target, intact: last.intact === 1 } : null,
    };
  },

  'integrity.checkpoints': async ({ tenant, table, limit }, ctx): Promise<CheckpointInfo[]> => {
    if (limit !== undefined && limit < 1) throw new UserError('limit must be at least 1.', 'E_INPUT');
    const list = listCheckpoints(ctx.cache(), { tenantId: tenant, tableName: table });
    return list
      .sort((a, b) => b.checkpointId - a.checkpointId)
      .slice(0, limit ?? 500)
      .map((c) => ({
        checkpointId: c.checkpointId,
        origin: c.origin,
        table: c.tableName,
        tenant: c.tenantId,
        lastSeq: seqJson(c.lastSeq),
        headHash: c.headHash,
        merkleRoot: c.merkleRoot,
        rowCount: c.rowCount,
        createdAt: c.createdAt,
        sourceFingerprint: c.sourceFingerprint,
        keyId: c.keyId,
        signature: c.signatureStatus,
        anchor: checkpointAsAnchor(c),
      }));
  },
};
