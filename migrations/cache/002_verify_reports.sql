-- AuditDesk local cache, version 2: stored verification results.
-- integrity.report reads the latest verdict per chain or sealed table; the timeline
-- reads verify_breaks to show a row's chain status. Append-only: every run adds a
-- report, so earlier verdicts stay available as evidence.

CREATE TABLE verify_reports (
  report_id          INTEGER PRIMARY KEY,
  checked_at         TEXT NOT NULL,
  target             TEXT NOT NULL CHECK (target IN ('source', 'cache', 'source+cache')),
  source_fingerprint TEXT,
  intact             INTEGER NOT NULL CHECK (intact IN (0, 1)),
  report_json        TEXT NOT NULL           -- the whole report (docs/verify-report.md)
);
CREATE INDEX verify_reports_time ON verify_reports (checked_at);

-- One verdict per chain (events table + tenant) or sealed table + tenant per run.
CREATE TABLE verify_results (
  result_id    INTEGER PRIMARY KEY,
  report_id    INTEGER NOT NULL REFERENCES verify_reports(report_id),
  what         TEXT NOT NULL CHECK (what IN ('chain', 'seal')),
  table_name   TEXT NOT NULL,
  tenant_id    TEXT NOT NULL,
  intact       INTEGER NOT NULL CHECK (intact IN (0, 1)),
  row_count    INTEGER NOT NULL,
  break_count  INTEGER NOT NULL,
  last_seq     INTEGER,                      -- chains: the last seq verified
  checked_at   TEXT NOT NULL,
  result_json  TEXT NOT NULL                 -- the report's entry for this chain or table
);
CREATE INDEX verify_results_latest ON verify_results (table_name, tenant_id, what, result_id);

-- Every listed break of a run, addressable by row (seq or source id).
CREATE TABLE verify_breaks (
  report_id   INTEGER NOT NULL REFERENCES verify_reports(report_id),
  result_id   INTEGER NOT NULL REFERENCES verify_results(result_id),
  table_name  TEXT NOT NULL,
  tenant_id   TEXT NOT NULL,
  seq         INTEGER,
  source_key  TEXT,
  kind        TEXT NOT NULL,
  explanation TEXT NOT NULL
);
CREATE INDEX verify_breaks_seq ON verify_breaks (table_name, tenant_id, seq);
CREATE INDEX verify_breaks_key ON verify_breaks (table_name, tenant_id, source_key);
