// Integrity as a job: verification runs on a connection of its own to the cache
// (reads never block the timeline), records signed checkpoints and stores its report
// through the app's cache connection. Anchor files go through the same run: the
// screen's "external anchor" is the CLI's --checkpoint FILE.
import type { AnchorCheck, AnchorCheckResult, AnchorHead, CheckpointInfo, IntegrityReport, integrityContract, VerifyReport } from '../../contract/integrity.js';
import { openCache, type CacheDb } from '../../cache/open.js';
import { keyIdOf, loadOrCreateAuditorKey } from '../../identity/auditor-key.js';
import { connectSource, type SourceSession } from '../../source/index.js';
import { UserError } from '../../util/errors.js';
import { listCachedChains } from '../../verify/adapters.js';
import { checkpointAsAnchor, listCheckpoints, parseAnchor, recordCheckpoint, seqJson, type ExternalAnchor } from '../../verify/checkpoints.js';
import { anchorNamesTable, runVerification } from '../../verify/run.js';
import { latestResults } from '../../verify/store.js';
import { notCheckedHere, VERDICT_RECORD_COLUMNS, type VerdictRecordRow } from '../../verify/verdict-record.js';
import { journalAnchor } from '../../journal/journal-events.js';
import type { AppContext } from '../context.js';
import { profileWithPassword } from './connections.js';
import type { HandlersFor } from './types.js';
import { driftReport } from '../../verify/drift-report.js';

type Target = 'cache' | 'source' | 'source+cache';

/** Starts a verification job (the same run the CLI's verify does); `then` shapes its result. */
async function startVerifyJob<R>(ctx: AppContext, opts: { target: Target; connectionId?: string; tenants?: string[]; anchors: ExternalAnchor[] }, then: (report: VerifyReport) => R): Promise<string> {
  const store = ctx.cache();
  const { target, connectionId, tenants, anchors } = opts;
  const useSource = target !== 'cache';
  const conn = useSource ? await profileWithPassword(ctx, connectionId) : null;
  const key = loadOrCreateAuditorKey(ctx.dataDir);
  return ctx.jobs.start('verify', async ({ signal, report }): Promise<R> => {
    const reader = target === 'source' ? undefined : openCache(ctx.cachePath, { readonly: true });
    let session: SourceSession | undefined;
    try {
      let wanted = tenants;
      if (conn) {
        report({ phase: 'connecting', message: `${conn.profile.host}:${conn.profile.port}/${conn.profile.database}` });
        session = await connectSource(conn.profile, { password: conn.password, signal });
        if (!wanted?.length && conn.profile.tenants.length) wanted = conn.profile.tenants;
      }
      const result = await runVerification({
        session,
        copy: conn ? { target: conn.profile, password: conn.password } : undefined,
        cache: reader ? { db: reader, path: ctx.cachePath } : undefined,
        store,
        tenants: wanted,
        anchors,
        key,
        mapping: conn?.profile.mapping,
        signal,
        onProgress: report,
      });
      return then(result);
    } finally {
      await session?.close();
      reader?.close();
    }
  });
}

function parseAnchors(file: unknown[]): ExternalAnchor[] {
  return file.map((a, i) => parseAnchor(a, `head #${i + 1}`, 'anchor file: '));
}

/** The external checkpoint holding this head, the auditor's own ('valid', the one compared) before any other. */
function recordedAs(db: CacheDb, a: ExternalAnchor, auditorKey: string): AnchorHead['recorded'] {
  const hits = listCheckpoints(db, { tenantId: a.tenant }, auditorKey).filter(
    (c) => c.origin === 'external' && c.lastSeq === a.lastSeq && c.headHash === a.headHash && anchorNamesTable(a.table, c.tableName),
  );
  const hit = hits.find((c) => c.signatureStatus === 'valid') ?? hits[0];
  return hit ? { checkpointId: hit.checkpointId, table: hit.tableName, createdAt: hit.createdAt, signature: hit.signatureStatus } : null;
}

/** A stored report's notes; none in a report stored before runs kept them. */
function storedNotes(json: string | null): string[] {
  const notes = json ? (JSON.parse(json) as unknown) : null;
  return Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [];
}

/** The public key whose checkpoints this data folder trusts (verify/checkpoints.ts, listCheckpoints). */
function auditorKeyOf(ctx: AppContext): string {
  return loadOrCreateAuditorKey(ctx.dataDir).publicKeyRaw;
}

function headOf(db: CacheDb, a: ExternalAnchor, auditorKey: string): AnchorHead {
  return {
    label: a.label,
    tenant: a.tenant,
    table: a.table,
    lastSeq: seqJson(a.lastSeq),
    headHash: a.headHash,
    createdAt: a.createdAt,
    signature: a.signature,
    recorded: recordedAs(db, a, auditorKey),
  };
}

/** What the run found for one anchor: its comparison (the file's own entry, not a stored copy) and the break where the chain leaves it. */
function checkOf(db: CacheDb, a: ExternalAnchor, report: VerifyReport, auditorKey: string): AnchorCheck {
  const seq = seqJson(a.lastSeq);
  // The run labels each head of the file uniquely; its comparison sits in the chain it named.
  const own = (c: VerifyReport['tenants'][number]['checkpoints'][number]) => c.checkpointId === null && c.label === a.label;
  const chain = report.tenants.find((t) => t.checkpoints.some(own));
  const cmp = chain?.checkpoints.find(own);
  const kind = cmp?.outcome === 'rewritten' ? 'rewritten' : cmp?.outcome === 'truncated' ? 'truncated' : cmp?.outcome === 'row-missing' ? 'deleted' : null;
  const divergence = (kind && chain?.breaks.find((b) => b.kind === kind && (kind !== 'deleted' || b.seq === seq))) || null;
  return {
    ...headOf(db, a, auditorKey),
    outcome: cmp?.outcome ?? null,
    foundHash: cmp?.foundHash ?? null,
    chain: chain ? { tenant: chain.tenant, table: chain.table, lastSeq: chain.lastSeq, intact: chain.intact } : null,
    divergence,
  };
}

export const integrityHandlers: HandlersFor<typeof integrityContract> = {
  'integrity.verify': async ({ target, connectionId, tenants, anchors }, ctx) => {
    const external = (anchors ?? []).map((a, i) => parseAnchor(a, `anchor #${i + 1}`));
    return { jobId: await startVerifyJob(ctx, { target, connectionId, tenants, anchors: external }, (r) => r) };
  },

  'integrity.checkAnchors': async ({ file, target, connectionId }, ctx) => {
    const anchors = parseAnchors(file);
    const tenants = [...new Set(anchors.map((a) => a.tenant))];
    const auditorKey = auditorKeyOf(ctx);
    const jobId = await startVerifyJob(ctx, { target, connectionId, tenants, anchors }, (report): AnchorCheckResult => ({
      checkedAt: report.checkedAt,
      target: report.target,
      anchors: anchors.map((a) => checkOf(ctx.cache(), a, report, auditorKey)),
      reportIntact: report.intact,
      notes: report.notes,
    }));
    return { jobId };
  },

  'integrity.recordAnchors': async ({ file }, ctx): Promise<AnchorHead[]> => {
    const db = ctx.cache();
    const anchors = parseAnchors(file);
    const forged = anchors.find((a) => a.signature === 'invalid');
    if (forged) {
      throw new UserError(
        `${forged.label} carries a signature that does not verify, so nothing was recorded.`,
        'E_ANCHOR_SIGNATURE',
        'Ask for the file again from whoever published it; a plain head without a signature can be recorded.',
      );
    }
    const key = loadOrCreateAuditorKey(ctx.dataDir);
    for (const a of anchors) {
      // A copy signed by another key, or edited, is not compared with the chain: record it anew.
      if (recordedAs(db, a, key.publicKeyRaw)?.signature === 'valid') continue;
      // Stored under the cached chain's own name and source, so later runs pick it up.
      const chain = listCachedChains(db, [a.tenant]).find((c) => anchorNamesTable(a.table, c.name));
      const raw = file[anchors.indexOf(a)] as Record<string, unknown>;
      recordCheckpoint(db, key, {
        origin: 'external',
        sourceFingerprint: typeof raw.source_fingerprint === 'string' ? raw.source_fingerprint : (chain?.sourceFingerprint ?? null),
        tableName: chain?.name ?? a.table,
        tenantId: a.tenant,
        lastSeq: a.lastSeq,
        headHash: a.headHash,
        merkleRoot: typeof raw.merkle_root === 'string' && /^[0-9a-f]+$/.test(raw.merkle_root) ? raw.merkle_root : null,
        rowCount: typeof raw.row_count === 'number' ? raw.row_count : null,
        createdAt: a.createdAt ?? undefined,
      });
      journalAnchor(db, { label: a.label, table: chain?.name ?? a.table, tenant: a.tenant, lastSeq: String(a.lastSeq), headHash: a.headHash });
    }
    return anchors.map((a) => headOf(db, a, key.publicKeyRaw));
  },

  'integrity.report': async ({ tenant }, ctx): Promise<IntegrityReport> => {
    const db = ctx.cache();
    const ownKeyId = keyIdOf(auditorKeyOf(ctx));
    const latest = latestResults(db, ownKeyId, tenant);
    const last = db
      .prepare(
        `SELECT ${VERDICT_RECORD_COLUMNS},
                coalesce(json_extract(report_json, '$.summary.breaks'), 0) AS breaks,
                json_extract(report_json, '$.source.label') AS source_label,
                json_extract(report_json, '$.source.fingerprint') AS source_fingerprint,
                json_extract(report_json, '$.notes') AS notes_json,
                coalesce(json_extract(report_json, '$.summary.sealsChanged'), 0) AS seals_changed,
                coalesce(json_extract(report_json, '$.summary.driftFindings'), 0) AS drift_findings,
                (SELECT count(*) FROM json_each(report_json, '$.tenants') c WHERE json_extract(c.value, '$.verdict') = 'empty') AS empty_chains,
                (SELECT count(*) FROM json_each(report_json, '$.tenants') c
                  WHERE json_extract(c.value, '$.verdict') = 'intact' AND json_array_length(coalesce(json_extract(c.value, '$.limits'), '[]')) > 0) AS limited_chains
           FROM verify_reports ORDER BY report_id DESC LIMIT 1`,
      )
      .get() as
      | (VerdictRecordRow & {
          target: 'source' | 'cache' | 'source+cache';
          intact: number;
          breaks: number;
          seals_changed: number;
          drift_findings: number;
          empty_chains: number;
          limited_chains: number;
          source_label: string | null;
          source_fingerprint: string | null;
          notes_json: string | null;
        })
      | undefined;
    return {
      ...latest,
      drift: driftReport(db, tenant ? [tenant] : undefined).json,
      lastRun: last
        ? {
            reportId: Number(last.report_id),
            checkedAt: last.checked_at,
            target: last.target,
            intact: last.intact === 1,
            source: last.source_fingerprint ? { label: last.source_label ?? 'unnamed source', fingerprint: last.source_fingerprint } : null,
            found: { breaks: last.breaks, emptyChains: last.empty_chains, limitedChains: last.limited_chains, sealsChanged: last.seals_changed, driftFindings: last.drift_findings },
            notes: storedNotes(last.notes_json),
            notCheckedHere: notCheckedHere(last, ownKeyId),
          }
        : null,
    };
  },

  'integrity.checkpoints': async ({ tenant, table, origins, limit }, ctx): Promise<CheckpointInfo[]> => {
    if (limit !== undefined && limit < 1) throw new UserError('limit must be at least 1.', 'E_INPUT');
    const db = ctx.cache();
    const list = listCheckpoints(db, { tenantId: tenant, tableName: table }, auditorKeyOf(ctx));
    const labelOf = db.prepare('SELECT label FROM sources WHERE fingerprint = ?').pluck();
    return list
      .filter((c) => !origins || origins.includes(c.origin))
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
        sourceLabel: c.sourceFingerprint ? ((labelOf.get(c.sourceFingerprint) as string | undefined) ?? null) : null,
        keyId: c.keyId,
        signature: c.signatureStatus,
        anchor: checkpointAsAnchor(c),
      }));
  },
};
