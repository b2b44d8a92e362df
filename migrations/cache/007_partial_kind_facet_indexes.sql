-- AuditDesk local cache, version 7: facet indexes hold only the rows that have the facet.
-- Events have no agent, channel, model or temperature; conversations have no event
-- type or severity. Their (facet, ts) indexes held an entry for every row anyway, all
-- with a NULL key: on a million demo events, eight indexes of 35 MB each that no
-- query reads (facet filters are `col IN (…)` or a temperature range, which imply
-- `col IS NOT NULL`, so SQLite uses these partial indexes for them; counts per facet
-- value come from records_rollup). Building them after a first fill took ~0.7 s each;
-- a partial one over rows that do not have the facet ~0.2 s (only the table scan).
-- user_id and session_id keep full indexes: their facet counts group records by them.
DROP INDEX IF EXISTS records_agent;
DROP INDEX IF EXISTS records_channel;
DROP INDEX IF EXISTS records_event_type;
DROP INDEX IF EXISTS records_severity;
DROP INDEX IF EXISTS records_model_provider;
DROP INDEX IF EXISTS records_model_name;
DROP INDEX IF EXISTS records_model_version;
DROP INDEX IF EXISTS records_deployment;
DROP INDEX IF EXISTS records_safety_mode;
DROP INDEX IF EXISTS records_temperature;
CREATE INDEX records_agent ON records (agent_id, ts) WHERE agent_id IS NOT NULL;
CREATE INDEX records_channel ON records (channel, ts) WHERE channel IS NOT NULL;
CREATE INDEX records_event_type ON records (event_type, ts) WHERE event_type IS NOT NULL;
CREATE INDEX records_severity ON records (severity, ts) WHERE severity IS NOT NULL;
CREATE INDEX records_model_provider ON records (model_provider, ts) WHERE model_provider IS NOT NULL;
CREATE INDEX records_model_name ON records (model_name, ts) WHERE model_name IS NOT NULL;
CREATE INDEX records_model_version ON records (model_version, ts) WHERE model_version IS NOT NULL;
CREATE INDEX records_deployment ON records (deployment_id, ts) WHERE deployment_id IS NOT NULL;
CREATE INDEX records_safety_mode ON records (safety_mode, ts) WHERE safety_mode IS NOT NULL;
CREATE INDEX records_temperature ON records (temperature_num, ts) WHERE temperature_num IS NOT NULL;
