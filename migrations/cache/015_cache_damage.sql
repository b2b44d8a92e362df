-- Damage to this file that a verdict or an export found (verify/cache-damage.ts): a cached
-- row that no longer matches the digest the sync stored with it. The verdicts stored before
-- it no longer speak for the cache, so every screen must stop showing them as current, no
-- package may be signed from the tenant, and --rebuild (the app's "Rebuild the cache") must
-- move the file aside although SQLite itself reads it well. A later verdict over the cache
-- that reads the same table's rows and finds them as synced (a chain's, or an intact seal)
-- clears it; the row stays, naming that report.
CREATE TABLE cache_damage (
  damage_id         INTEGER PRIMARY KEY,
  found_at          TEXT NOT NULL,
  table_name        TEXT NOT NULL,
  tenant_id         TEXT NOT NULL,
  row_ref           TEXT NOT NULL,
  message           TEXT NOT NULL,
  cleared_by_report INTEGER REFERENCES verify_reports(report_id)
);
CREATE INDEX cache_damage_open ON cache_damage (table_name, tenant_id) WHERE cleared_by_report IS NULL;
