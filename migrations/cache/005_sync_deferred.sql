-- Index and full-text work a bulk sync deferred to its end (building indexes once is
-- several times faster than maintaining them row by row). The statements to put
-- back are recorded in the same transaction that drops them, so a sync killed
-- mid-way leaves a note here and the next sync (or cache open) restores them.
CREATE TABLE deferred_schema (
  name       TEXT PRIMARY KEY,               -- index or trigger name, or 'records_fts:rebuild'
  kind       TEXT NOT NULL CHECK (kind IN ('index', 'trigger', 'fts-rebuild')),
  sql        TEXT,                           -- the CREATE statement to run again
  created_at TEXT NOT NULL
);
