import type { statusContract, TenantCounts } from '../../contract/status.js';
import type { CacheDb } from '../../cache/open.js';
import { cacheSchemaVersion } from '../../cache/open.js';
import type { HandlersFor } from './types.js';
import { sourceStatus } from './source-status.js';

export function tenantCounts(db: CacheDb): TenantCounts[] {
  return db
    .prepare(
      `SELECT t.tenant_id AS tenant,
              (SELECT count(*) FROM records r WHERE r.tenant_id = t.tenant_id AND r.kind = 'event') AS events,
              (SELECT count(*) FROM records r WHERE r.tenant_id = t.tenant_id AND r.kind = 'conversation') AS conversations,
              (SELECT count(*) FROM anomalies a WHERE a.tenant_id = t.tenant_id) AS anomalies,
              (SELECT max(s.finished_at) FROM seals se JOIN syncs s ON s.sync_id = se.sync_id WHERE se.tenant_id = t.tenant_id) AS lastSyncAt
         FROM (SELECT DISTINCT tenant_id FROM records UNION SELECT DISTINCT tenant_id FROM anomalies) t
        ORDER BY t.tenant_id`,
    )
    .all() as TenantCounts[];
}

export const statusHandlers: HandlersFor<typeof statusContract> = {
  'status.get': async ({ refreshSource }, ctx) => {
    const db = ctx.cache();
    return {
      version: ctx.version,
      frontDoor: ctx.frontDoor,
      cache: { path: ctx.cachePath, schemaVersion: cacheSchemaVersion(db), tenants: tenantCounts(db) },
      source: await sourceStatus(ctx, refreshSource ?? false),
      checkedAt: new Date().toISOString(),
    };
  },
};
