-- AuditDesk local cache, version 3: what the timeline needs to stay fast on a
-- million rows, and a guard that keeps anomaly reviews append-only.
--
-- records_rollup: row counts per day and per combination of the low-cardinality
-- facet columns, kept exact by triggers on records. Facet counts, totals and the
-- day-step histogram read this (tens of thousands of rows) instead of scanning the
-- records table. Filters on user, session, text, anomaly score or times inside a
-- day still go to records. `ts` holds the day start (canonical UTC) for dated rows
-- and the raw value for missing/sentinel timestamps, so the shared filter SQL
-- (r.ts >= ? AND r.ts < ?) means the same here as on records for day bounds.

CREATE TABLE records_rollup (
  k               TEXT PRIMARY KEY,           -- json_array of every column below except n
  ts              TEXT,
  kind            TEXT NOT NULL,
  tenant_id       TEXT NOT NULL,
  agent_id        TEXT,
  channel         TEXT,
  event_type      TEXT,
  severity        TEXT,
  model_provider  TEXT,
  model_name      TEXT,
  model_version   TEXT,
  deployment_id   TEXT,
  safety_mode     TEXT,
  temperature_num REAL,
  n               INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO records_rollup (k, ts, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
                            model_version, deployment_id, safety_mode, temperature_num, n)
SELECT json_array(d, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
                  model_version, deployment_id, safety_mode, temperature_num),
       d, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
       model_version, deployment_id, safety_mode, temperature_num, count(*)
  FROM (SELECT CASE WHEN ts >= '1971-01-01T00:00:00.000000Z' AND ts < '2200-01-01T00:00:00.000000Z'
                    THEN substr(ts, 1, 10) || 'T00:00:00.000000Z' ELSE ts END AS d, *
          FROM records)
 GROUP BY d, kind, tenant_id, agent_id, channel, event_type, severity, model_provider, model_name,
          model_version, deployment_id, safety_mode, temperature_num;

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

-- Reviews are evidence of the auditor's decisions: a new decision adds a row, nothing
-- edits or removes one (the latest row per anomaly is the current decision).
CREATE TRIGGER reviews_append_only_update BEFORE UPDATE ON reviews BEGIN
  SELECT RAISE(ABORT, 'reviews are append-only: record a new decision instead');
END;
CREATE TRIGGER reviews_append_only_delete BEFORE DELETE ON reviews BEGIN
  SELECT RAISE(ABORT, 'reviews are append-only: record a new decision instead');
END;
