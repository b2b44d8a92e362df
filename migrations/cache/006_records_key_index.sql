-- AuditDesk local cache, version 6: the records key becomes a named unique index.
-- A bulk first fill inserted every row into the UNIQUE (table_id, tenant_id,
-- source_key) constraint's automatic index: with random ids (uuids) that is a
-- random B-tree insert per row, more than half of the insert cost on a million rows.
-- A constraint's index cannot be dropped; a named UNIQUE INDEX can, so a first
-- fill (sync/deferred.ts) now builds it once at the end, with the other indexes.
-- Same columns, same rids, same uniqueness; the table is rebuilt once (SQLite
-- cannot drop a table constraint), and its indexes and triggers are created again.

CREATE TABLE records_v6 (
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
  sync_id         INTEGER NOT NULL REFERENCES syncs(sync_id)
);
INSERT INTO records_v6 SELECT * FROM records;
-- Drops the old table's indexes and triggers with it; the FTS index and the rollup
-- keep their rows (same rids, same values).
DROP TABLE records;
ALTER TABLE records_v6 RENAME TO records;

CREATE UNIQUE INDEX records_key ON records (table_id, tenant_id, source_key);
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
CREATE INDEX records_rid_kind_ts ON records (rid, kind, ts, tenant_id);

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

CREATE TRIGGER records_rollup_insert AFTER INSERT ON records BEGIN
  INSERT INTO records_rollup (k, ts, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
                              model_version, deployment_id, safety_mode, temperature_num, n)
  VALUES (
    json_array(CASE WHEN new.ts >= '1971-01-01T00:00:00.000000Z' AND new.ts < '2200-01-01T00:00:00.000000Z'
                    THEN substr(new.ts, 1, 10) || 'T00:00:00.000000Z' ELSE new.ts END,
               new.kind, new.tenant_id, new.agent_id, new.channel, new.event_type, new.severity, new.model_provider,
               new.model_name, new.model_version, new.deployment_id, new.safety_mode, new.temperature_num),
    CASE WHEN new.ts >= '1971-01-01T00:00:00.000000Z' AND new.ts < '2200-01-01T00:00:00.000000Z'
         THEN substr(new.ts, 1, 10) || 'T00:00:00.000000Z' ELSE new.ts END,
    new.kind, new.tenant_id, new.agent_id, new.channel, new.event_type, new.severity, new.model_provider,
    new.model_name, new.model_version, new.deployment_id, new.safety_mode, new.temperature_num, 1)
  ON CONFLICT (k) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER records_rollup_delete AFTER DELETE ON records BEGIN
  UPDATE records_rollup SET n = n - 1
   WHERE k = json_array(CASE WHEN old.ts >= '1971-01-01T00:00:00.000000Z' AND old.ts < '2200-01-01T00:00:00.000000Z'
                             THEN substr(old.ts, 1, 10) || 'T00:00:00.000000Z' ELSE old.ts END,
                        old.kind, old.tenant_id, old.agent_id, old.channel, old.event_type, old.severity, old.model_provider,
                        old.model_name, old.model_version, old.deployment_id, old.safety_mode, old.temperature_num);
END;

CREATE TRIGGER records_rollup_update AFTER UPDATE OF ts, kind, tenant_id, agent_id, channel, event_type, severity,
    model_provider, model_name, model_version, deployment_id, safety_mode, temperature_num ON records BEGIN
  UPDATE records_rollup SET n = n - 1
   WHERE k = json_array(CASE WHEN old.ts >= '1971-01-01T00:00:00.000000Z' AND old.ts < '2200-01-01T00:00:00.000000Z'
                             THEN substr(old.ts, 1, 10) || 'T00:00:00.000000Z' ELSE old.ts END,
                        old.kind, old.tenant_id, old.agent_id, old.channel, old.event_type, old.severity, old.model_provider,
                        old.model_name, old.model_version, old.deployment_id, old.safety_mode, old.temperature_num);
  INSERT INTO records_rollup (k, ts, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
                              model_version, deployment_id, safety_mode, temperature_num, n)
  VALUES (
    json_array(CASE WHEN new.ts >= '1971-01-01T00:00:00.000000Z' AND new.ts < '2200-01-01T00:00:00.000000Z'
                    THEN substr(new.ts, 1, 10) || 'T00:00:00.000000Z' ELSE new.ts END,
               new.kind, new.tenant_id, new.agent_id, new.channel, new.event_type, new.severity, new.model_provider,
               new.model_name, new.model_version, new.deployment_id, new.safety_mode, new.temperature_num),
    CASE WHEN new.ts >= '1971-01-01T00:00:00.000000Z' AND new.ts < '2200-01-01T00:00:00.000000Z'
         THEN substr(new.ts, 1, 10) || 'T00:00:00.000000Z' ELSE new.ts END,
    new.kind, new.tenant_id, new.agent_id, new.channel, new.event_type, new.severity, new.model_provider,
    new.model_name, new.model_version, new.deployment_id, new.safety_mode, new.temperature_num, 1)
  ON CONFLICT (k) DO UPDATE SET n = n + 1;
END;
