// Demo plantings for the controls (issue 15): after the data load and the tampering,
// break some of the source's promises in one tenant and keep them in another, so every
// per-tenant control has a failing and a passing case, and say which in the ground truth.
// Deterministic: ids derive from md5 of fixed text, rows are chosen by seq and time.
import type pg from 'pg';
import { TENANTS } from './catalog.js';
import type { ExpectedControl, GroundTruth, PlantedControls } from './ground-truth.js';

export const DLQ_FILE = 'audit_dlq_fallback.jsonl';
export const NOT_FORCED_TABLE = 'audit_anomalies';
const DESCRIBED_TENANT = 'globex-bank';
const UNANNOUNCED = { tenant: 'acme-pharma', agent: 'regulatory-qa-prod', version: '2024-05-13' };
const DLQ_TENANT = 'initech-ai';
/** Never in audit_logs: the dead-lettered event that was lost. */
const LOST_EVENT_ID = '5f0c3a52-9d1e-4c7b-8a6f-0d4e2b1c9a77';

export async function plantControlCases(client: pg.Client, incidents: GroundTruth['incidents'], tamperedTenant: string): Promise<PlantedControls> {
  await client.query(`ALTER TABLE ${NOT_FORCED_TABLE} NO FORCE ROW LEVEL SECURITY`);
  const uncovered = await logExports(client, incidents.nightExport.ids, incidents.nightExport.tenant);
  await describeEveryConversation(client, DESCRIBED_TENANT);
  const change = await changeModelSilently(client);
  const dlq = await deadLetters(client);

  const expected: ExpectedControl[] = [];
  const add = (tenant: string, control: string, status: 'fail' | 'warn', why: string) => expected.push({ tenant, control, status, why });
  for (const t of TENANTS) {
    add(t.id, 'rls.policy', 'warn', `${NOT_FORCED_TABLE} has row-level security without FORCE`);
    add(t.id, 'encryption.ip_address', 'fail', 'the demo stores IP addresses in plaintext');
    if (t.id !== DESCRIBED_TENANT) add(t.id, 'ai.model_traceability', 'fail', 'conversations written before the metadata migration have no model metadata');
  }
  add(tamperedTenant, 'chain.intact', 'fail', 'planted tampering (modified and deleted rows)');
  add(uncovered.tenant, 'access_log.coverage', 'fail', 'the 3 a.m. exports have no access-log row');
  add(incidents.highTemperature.tenant, 'ai.temperature', 'fail', `${incidents.highTemperature.agent_id} ran at temperature ${incidents.highTemperature.temperature}`);
  add(incidents.relaxedProductionAgent.tenant, 'ai.safety_mode', 'fail', `${incidents.relaxedProductionAgent.agent_id} ran with safety_mode relaxed`);
  add(incidents.apiKeyInModelConfig.tenant, 'ai.secrets', 'fail', 'an API key inside model_config');
  if (change) add(change.tenant, 'ai.config_change_logged', 'fail', `${change.agent_id} moved to model version ${change.to_version} without an event`);
  add(dlq.tenant, 'dlq.reconciled', 'fail', `one event of ${DLQ_FILE} was never persisted`);
  const order = (e: ExpectedControl) => `${e.tenant}\n${e.control}`;
  expected.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { dlq, uncoveredExports: uncovered, notForcedTable: NOT_FORCED_TABLE, describedTenant: DESCRIBED_TENANT, unannouncedChange: change, expected };
}

/** An access-log row of type export for every export event but the night batch. */
async function logExports(client: pg.Client, nightIds: string[], tenant: string): Promise<{ tenant: string; ids: string[] }> {
  await client.query(
    `INSERT INTO audit_access_log (id, tenant_id, user_id, access_type, query_parameters, accessed_at)
     SELECT md5('controls-access-export:' || id::text)::uuid, tenant_id, user_id, 'export',
            jsonb_build_object('audit_event_id', id::text), created_at + make_interval(secs => 1 + seq % 60)
       FROM audit_logs
      WHERE event_type = 'export' AND user_id IS NOT NULL AND NOT (id = ANY($1::uuid[]))`,
    [nightIds],
  );
  return { tenant, ids: [...nightIds] };
}

/** Backfills the legacy conversation rows of one tenant with its agents' metadata, as a migration would. */
async function describeEveryConversation(client: pg.Client, tenantId: string): Promise<void> {
  const tenant = TENANTS.find((t) => t.id === tenantId)!;
  for (const a of tenant.agents) {
    await client.query(
      `UPDATE conversation_audit_logs
          SET model_provider = $3, model_name = $4, model_version = $5, deployment_id = $6, temperature = $7, safety_mode = $8, model_config = $9::jsonb
        WHERE tenant_id = $1 AND agent_id = $2 AND model_provider IS NULL`,
      [tenant.id, a.id, a.provider, a.model, a.version, a.deploymentId, a.temperature, a.safetyMode, a.modelConfig],
    );
  }
}

/**
 * From its latest conversation that no config_change/model_deploy event could announce
 * (none since the agent's previous row nor in the 24 h before), the agent runs a new model version.
 */
async function changeModelSilently(client: pg.Client): Promise<PlantedControls['unannouncedChange']> {
  const { tenant, agent, version } = UNANNOUNCED;
  const r = await client.query<{ id: string; ts: string; from_version: string }>(
    `WITH d AS (
       SELECT id, "timestamp" AS ts, model_version, lag("timestamp") OVER (ORDER BY "timestamp", id) AS prev_ts
         FROM conversation_audit_logs WHERE tenant_id = $1 AND agent_id = $2 AND model_provider IS NOT NULL)
     SELECT id::text, ts::text, model_version AS from_version FROM d
      WHERE prev_ts IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM audit_logs e
         WHERE e.tenant_id = $1 AND e.event_type IN ('config_change', 'model_deploy')
           AND (e.entity_id = $2 OR e.action_details->>'agent' = $2 OR e.action_details->>'agent_id' = $2)
           AND e.created_at <= d.ts AND e.created_at >= LEAST(d.prev_ts, d.ts - interval '24 hours'))
      ORDER BY ts DESC, id DESC LIMIT 1`,
    [tenant, agent],
  );
  const row = r.rows[0];
  if (!row) return null;
  await client.query(
    `UPDATE conversation_audit_logs SET model_version = $3
      WHERE tenant_id = $1 AND agent_id = $2 AND model_provider IS NOT NULL AND ("timestamp", id) >= ($4::timestamptz, $5::uuid)`,
    [tenant, agent, version, row.ts, row.id],
  );
  return { tenant, agent_id: agent, from_version: row.from_version, to_version: version, first_id: row.id, at: row.ts };
}

/** Two dead-lettered events that were persisted later (one found by id, one by its fields) and one that was lost. */
async function deadLetters(client: pg.Client): Promise<PlantedControls['dlq']> {
  const r = await client.query<{ id: string; seq: string; event_type: string; entity_type: string | null; entity_id: string | null; user_id: string | null; at: string }>(
    `SELECT id::text, seq::text, event_type, entity_type, entity_id, user_id,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
       FROM audit_logs WHERE tenant_id = $1 AND seq IN (100, 200) ORDER BY seq`,
    [DLQ_TENANT],
  );
  const [byId, byMatch] = r.rows;
  if (!byId || !byMatch) throw new Error(`tenant ${DLQ_TENANT} has too few events to plant dead letters`);
  const event = (e: typeof byId, withId: boolean, at: string) => ({
    ...(withId ? { id: e.id } : {}),
    tenant_id: DLQ_TENANT,
    event_type: e.event_type,
    entity_type: e.entity_type,
    entity_id: e.entity_id,
    user_id: e.user_id,
    created_at: at,
  });
  // The writer retried after the DLQ entry; the row that persisted has a slightly later time.
  const earlier = new Date(Date.parse(byMatch.at) - 400).toISOString();
  const lost = {
    id: LOST_EVENT_ID,
    tenant_id: DLQ_TENANT,
    event_type: 'delete',
    entity_type: 'document',
    entity_id: 'DOC-LOST-0001',
    user_id: TENANTS.find((t) => t.id === DLQ_TENANT)!.admins[0]!,
    created_at: '2026-09-29T23:58:12.000000Z',
  };
  const lines = [
    JSON.stringify({ dlq_type: 'fallback', error: 'connection reset by peer', failed_at: byId.at, event: event(byId, true, byId.at) }),
    JSON.stringify({ dlq_type: 'fallback', error: 'statement timeout', failed_at: earlier, event: event(byMatch, false, earlier) }),
    JSON.stringify({ dlq_type: 'fallback', error: 'disk full', failed_at: lost.created_at, event: lost }),
  ];
  return { file: DLQ_FILE, lines, tenant: DLQ_TENANT, persistedById: [byId.id], persistedByMatch: [byMatch.id], lost: [{ line: 3, entity_id: lost.entity_id }] };
}
