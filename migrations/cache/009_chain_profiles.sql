-- AuditDesk local cache, version 9: which hash-chain profile each tenant's chain was
-- written with (issue 20). The profile belongs to the chain, not to the table: one
-- audit_logs table may hold tenants written under jcs-sha256-v1 beside tenants written
-- under jcs-exact-sha256-v2, and a verification or export with the wrong one either
-- reports every row modified or inherits v1's blind spots silently. Recorded by sync
-- (--profile, --profile-map, or "profiles" in the mapping); a chain without a row here
-- falls back to source_tables.profile_json, then jcs-sha256-v1.
CREATE TABLE chain_profiles (
  table_id     INTEGER NOT NULL REFERENCES source_tables(table_id),
  tenant_id    TEXT NOT NULL,
  profile_json TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  PRIMARY KEY (table_id, tenant_id)
);
