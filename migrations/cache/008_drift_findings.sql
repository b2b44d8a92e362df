-- Drift findings (issue 19): a row that changed at the source after it was first
-- cached. A sync records each change once (the unique index below), with both
-- versions of the row, and never updates or deletes a finding afterwards: the
-- evidence stays until an auditor decides it, and after. The decision columns are
-- for the exceptions queue (issue 14), which fills them; a sync only inserts.
CREATE TABLE drift_findings (
  finding_id       INTEGER PRIMARY KEY,
  table_id         INTEGER NOT NULL REFERENCES source_tables(table_id),
  tenant_id        TEXT NOT NULL,
  source_key       TEXT NOT NULL,                 -- the row's id at the source
  change           TEXT NOT NULL CHECK (change IN ('modified', 'deleted', 'added')),
  detected_sync_id INTEGER NOT NULL REFERENCES syncs(sync_id),
  detected_at      TEXT NOT NULL,                 -- canonical UTC, when the sync saw it first
  earlier_digest   TEXT,                          -- NULL for 'added' (never cached before)
  later_digest     TEXT,                          -- NULL for 'deleted'
  -- The row's source values as JSON {"column": "text as printed"} in source column
  -- order, so rowDigest(columns, values) gives the digest beside it.
  earlier_values   TEXT,
  later_values     TEXT,
  status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
  decision         TEXT,
  decided_by       TEXT,
  decided_at       TEXT,
  decision_note    TEXT,
  CHECK ((status = 'open') = (decision IS NULL)),
  CHECK (change = 'added' OR earlier_digest IS NOT NULL),
  CHECK (change = 'deleted' OR later_digest IS NOT NULL)
);
-- "Recorded once": a row deleted at the source is seen again by every later sync
-- (its cached copy stays), and the same edit must not become a second finding.
CREATE UNIQUE INDEX drift_findings_once
  ON drift_findings (table_id, tenant_id, source_key, change, ifnull(earlier_digest, ''), ifnull(later_digest, ''));
-- verify and export list a tenant's findings in detection order.
CREATE INDEX drift_findings_tenant ON drift_findings (tenant_id, finding_id);
