// What an export reads from the cache: the tables behind the filtered records and
// the rows of each package file, in a fixed order so the same cache and filter
// always give the same bytes.
import type { CacheDb } from '../cache/open.js';
import type { MappedColumn, TableKind } from '../cache/record-mapping.js';
import { buildWhere, normaliseBound, recordFilterSchema, type RecordFilter, type RecordFilterInput } from '../records/filter.js';
import type { ChainProfile } from '../chain/profile.js';
import { chainProfileJson, profileFromJson } from '../cache/chain-profiles.js';
import { UserError } from '../util/errors.js';

export interface SourceTable {
  tableId: number;
  kind: TableKind;
  schema: string;
  name: string;
  columns: MappedColumn[];
  profile: ChainProfile;
  source: { fingerprint: string; label: string; databaseName: string; serverVersion: string };
}

/** Validates an export filter: exactly one tenant, bounds normalised. */
export function exportFilter(input: RecordFilterInput): RecordFilter & { tenant: [string] } {
  const parsed = recordFilterSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`invalid export filter: ${issue?.path.join('.') || 'filter'}: ${issue?.message}.`, 'E_INPUT');
  }
  const f = parsed.data;
  if (!f.tenant || f.tenant.length !== 1) {
    throw new UserError('an export covers exactly one tenant.', 'E_INPUT', 'Pass --tenant once.');
  }
  for (const k of ['from', 'to'] as const) {
    if (f[k] !== undefined) {
      try {
        f[k] = normaliseBound(f[k]!);
      } catch (e) {
        throw new UserError(`--${k}: ${(e as Error).message}.`, 'E_INPUT');
      }
    }
  }
  if (f.from && f.to && f.from >= f.to) throw new UserError(`--from ${f.from} is not before --to ${f.to}.`, 'E_INPUT');
  return f as RecordFilter & { tenant: [string] };
}

/** True when the filter keeps every event of the tenant's period (so missing seq numbers are findings). */
export function keepsWholeChain(f: RecordFilter): boolean {
  const narrowing: (keyof RecordFilter)[] = ['eventType', 'severity', 'user', 'agent', 'session', 'channel', 'modelProvider', 'modelName', 'modelVersion', 'deploymentId', 'safetyMode'];
  if (narrowing.some((k) => (f[k] as string[] | undefined)?.length)) return false;
  return f.temperatureMin === undefined && f.temperatureMax === undefined && f.minAnomalyScore === undefined && !f.text && f.kind !== 'conversation';
}

interface TableRow {
  table_id: number;
  kind: TableKind;
  schema_name: string;
  table_name: string;
  columns_json: string;
  profile_json: string | null;
  fingerprint: string;
  label: string;
  database_name: string;
  server_version: string;
}

/** `tenant`: whose chain the profile is read for (each tenant's recorded one, migration 009). */
export function loadTable(db: CacheDb, tableId: number, tenant?: string): SourceTable {
  const t = db
    .prepare(
      `SELECT t.table_id, t.kind, t.schema_name, t.table_name, t.columns_json, t.profile_json,
              s.fingerprint, s.label, s.database_name, s.server_version
         FROM source_tables t JOIN sources s ON s.source_id = t.source_id WHERE t.table_id = ?`,
    )
    .get(tableId) as TableRow | undefined;
  if (!t) throw new Error(`cache names table ${tableId} but has no source_tables row for it`);
  return {
    tableId: t.table_id,
    kind: t.kind,
    schema: t.schema_name,
    name: t.table_name,
    columns: JSON.parse(t.columns_json) as MappedColumn[],
    profile: profileFromJson(tenant === undefined ? t.profile_json : chainProfileJson(db, t.table_id, tenant)),
    source: { fingerprint: t.fingerprint, label: t.label, databaseName: t.database_name, serverVersion: t.server_version },
  };
}

/** The single table of `kind` that the selection touches; several (two sources) is refused. */
function oneTable(db: CacheDb, sql: string, params: unknown[], what: string, tenant?: string): SourceTable | null {
  const ids = db
    .prepare(sql)
    .pluck()
    .all(...params) as number[];
  if (ids.length > 1) {
    throw new UserError(`the selection spans ${ids.length} ${what} tables (several sources in one cache).`, 'E_INPUT', 'Export from a cache that holds one source.');
  }
  return ids.length ? loadTable(db, ids[0]!, tenant) : null;
}

export interface Selection {
  filter: RecordFilter & { tenant: [string] };
  tenant: string;
  events: { where: { sql: string; params: unknown[] }; table: SourceTable | null };
  conversations: { where: { sql: string; params: unknown[] }; table: SourceTable | null };
  anomalyTable: SourceTable | null;
  accessTable: SourceTable | null;
  /** Set for a data-subject export: the rows are the subject's, by SUBJECT_RULE. */
  subject: DataSubject | null;
  contiguous: boolean;
}

function whereFor(filter: RecordFilter, kind: 'event' | 'conversation') {
  if (filter.kind !== 'all' && filter.kind !== kind) return { sql: 'WHERE 0', params: [] };
  return buildWhere({ ...filter, kind });
}

/** A GDPR data-subject export (issue 15): one person's rows of the tenant, by the rule below. */
export interface DataSubject {
  userId: string;
  /** Conversation sessions the auditor ties to the subject: conversation logs carry no user id. */
  sessions: string[];
}

/** The rule a subject package states in its manifest and report, word for word. */
export const SUBJECT_RULE =
  'audit events and access-log rows whose user_id is the subject; conversation logs carry no user id, so only the conversations of the sessions named with the subject are included, and other conversations about the subject may exist';

export function select(db: CacheDb, input: RecordFilterInput, subject?: DataSubject): Selection {
  const filter = exportFilter(input);
  const tenant = filter.tenant[0];
  if (subject && (filter.user?.length || filter.session?.length)) {
    throw new UserError(
      'a data-subject export chooses its rows by the subject: it takes no user or session filter.',
      'E_USAGE',
      "Drop --user/--session; name the subject's sessions with --subject-session.",
    );
  }
  const ew = subject ? buildWhere({ ...filter, kind: 'event', user: [subject.userId] }) : whereFor(filter, 'event');
  const cw = subject ? (subject.sessions.length ? buildWhere({ ...filter, kind: 'conversation', session: subject.sessions }) : { sql: 'WHERE 0', params: [] }) : whereFor(filter, 'conversation');
  const events = oneTable(db, `SELECT DISTINCT r.table_id FROM records r ${ew.sql}`, ew.params, 'events', tenant);
  const conversations = oneTable(db, `SELECT DISTINCT r.table_id FROM records r ${cw.sql}`, cw.params, 'conversation');
  const anomalyTable = oneTable(db, 'SELECT DISTINCT table_id FROM anomalies WHERE tenant_id = ?', [tenant], 'anomaly');
  const accessTable = oneTable(db, 'SELECT DISTINCT table_id FROM access_log WHERE tenant_id = ?', [tenant], 'access-log');
  return {
    filter,
    tenant,
    events: { where: ew, table: events },
    conversations: { where: cw, table: conversations },
    anomalyTable,
    accessTable,
    subject: subject ?? null,
    contiguous: !subject && keepsWholeChain(filter),
  };
}

const RECORD_FIELDS = new Set([
  'source_key',
  'tenant_id',
  'ts',
  'seq',
  'prev_hash',
  'hash',
  'event_type',
  'entity_type',
  'entity_id',
  'severity',
  'user_id',
  'ip_address',
  'action_details',
  'agent_id',
  'session_id',
  'channel',
  'prompt',
  'response',
  'model_info',
  'model_provider',
  'model_name',
  'model_version',
  'deployment_id',
  'temperature',
  'temperature_num',
  'safety_mode',
  'model_config',
  'extra',
  'digest',
]);

/** Only the columns a file needs: records rows are wide, and 100k full rows are mostly garbage to collect. */
function columnList(fields: Iterable<string>): string {
  const wanted = [...new Set(fields)].filter((f) => RECORD_FIELDS.has(f));
  return wanted.map((f) => `r.${f}`).join(', ');
}

/** Statements for each file, read with safeIntegers so bigint seq stays exact. */
export function eventRows(db: CacheDb, s: Selection, fields: Iterable<string>) {
  return db.prepare(`SELECT ${columnList(fields)} FROM records r ${s.events.where.sql} ORDER BY r.seq, r.rid`).safeIntegers(true);
}

export function conversationRows(db: CacheDb, s: Selection, fields: Iterable<string>) {
  return db.prepare(`SELECT ${columnList(fields)} FROM records r ${s.conversations.where.sql} ORDER BY r.ts, r.source_key, r.rid`).safeIntegers(true);
}

/** Anomalies of the exported events (an anomaly belongs to the package when its event does). */
export function anomalyRows(db: CacheDb, s: Selection) {
  return db
    .prepare(
      `SELECT a.* FROM anomalies a
        WHERE a.tenant_id = ? AND a.audit_event_id IN (SELECT r.source_key FROM records r ${s.events.where.sql})
        ORDER BY a.detected_at, a.source_key, a.aid`,
    )
    .safeIntegers(true);
}

export const REVIEW_COLUMNS = ['review_id', 'anomaly_key', 'tenant_id', 'decision', 'note', 'reviewer', 'meaning', 'reviewed_at'] as const;

export function reviewRows(db: CacheDb, s: Selection) {
  return db
    .prepare(
      `SELECT ${REVIEW_COLUMNS.join(', ')} FROM reviews
        WHERE tenant_id = ? AND anomaly_key IN (
          SELECT a.source_key FROM anomalies a
           WHERE a.tenant_id = ? AND a.audit_event_id IN (SELECT r.source_key FROM records r ${s.events.where.sql}))
        ORDER BY reviewed_at, review_id`,
    )
    .safeIntegers(true);
}

/** Reads of the tenant's data within the export period. */
export function accessWhere(s: Selection): { sql: string; params: unknown[] } {
  const parts = ['tenant_id = ?'];
  const params: unknown[] = [s.tenant];
  if (s.subject) {
    parts.push('user_id = ?');
    params.push(s.subject.userId);
  }
  if (s.filter.from) {
    parts.push('accessed_at >= ?');
    params.push(s.filter.from);
  }
  if (s.filter.to) {
    parts.push('accessed_at < ?');
    params.push(s.filter.to);
  }
  return { sql: `WHERE ${parts.join(' AND ')}`, params };
}

export function accessRows(db: CacheDb, s: Selection) {
  const w = accessWhere(s);
  return { stmt: db.prepare(`SELECT * FROM access_log ${w.sql} ORDER BY accessed_at, source_key, lid`).safeIntegers(true), params: w.params };
}
