// The event drawer (every field of one record, its chain position and earlier
// versions) and the conversation view (a session's turns in time order).
import type { CacheDb } from '../cache/open.js';
import type { RecordDetail, RecordVersion, Thread, ThreadTurn } from '../contract/records.js';
import { UserError } from '../util/errors.js';
import { SUMMARY_COLUMNS, stmt, toSummary, type SummaryRow } from './sql.js';
import { chainStatusOf } from './chain-status.js';

/** Internal bookkeeping columns the drawer does not list as fields. */
const HIDDEN_FIELDS = new Set(['extra', 'temperature_num']);

/** `ownKeyId`: the reading data folder's auditor key id, to tell its own verdicts from others' (chain-status.ts). */
export function getRecord(db: CacheDb, rid: number, ownKeyId: string | null): RecordDetail {
  const raw = stmt(db, 'SELECT * FROM records WHERE rid = ?').safeIntegers(true).get(rid) as Record<string, string | number | bigint | null> | undefined;
  if (!raw) throw new UserError(`record ${rid} is not in the cache.`, 'E_NOT_FOUND', 'Sync again or clear the filter.');
  const summaryRow = stmt(db, `SELECT ${SUMMARY_COLUMNS} FROM records r WHERE r.rid = ?`).get(rid) as SummaryRow;
  const table = stmt(db, 'SELECT schema_name, table_name FROM source_tables WHERE table_id = ?').get(Number(raw.table_id)) as { schema_name: string; table_name: string } | undefined;

  const fields: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (HIDDEN_FIELDS.has(k)) continue;
    fields[k] = typeof v === 'bigint' ? exactNumber(v) : v;
  }
  const extraFields = parseObject(raw.extra);
  const str = (k: string) => (raw[k] === null || raw[k] === undefined ? null : String(raw[k]));
  const isConversation = raw.kind === 'conversation';

  const anomalies = isConversation
    ? []
    : (stmt(
        db,
        `SELECT source_key AS anomalyKey, anomaly_score AS score, detector, detected_at AS detectedAt
             FROM anomalies WHERE audit_event_id = ? AND tenant_id = ? ORDER BY anomaly_score DESC`,
      ).all(str('source_key'), str('tenant_id')) as RecordDetail['anomalies']);

  const versions = (
    stmt(
      db,
      `SELECT version_id, superseded_at, superseded_by_sync, digest, row_json FROM record_versions
        WHERE table_id = ? AND tenant_id = ? AND source_key = ? ORDER BY version_id DESC`,
    ).all(Number(raw.table_id), str('tenant_id'), str('source_key')) as {
      version_id: number;
      superseded_at: string;
      superseded_by_sync: number;
      digest: string;
      row_json: string;
    }[]
  ).map((v): RecordVersion => ({
    versionId: v.version_id,
    supersededAt: v.superseded_at,
    supersededBySync: v.superseded_by_sync,
    digest: v.digest,
    row: parseObject(v.row_json) as Record<string, unknown>,
  }));

  return {
    summary: toSummary(summaryRow),
    fields,
    extraFields: extraFields as Record<string, string | null>,
    model: isConversation
      ? {
          provider: str('model_provider'),
          name: str('model_name'),
          version: str('model_version'),
          deploymentId: str('deployment_id'),
          temperature: str('temperature'),
          safetyMode: str('safety_mode'),
          modelInfo: str('model_info'),
        }
      : null,
    pretty: {
      actionDetails: prettyJson(str('action_details')),
      modelConfig: prettyJson(str('model_config')),
      modelInfo: prettyJson(str('model_info')),
    },
    source: {
      schema: table?.schema_name ?? '',
      table: table?.table_name ?? '',
      sourceKey: String(raw.source_key),
      syncId: Number(raw.sync_id),
      digest: String(raw.digest),
    },
    chain: isConversation
      ? null
      : {
          seq: raw.seq === null ? null : Number(raw.seq),
          prevHash: str('prev_hash'),
          hash: str('hash'),
          ...chainStatusOf(
            db,
            {
              tableId: Number(raw.table_id),
              tableName: table ? (table.schema_name === 'public' ? table.table_name : `${table.schema_name}.${table.table_name}`) : '',
              tenant: String(raw.tenant_id),
              seq: raw.seq === null ? null : BigInt(raw.seq),
              sourceKey: String(raw.source_key),
            },
            ownKeyId,
          ),
        },
    anomalies,
    versions,
  };
}

export function getThread(db: CacheDb, tenant: string, sessionId: string, limit: number): Thread {
  const rows = stmt(
    db,
    `SELECT rid, ts, agent_id, channel, prompt, response, model_provider, model_name, model_version, temperature, safety_mode
       FROM records r WHERE r.session_id = ? AND r.tenant_id = ? AND r.kind = 'conversation'
      ORDER BY r.ts ASC, r.rid ASC LIMIT ?`,
  ).all(sessionId, tenant, limit + 1) as {
    rid: number;
    ts: string | null;
    agent_id: string | null;
    channel: string | null;
    prompt: string | null;
    response: string | null;
    model_provider: string | null;
    model_name: string | null;
    model_version: string | null;
    temperature: string | null;
    safety_mode: string | null;
  }[];
  const truncated = rows.length > limit;
  if (truncated) rows.pop();
  const turns: ThreadTurn[] = rows.map((r) => ({
    rid: r.rid,
    ts: r.ts,
    agentId: r.agent_id,
    channel: r.channel,
    prompt: r.prompt,
    response: r.response,
    modelProvider: r.model_provider,
    modelName: r.model_name,
    modelVersion: r.model_version,
    temperature: r.temperature,
    safetyMode: r.safety_mode,
  }));
  return { tenant, sessionId, turns, truncated };
}

/** JSON text → 2-space pretty text; anything that does not parse is shown as stored. */
export function prettyJson(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function parseObject(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || !text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** bigint from a safeIntegers read: a number when exact, else its decimal text. */
function exactNumber(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}
