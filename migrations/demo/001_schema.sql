-- Demo tenant source database (issue 2): the shape of the production systems our
-- users audit (see /work/shared/context), not of AuditDesk's own cache.
-- Applied once by `auditdesk demo` as the cluster's superuser, before the data load.
-- The generator hashes the exact text it COPYs in and relies on this column set:
-- adding a column to audit_logs changes every payload, so bump the file (002_…) instead.

CREATE TABLE conversation_audit_logs (
  id             uuid PRIMARY KEY,
  tenant_id      text NOT NULL,
  agent_id       text NOT NULL,
  session_id     text NOT NULL,
  channel        text NOT NULL,
  prompt         text,
  response       text,
  model_info     text,
  "timestamp"    timestamptz NOT NULL,
  -- Model metadata (model-metadata-feature.md): added later, so all nullable;
  -- rows written before that migration have NULL here.
  model_provider text,
  model_name     text,
  model_version  text,
  deployment_id  text,
  temperature    text,
  safety_mode    text,
  model_config   jsonb
);

-- Hash-chained per tenant (docs/hash-chain.md, profile jcs-sha256-v1).
CREATE TABLE audit_logs (
  id             uuid PRIMARY KEY,
  seq            bigint NOT NULL,
  tenant_id      text NOT NULL,
  event_type     text NOT NULL,
  entity_type    text,
  entity_id      text,
  severity       text NOT NULL,
  user_id        text,
  action_details jsonb,
  ip_address     text,
  created_at     timestamptz NOT NULL,
  prev_hash      text NOT NULL,
  hash           text NOT NULL,
  CONSTRAINT audit_logs_tenant_seq_key UNIQUE (tenant_id, seq)
);

CREATE TABLE audit_anomalies (
  id             uuid PRIMARY KEY,
  audit_event_id uuid NOT NULL REFERENCES audit_logs (id),
  tenant_id      text NOT NULL,
  anomaly_score  numeric(5,4) NOT NULL CHECK (anomaly_score BETWEEN 0 AND 1),
  detected_at    timestamptz NOT NULL,
  detector       text NOT NULL,
  features       jsonb,
  model_version  text
);

CREATE TABLE audit_access_log (
  id               uuid PRIMARY KEY,
  tenant_id        text NOT NULL,
  user_id          text NOT NULL,
  access_type      text NOT NULL,
  query_parameters jsonb,
  accessed_at      timestamptz NOT NULL
);

-- Source-side indexes the way the production guide sets them up: time windows per tenant.
CREATE INDEX conversation_audit_logs_tenant_time_idx ON conversation_audit_logs (tenant_id, "timestamp");
CREATE INDEX audit_logs_tenant_time_idx ON audit_logs (tenant_id, created_at);
CREATE INDEX audit_anomalies_event_idx ON audit_anomalies (audit_event_id);
CREATE INDEX audit_anomalies_tenant_time_idx ON audit_anomalies (tenant_id, detected_at);
CREATE INDEX audit_access_log_tenant_time_idx ON audit_access_log (tenant_id, accessed_at);

-- The source system promises append-only audit logs. A superuser can still switch this
-- off (ALTER TABLE … DISABLE TRIGGER), which is exactly what the planted tampering does.
CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_immutable
  BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();

CREATE TRIGGER audit_logs_no_truncate
  BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();

-- Tenant isolation: a session sees only the tenant named in app.current_tenant_id,
-- and nothing at all when it is unset (current_setting(…, true) is then NULL).
ALTER TABLE conversation_audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_audit_logs FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_anomalies ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_anomalies FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_access_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_access_log FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON conversation_audit_logs
  USING (tenant_id = current_setting('app.current_tenant_id', true));
CREATE POLICY tenant_isolation ON audit_logs
  USING (tenant_id = current_setting('app.current_tenant_id', true));
CREATE POLICY tenant_isolation ON audit_anomalies
  USING (tenant_id = current_setting('app.current_tenant_id', true));
CREATE POLICY tenant_isolation ON audit_access_log
  USING (tenant_id = current_setting('app.current_tenant_id', true));

-- The auditor's role: log in, read, nothing else. Its password is set by the
-- generator (random per demo folder), never here.
CREATE ROLE auditor_ro LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE auditor_ro SET default_transaction_read_only = on;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO auditor_ro;
GRANT SELECT ON conversation_audit_logs, audit_logs, audit_anomalies, audit_access_log TO auditor_ro;
