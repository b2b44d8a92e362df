// The hash-chain profile each cached chain was written with (migration 009). Sync
// records it; verify --cache, the app and export read it, so a chain written with
// jcs-exact-sha256-v2 is verified and packaged with v2 without --profile.
import type { CacheDb } from './open.js';
import { JCS_SHA256_V1, type ChainProfile } from '../chain/profile.js';
import { parseProfile } from '../chain/profile-file.js';

export function recordChainProfile(db: CacheDb, tableId: number, tenant: string, profile: ChainProfile): void {
  db.prepare(
    `INSERT INTO chain_profiles (table_id, tenant_id, profile_json, recorded_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (table_id, tenant_id) DO UPDATE SET profile_json = excluded.profile_json, recorded_at = excluded.recorded_at
     WHERE chain_profiles.profile_json IS NOT excluded.profile_json`,
  ).run(tableId, tenant, JSON.stringify(profile), new Date().toISOString());
}

/** The chain's recorded profile as JSON text: the tenant's own, else the table's, else null (v1). */
export function chainProfileJson(db: CacheDb, tableId: number, tenant: string): string | null {
  const row = db
    .prepare(
      `SELECT coalesce((SELECT profile_json FROM chain_profiles WHERE table_id = st.table_id AND tenant_id = ?), st.profile_json) AS profile_json
         FROM source_tables st WHERE st.table_id = ?`,
    )
    .get(tenant, tableId) as { profile_json: string | null } | undefined;
  return row?.profile_json ?? null;
}

export function chainProfileOf(db: CacheDb, tableId: number, tenant: string): ChainProfile {
  return profileFromJson(chainProfileJson(db, tableId, tenant));
}

export function profileFromJson(json: string | null): ChainProfile {
  return json ? parseProfile(JSON.parse(json)) : JCS_SHA256_V1;
}
