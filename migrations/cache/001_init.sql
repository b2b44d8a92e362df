-- AuditDesk local cache, version 1.
-- Shipped migrations are never edited; later changes go in 002_*.sql and up.
--
-- Values that feed a hash are stored exactly as the source printed them
-- (timestamps as canonical UTC text with microseconds, jsonb as text, numbers as
-- text), so the cache can recompute every hash offline.

CREATE TABLE sources (
  source_id         INTEGER PRIMARY KEY,
  fingerprint       TEXT NOT NULL UNIQUE,      -- sha256 of system identifier + database
  system_identifier TEXT NOT NULL,
  database_name     TEXT NOT NULL,
  server_version    TEXT NOT NULL,
  label             TEXT NOT NULL,             -- host:port/db, never a password
  first_seen_at     TEXT NOT NULL
);

-- One row per source table we pulled; columns_json keeps the source's column
-- order and types, which the hash payload needs.
CREATE TABLE source_tables (
  table_id     INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(source_id),
  kind         TEXT NOT NULL CHECK (kind IN ('events', 'conversations', 'anomalies', 'access')),
  schema_name  TEXT NOT NULL,
  table_name   TEXT NOT NULL,
  columns_json TEXT NOT NULL,                  -- [{"name","type","field"}]: field is our name or null (extra)
  profile_json TEXT,                           -- hash-chain profile for events tables
  UNIQUE (source_id, kind, schema_name, table_name)
);

CREATE TABLE syncs (
  sync_id      INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(source_id),
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  rows_fetched INTEGER NOT NULL DEFAULT 0,
  rows_changed INTEGER NOT NULL DEFAULT 0,
  message      TEXT
);

-- System audit events and AI conversation logs share one table so the timeline,
-- facets and full-text search are one indexed query.
CREATE TABLE records (
  rid             INTEGER PRIMARY KEY,
  table_id        INTEGER NOT NULL REFERENCES source_tables(table_id),
  kind            TEXT NOT NULL CHECK (kind IN ('event', 'conversation')),
  source_key      TEXT NOT NULL,               -- the row's id at the source
  tenant_id       TEXT NOT NULL,
  ts              TEXT,                        -- canonical UTC YYYY-MM-DDTHH:MM:SS.ffffffZ
  -- events
  seq             INTEGER,
  prev_hash       TEXT,
  hash            TEXT,
  event_type      TEXT,
  entity_type     TEXT,
  entity_id       TEXT,
  severity        TEXT,
  user_id         TEXT,
  ip_address      TEXT,
  action_details  TEXT,
  -- conversations
  agent_id        TEXT,
  session_id      TEXT,
  channel         TEXT,
  prompt          TEXT,
  response        TEXT,
  model_info      TEXT,
  model_provider  TEXT,
  model_name      TEXT,
  model_version   TEXT,
  deployment_id   TEXT,
  temperature     TEXT,
  temperature_num REAL,                        -- numeric view of temperature for range filters; NULL if not a number
  safety_mode     TEXT,
  model_config    TEXT,
  -- columns the app does not know, {"name": "text as printed"}; they take part in hashes
  extra           TEXT,
  digest          TEXT NOT NULL,               -- sha256 of the JCS of every column
  sync_id         INTEGER NOT NULL REFERENCES syncs(sync_id),
  UNIQUE (table_id, tenant_id, source_key)
);

CREATE INDEX records_chain ON records (table_id, tenant_id, seq);
CREATE INDEX records_tenant_ts ON records (tenant_id, ts);
CREATE INDEX records_kind_ts ON records (kind, ts);
CREATE INDEX records_ts ON records (ts);
CREATE INDEX records_agent ON records (agent_id, ts);
CREATE INDEX records_session ON records (session_id, ts);
CREATE INDEX records_channel ON records (channel, ts);
CREATE INDEX records_event_type ON records (event_type, ts);
CREATE INDEX records_severity ON records (severity, ts);
CREATE INDEX records_user ON records (user_id, ts);
CREATE INDEX records_model_provider ON records (model_provider, ts);
CREATE INDEX records_model_name ON records (model_name, ts);
CREATE INDEX records_model_version ON records (model_version, ts);
CREATE INDEX records_deployment ON records (deployment_id, ts);
CREATE INDEX records_safety_mode ON records (safety_mode, ts);
CREATE INDEX records_temperature ON records (temperature_num, ts);

-- Earlier versions of rows that changed at the source after we cached them.
-- Evidence is never overwritten silently: the old row moves here.
CREATE TABLE record_versions (
  version_id   INTEGER PRIMARY KEY,
  rid          INTEGER NOT NULL,
  table_id     INTEGER NOT NULL,
  tenant_id    TEXT NOT NULL,
  source_key   TEXT NOT NULL,
  row_json     TEXT NOT NULL,                  -- the full cached row as it was
  digest       TEXT NOT NULL,
  superseded_by_sync INTEGER NOT NULL REFERENCES syncs(sync_id),
  superseded_at TEXT NOT NULL
);
CREATE INDEX record_versions_key ON record_versions (table_id, tenant_id, source_key);

CREATE VIRTUAL TABLE records_fts USING fts5(
  prompt, response, action_details, entity_type, entity_id, event_type, user_id,
  content='records', content_rowid='rid', tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
  INSERT INTO records_fts(rowid, prompt, response, action_details, entity_type, entity_id, event_type, user_id)
  VALUES (new.rid, new.prompt, new.response, new.action_details, new.entity_type, new.entity_id, new.event_type, new.user_id);
END;
CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
  INSERT INTO records_fts(records_fts, rowid, prompt, response, action_details, entity_type, entity_id, event_type, user_id)
  VALUES ('delete', old.rid, old.prompt, old.response, old.action_details, old.entity_type, old.entity_id, old.event_type, old.user_id);
END;
CREATE TRIGGER records_fts_update AFTER UPDATE ON records BEGIN
  INSERT INTO records_fts(records_fts, rowid, prompt, response, action_details, entity_type, entity_id, event_type, user_id)
  VALUES ('delete', old.rid, old.prompt, old.response, old.action_details, old.entity_type, old.entity_id, old.event_type, old.user_id);
  INSERT INTO records_fts(rowid, prompt, response, action_details, entity_type, entity_id, event_type, user_id)
  VALUES (new.rid, new.prompt, new.response, new.action_details, new.entity_type, new.entity_id, new.event_type, new.user_id);
END;

CREATE TABLE anomalies (
  aid            INTEGER PRIMARY KEY,
  table_id       INTEGER NOT NULL REFERENCES source_tables(table_id),
  source_key     TEXT NOT NULL,
  tenant_id      TEXT NOT NULL,
  audit_event_id TEXT,
  anomaly_score  REAL,
  score_text     TEXT,
  detected_at    TEXT,
  detector       TEXT,
  features       TEXT,
  model_version  TEXT,
  extra          TEXT,
  digest         TEXT NOT NULL,
  sync_id        INTEGER NOT NULL REFERENCES syncs(sync_id),
  UNIQUE (table_id, tenant_id, source_key)
);
CREATE INDEX anomalies_score ON anomalies (tenant_id, anomaly_score DESC);
CREATE INDEX anomalies_event ON anomalies (audit_event_id);

CREATE TABLE access_log (
  lid              INTEGER PRIMARY KEY,
  table_id         INTEGER NOT NULL REFERENCES source_tables(table_id),
  source_key       TEXT NOT NULL,
  tenant_id        TEXT NOT NULL,
  user_id          TEXT,
  access_type      TEXT,
  query_parameters TEXT,
  accessed_at      TEXT,
  extra            TEXT,
  digest           TEXT NOT NULL,
  sync_id          INTEGER NOT NULL REFERENCES syncs(sync_id),
  UNIQUE (table_id, tenant_id, source_key)
);
CREATE INDEX access_log_ts ON access_log (tenant_id, accessed_at);

-- Keyset watermark per table and tenant: where the next incremental sync resumes.
CREATE TABLE watermarks (
  table_id   INTEGER NOT NULL REFERENCES source_tables(table_id),
  tenant_id  TEXT NOT NULL,
  last_seq   INTEGER,
  last_ts    TEXT,
  last_key   TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (table_id, tenant_id)
);

-- What a sync saw, committed to by a Merkle root (docs/hash-chain.md#seals).
CREATE TABLE seals (
  seal_id            INTEGER PRIMARY KEY,
  sync_id            INTEGER NOT NULL REFERENCES syncs(sync_id),
  source_fingerprint TEXT NOT NULL,
  table_id           INTEGER NOT NULL REFERENCES source_tables(table_id),
  tenant_id          TEXT NOT NULL,
  first_key          TEXT,
  last_key           TEXT,
  row_count          INTEGER NOT NULL,
  merkle_root        TEXT NOT NULL,
  head_seq           INTEGER,
  head_hash          TEXT,
  created_at         TEXT NOT NULL
);

-- Signed chain heads recorded by sync and verify, or imported from an external anchor.
CREATE TABLE checkpoints (
  checkpoint_id INTEGER PRIMARY KEY,
  origin        TEXT NOT NULL CHECK (origin IN ('sync', 'verify', 'external')),
  source_fingerprint TEXT,
  table_name    TEXT NOT NULL,
  tenant_id     TEXT NOT NULL,
  last_seq      INTEGER NOT NULL,
  head_hash     TEXT NOT NULL,
  merkle_root   TEXT,
  row_count     INTEGER,
  created_at    TEXT NOT NULL,
  body_json     TEXT NOT NULL,                 -- the exact bytes that were signed
  signature     TEXT,                          -- base64 Ed25519 over body_json
  public_key    TEXT                           -- base64 raw Ed25519 public key
);
CREATE INDEX checkpoints_chain ON checkpoints (table_name, tenant_id, last_seq);

-- The auditor's anomaly decisions: recorded here, never in the source.
CREATE TABLE reviews (
  review_id   INTEGER PRIMARY KEY,
  anomaly_key TEXT NOT NULL,
  tenant_id   TEXT NOT NULL,
  decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'false_positive')),
  note        TEXT NOT NULL CHECK (length(trim(note)) > 0),
  reviewer    TEXT NOT NULL,
  meaning     TEXT NOT NULL,                   -- Part 11 §11.50: the meaning of the signature
  reviewed_at TEXT NOT NULL
);
CREATE INDEX reviews_anomaly ON reviews (tenant_id, anomaly_key);

CREATE TABLE saved_filters (
  name        TEXT PRIMARY KEY,
  filter_json TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
