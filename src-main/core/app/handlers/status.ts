import type { CacheIndexing, statusContract, TenantCounts } from '../../contract/status.js';
import { indexesStillToBuild, rollupIsStale } from '../../sync/deferred.js';
import type { AppContext } from '../context.js';
import type { CacheDb } from '../../cache/open.js';
import { cacheSchemaVersion } from '../../cache/open.js';
import type { HandlersFor } from './types.js';
import { sourceStatus } from './source-status.js';

/**
 * Rows per tenant for the status line. Counts come from the per-day rollup that
 * triggers keep exact (migration 003), so this stays instant on a million rows
 * instead of blocking the process with a scan. While a bulk fill has those triggers set
 * aside the rollup is behind: the tenants the fill has reached are listed with no count
 * (null) rather than the rollup's stale one.
 */
export function tenantCounts(db: CacheDb): TenantCounts[] {
  const filling = rollupIsStale(db);
  const byTenant = new Map<string, TenantCounts>();
  const entry = (tenant: string) => {
    let e = byTenant.get(tenant);
    if (!e) byTenant.set(tenant, (e = { tenant, events: filling ? null : 0, conversations: filling ? null : 0, anomalies: 0, lastSyncAt: null }));
    return e;
  };
  if (filling) {
    for (const tenant of db.prepare('SELECT DISTINCT tenant_id FROM watermarks').pluck().all() as string[]) entry(tenant);
  } else {
    const kinds = db.prepare('SELECT tenant_id AS tenant, kind, sum(n) AS n FROM records_rollup GROUP BY tenant_id, kind').all() as { tenant: string; kind: string; n: number }[];
    for (const { tenant, kind, n } of kinds) {
      if (kind === 'event') entry(tenant).events = n;
      else if (kind === 'conversation') entry(tenant).conversations = n;
    }
  }
  for (const { tenant, n } of db.prepare('SELECT tenant_id AS tenant, count(*) AS n FROM anomalies GROUP BY tenant_id').all() as { tenant: string; n: number }[]) {
    entry(tenant).anomalies = n;
  }
  const synced = db.prepare('SELECT se.tenant_id AS tenant, max(s.finished_at) AS at FROM seals se JOIN syncs s ON s.sync_id = se.sync_id GROUP BY se.tenant_id').all() as {
    tenant: string;
    at: string | null;
  }[];
  for (const { tenant, at } of synced) if (byTenant.has(tenant)) entry(tenant).lastSyncAt = at;
  return [...byTenant.values()].filter((e) => e.events === null || e.events + (e.conversations ?? 0) + e.anomalies > 0).sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
}

/** Facet indexes still to build and what their background build is doing; null when none is pending. */
export function cacheIndexing(ctx: AppContext, db: CacheDb): CacheIndexing | null {
  const pending = indexesStillToBuild(db).length;
  if (!pending) return null;
  const job = ctx.indexJob();
  return { pending, phase: job?.state === 'running' ? job.progress.phase : null, error: job?.state === 'failed' ? (job.error?.message ?? null) : null };
}

export const statusHandlers: HandlersFor<typeof statusContract> = {
  'status.get': async ({ refreshSource }, ctx) => {
    const db = ctx.cache();
    return {
      version: ctx.version,
      frontDoor: ctx.frontDoor,
      cache: { path: ctx.cachePath, schemaVersion: cacheSchemaVersion(db), tenants: tenantCounts(db), indexing: cacheIndexing(ctx, db) },
      source: await sourceStatus(ctx, refreshSource ?? false),
      secrets: { store: ctx.secrets.kind, note: ctx.secretsNote },
      checkedAt: new Date().toISOString(),
    };
  },
};
