-- Drift findings a rebuild carried over from the cache file it set aside
-- (verify/carry-over.ts). A rebuilt cache is filled from the source as it is now, so a
-- change recorded before the rebuild (a conversation edited, an anomaly deleted) is found
-- by nothing else: without these rows it would vanish from every later verdict and
-- package. They are kept apart from drift_findings because their table and sync ids are
-- those of the file set aside: the table is named here, and the ids stay as recorded there.
CREATE TABLE drift_findings_carried (
  carried_id         INTEGER PRIMARY KEY,
  carried_from       TEXT NOT NULL,                 -- the file set aside, by its name (the folder is the cache's)
  carried_at         TEXT NOT NULL,                 -- canonical UTC, the rebuild
  finding_id         INTEGER NOT NULL,              -- its id in that file
  detected_sync_id   INTEGER NOT NULL,              -- the sync of that file that recorded it
  source_fingerprint TEXT NOT NULL,
  table_kind         TEXT NOT NULL CHECK (table_kind IN ('events', 'conversations', 'anomalies', 'access')),
  schema_name        TEXT NOT NULL,
  table_name         TEXT NOT NULL,
  -- the table's columns when the finding was recorded: its digests are over these
  columns_json       TEXT NOT NULL,
  tenant_id          TEXT NOT NULL,
  source_key         TEXT NOT NULL,
  change             TEXT NOT NULL CHECK (change IN ('modified', 'deleted', 'added')),
  detected_at        TEXT NOT NULL,
  earlier_digest     TEXT,
  later_digest       TEXT,
  earlier_values     TEXT,
  later_values       TEXT,
  CHECK (change = 'added' OR earlier_digest IS NOT NULL),
  CHECK (change = 'deleted' OR later_digest IS NOT NULL)
);
CREATE INDEX drift_findings_carried_tenant ON drift_findings_carried (tenant_id, carried_id);
-- Evidence, like drift_findings (012): never edited, never removed.
CREATE TRIGGER drift_findings_carried_kept BEFORE DELETE ON drift_findings_carried BEGIN
  SELECT RAISE(ABORT, 'drift findings are kept: decide them in the exceptions queue instead');
END;
CREATE TRIGGER drift_findings_carried_unchanged BEFORE UPDATE ON drift_findings_carried BEGIN
  SELECT RAISE(ABORT, 'a carried drift finding stays as it was carried');
END;
