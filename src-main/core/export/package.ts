// Writes a signed compliance package (issue 5, docs/package-format.md).
//
// Every file is first written into a private work folder beside --out (0700, same
// file system, so the finished ZIP is renamed into place, never copied), and only a
// complete, signed ZIP is renamed to --out. A cancel (AbortSignal) or any failure
// removes the work folder, so nothing is ever left at --out; the folder of an export
// that was killed outright is removed by the next export into the same folder. Rows are streamed from SQLite into the CSV writers; only counts,
// findings and the capped PDF appendix stay in memory.
import { createHash, sign } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import yazl from 'yazl';
import type { CacheDb } from '../cache/open.js';
import { cachedRowRef, fromRecord, UnreadableCachedRow, type CacheRow, type MappedColumn } from '../cache/record-mapping.js';
import { typeCategory, type ColumnType } from '../chain/canonical.js';
import { makeDualEncoder, makeRowDigester } from '../chain/row-digest.js';
import { MerkleBuilder } from '../chain/merkle.js';
import { JCS_SHA256_V1 } from '../chain/profile.js';
import { jcs, type JsonValue } from '../chain/canonical.js';
import type { RecordFilterInput } from '../records/filter.js';
import { UserError } from '../util/errors.js';
import { toolVersion } from '../util/version.js';
import { certPem, type LoadedIdentity } from '../identity/identity.js';
import { bindingProblem } from './signer-trust.js';
import { PackageIntegrity, type IntegrityEntry, type ManifestAnchor } from './integrity.js';
import { listCheckpoints } from '../verify/checkpoints.js';
import { chainTableName } from '../verify/adapters.js';
import { CachedRowDamaged, cachedRowDamaged, openCacheDamage, recordCacheDamage } from '../verify/cache-damage.js';
import { CsvFileWriter, FORMULA_TRIGGERS } from '../util/csv.js';
import { PACKAGE_FORMAT, serialiseManifest, type Manifest, type ManifestColumn, type ManifestFile } from './manifest.js';
import {
  renderReport,
  type AnomalyLine,
  type AppendixRow,
  type ConversationLine,
  type DecisionLine,
  type ConfigFinding,
  type ControlsSection,
  type Count,
  type ReportData,
  type SecretFinding,
} from './report-pdf.js';
import type { ControlsReport } from '../controls/engine.js';
import { CONVERSATION_HEADER, PACKAGE_FILES, UNNAMED_FILES } from './package-files.js';
import { chainEvidenceFiles, previousNeedsWholeChain, readVerifyPage, type PreviousOutcome } from './chain-evidence.js';
import { previousPackageAnchor, readPreviousPackage } from './previous-package.js';
import { minisignSignature } from './minisign.js';
import type { ChainLeafCollector } from '../chain/chain-leaves.js';
import { chainOrigin } from '../chain/tlog-checkpoint.js';
export { CONVERSATION_HEADER, PACKAGE_FILES };
import { PRIVATE_FILE_MODE } from '../util/private-files.js';
import { VERIFICATION_FORMAT, type VerificationFile } from './integrity.js';
import { CHANGES_COLUMNS, CHANGES_FILE, changesCells, driftInScope, summariseDrift } from './changes.js';
import { latestSeal } from '../sync/index.js';
import { loadTable } from './select.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import { reviewPackageFiles } from '../review/package-files.js';
import { journalExport } from '../journal/journal-events.js';
import { exceptionQueue } from '../review/queue.js';
import { lookAlikes } from '../util/printable.js';
import { cachedTenantIds } from '../cache/tenant-ids.js';
import type { DecisionView } from '../contract/review.js';
import { accessRows, accessWhere, anomalyRows, conversationRows, eventRows, REVIEW_COLUMNS, reviewRows, select, SUBJECT_RULE, type DataSubject, type Selection, type SourceTable } from './select.js';

/** Header cell → cache field, in header order. */
/** Conversations listed with their prompts in the PDF (conversation_logs.csv holds all of them). */
const CONVERSATION_APPENDIX_CAP = 200;

const CONVERSATION_FIELDS = [
  'source_key',
  'ts',
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
  'safety_mode',
  'model_config',
] as const;

const DEFAULT_SOURCE_NAMES: Record<string, ColumnType> = {
  source_key: { name: 'id', type: 'uuid' },
  ts: { name: 'timestamp', type: 'timestamptz' },
  model_config: { name: 'model_config', type: 'jsonb' },
};

/** The issue-2 audit_logs columns, for a package without an events table in its selection. */
const DEFAULT_EVENT_COLUMNS: MappedColumn[] = [
  ['id', 'uuid', 'source_key'],
  ['seq', 'int8', 'seq'],
  ['tenant_id', 'text', 'tenant_id'],
  ['event_type', 'text', 'event_type'],
  ['entity_type', 'text', 'entity_type'],
  ['entity_id', 'text', 'entity_id'],
  ['severity', 'text', 'severity'],
  ['user_id', 'text', 'user_id'],
  ['action_details', 'jsonb', 'action_details'],
  ['ip_address', 'text', 'ip_address'],
  ['created_at', 'timestamptz', 'ts'],
  ['prev_hash', 'text', 'prev_hash'],
  ['hash', 'text', 'hash'],
].map(([name, type, field]) => ({ name: name!, type: type!, field: field! }));

export interface ExportProgress {
  phase: 'events' | 'conversations' | 'anomalies' | 'reviews' | 'access' | 'report' | 'sign' | 'zip' | 'done';
  done: number;
  total: number | null;
}

export interface ExportOptions {
  db: CacheDb;
  filter: RecordFilterInput;
  identity: LoadedIdentity;
  out: string;
  /** Fixed creation time (ISO) for reproducible packages; default now. */
  createdAt?: string;
  /** Neutralise spreadsheet formulas in text cells (default true). */
  neutraliseFormulas?: boolean;
  /** Events listed in the PDF appendix (default 10,000). */
  appendixCap?: number;
  /** Anomalies at or above this score are listed in the PDF (default 0.7). */
  anomalyThreshold?: number;
  /** "provider/model/version" or bare versions the organisation approved; omitted = no list. */
  approvedVersions?: string[];
  /** Overwrite an existing --out (default: refuse). */
  overwrite?: boolean;
  /**
   * The package exported on an earlier visit: the new one then carries an RFC 6962
   * consistency proof from that package's checkpoint (docs/tlog-evidence.md).
   */
  previous?: string;
  /** Signs the reviewer journal's head (journal-head.json): every package carries the journal and its signed head. */
  auditorKey: AuditorKey;
  /** A GDPR data-subject export: the subject's rows only (select.ts SUBJECT_RULE), a subset package checked row by row. */
  subject?: DataSubject;
  /** A controls report (`auditdesk controls --json`): the exported tenant's verdicts get a section in the PDF. */
  controls?: ControlsReport;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
  /** Test hook: called after each phase, so tests can fail an export midway. */
  afterPhase?: (phase: ExportProgress['phase']) => void;
}

export interface ExportResult {
  out: string;
  packageId: string;
  createdAt: string;
  signerFingerprint: string;
  files: ManifestFile[];
  counts: Record<string, number>;
  integrity: { intact: boolean | null; breaks: number };
  /** With `previous`: whether this chain extends the earlier package's, and where not. */
  previous: PreviousOutcome | null;
  /** drift findings in the package (changes.csv), those on the hash-chained table, and the sentence that states them */
  drift: { findings: number; chainRows: number; statement: string | null };
  /** the source the package's rows came from (as in its manifest); null for a selection without rows */
  source: { label: string; fingerprint: string } | null;
}

/** Work folders are named `<prefix><pid>-<random>`: the pid tells a live export's folder from a killed one's. */
const WORK_PREFIX = '.auditdesk-export-';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes work folders (plaintext CSVs) left beside --out by an export that was killed before it could clean up. */
function removeStaleWorkFolders(folder: string): void {
  for (const name of readdirSync(folder)) {
    const m = new RegExp(`^${WORK_PREFIX.replace(/\./g, '\\.')}(\\d+)-`).exec(name);
    if (m && !isRunning(Number(m[1]))) rmSync(join(folder, name), { recursive: true, force: true });
  }
}

/** A full disk in the export's own words: which file, that nothing was written, how much is free. */
function diskFull(e: unknown, out: string): UserError | null {
  if ((e as { code?: unknown } | null)?.code !== 'ENOSPC') return null;
  const file = (e as { path?: unknown }).path;
  let free = 'unknown';
  try {
    const fs = statfsSync(dirname(out));
    free = `${Math.floor((fs.bavail * fs.bsize) / (1 << 20))} MB`;
  } catch {
    // the free space is a hint; the error stands without it
  }
  return new UserError(
    `the disk is full: the export could not write ${typeof file === 'string' ? basename(file) : 'its work files'} beside ${out}, and nothing was written (${free} free there).`,
    'E_DISK_FULL',
    'Free some space in that folder (a package needs about the size of its CSVs), then run the export again.',
  );
}

function controlsFor(report: ControlsReport | undefined, tenant: string): ControlsSection | null {
  const mine = report?.tenants.find((t) => t.tenant === tenant);
  if (!report || !mine) return null;
  return { checkedAt: report.checkedAt, source: report.source, policy: report.policy, controls: mine.controls.map(({ id, status, summary }) => ({ id, status, summary })) };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserError('export cancelled; nothing was written.', 'E_CANCELLED');
}

function bump(map: Map<string, number>, key: string | null | undefined): void {
  const k = key ?? '(none)';
  map.set(k, (map.get(k) ?? 0) + 1);
}

function sortedCounts(map: Map<string, number>, byLabel = false): Count[] {
  const list = [...map].map(([label, n]) => ({ label, n }));
  return byLabel ? list.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)) : list.sort((a, b) => b.n - a.n || (a.label < b.label ? -1 : 1));
}

const SECRET_PATTERNS: RegExp[] = [/\bsk-[A-Za-z0-9_-]{8,}/g, /("(?:api[_-]?key|apikey|secret|token|password|access[_-]?key|auth)"\s*:\s*")([^"]+)(")/gi, /\bAKIA[0-9A-Z]{16}\b/g];

/** model_config with secrets replaced; null when it holds none. */
export function redactConfigSecrets(config: string): string | null {
  let found = false;
  let out = config;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (...m: string[]) => {
      found = true;
      return m.length > 5 && m[2] !== undefined && m[1]?.startsWith('"') ? `${m[1]}[REDACTED]${m[3]}` : '[REDACTED]';
    });
  }
  return found ? out : null;
}

/** Same inputs → same id: a digest of what defines the package. */
function packageIdOf(parts: JsonValue): string {
  const h = createHash('sha256').update(jcs(parts)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function normaliseCreatedAt(value: string | undefined): string {
  const d = value === undefined ? new Date() : new Date(value);
  if (Number.isNaN(d.getTime()) || (value !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(value))) {
    throw new UserError(`--created-at "${value}" is not an ISO date-time.`, 'E_INPUT', 'Use e.g. 2026-01-31T12:00:00Z.');
  }
  // Whole seconds: the PDF and ZIP timestamps cannot hold more.
  return `${d.toISOString().slice(0, 19)}Z`;
}

function manifestColumns(cols: readonly ColumnType[], headers: readonly string[], neutralise: boolean): ManifestColumn[] {
  return cols.map((c, i) => ({ header: headers[i]!, name: c.name, type: c.type, neutralised: neutralise && typeCategory(c.type) === 'text' }));
}

const REVIEW_TYPES: ColumnType[] = REVIEW_COLUMNS.map((name) => ({ name, type: name === 'review_id' ? 'int8' : 'text' }));

class ConfigGroups {
  private groups = new Map<string, ConfigFinding>();
  add(row: CacheRow, value: string | null): void {
    const s = (k: string) => (row[k] === null || row[k] === undefined ? null : String(row[k]));
    const key = JSON.stringify([s('agent_id'), s('model_provider'), s('model_name'), s('model_version'), s('deployment_id'), value]);
    const g = this.groups.get(key);
    if (g) g.count++;
    else {
      this.groups.set(key, {
        agent: s('agent_id'),
        provider: s('model_provider'),
        model: s('model_name'),
        version: s('model_version'),
        deployment: s('deployment_id'),
        value,
        count: 1,
        firstLogId: String(row.source_key),
      });
    }
  }
  list(): ConfigFinding[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count || (a.firstLogId < b.firstLogId ? -1 : 1));
  }
}

export async function writePackage(opts: ExportOptions): Promise<ExportResult> {
  const { db, signal } = opts;
  const createdAt = normaliseCreatedAt(opts.createdAt);
  refuseUnwritableTarget(opts);
  const s = select(db, opts.filter, opts.subject);
  removeStaleWorkFolders(dirname(opts.out));
  const work = mkdtempSync(join(dirname(opts.out), `${WORK_PREFIX}${process.pid}-`));
  const open: CsvFileWriter[] = [];
  const run: PackageRun = {
    opts,
    db,
    s,
    work,
    open,
    createdAt,
    neutraliseOn: opts.neutraliseFormulas ?? true,
    cap: opts.appendixCap ?? 10_000,
    threshold: opts.anomalyThreshold ?? 0.7,
    progress: (p) => opts.onProgress?.(p),
    phaseDone: (phase) => {
      checkAbort(signal);
      opts.afterPhase?.(phase);
    },
  };
  try {
    checkAbort(signal);
    // The earlier visit's package, read first: its chain head anchors this chain's check.
    if (opts.previous && !s.contiguous) throw previousNeedsWholeChain();
    const previous = opts.previous ? await readPreviousPackage(opts.previous) : null;
    const data = await writeDataFiles(run, previous ? previousPackageAnchor(previous) : null);
    const id = packageIdentity(run);
    const evidence = await writeEvidenceFiles(run, data, id, previous);
    await writeReportPdf(run, data, id, previous);
    const manifest = manifestOf(run, data, id);
    const manifestBytes = signManifest(run, manifest, id.packageId);
    await zipIntoPlace(run, data.files, manifestBytes, id.packageId);
    return exportResult(run, data, id, manifest, evidence.previous);
  } catch (e) {
    for (const w of open) w.destroy();
    // Kept past this export, so no screen goes on showing the verdicts given before as current.
    if (e instanceof CachedRowDamaged && !db.readonly) recordCacheDamage(db, e.damage);
    if (signal?.aborted && !(e instanceof UserError && e.code === 'E_CANCELLED')) {
      throw new UserError('export cancelled; nothing was written.', 'E_CANCELLED');
    }
    throw diskFull(e, opts.out) ?? e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One package write's shared state: its options, selection, work folder, and the CSV writers to close on failure. */
interface PackageRun {
  opts: ExportOptions;
  db: CacheDb;
  s: Selection;
  work: string;
  open: CsvFileWriter[];
  createdAt: string;
  neutraliseOn: boolean;
  cap: number;
  threshold: number;
  progress(p: ExportProgress): void;
  phaseDone(phase: ExportProgress['phase']): void;
}

/** Refused before anything is written: an existing package, a missing folder, an identity whose two keys are not bound. */
function refuseUnwritableTarget(opts: ExportOptions): void {
  const { identity } = opts;
  if (!opts.overwrite && existsSync(opts.out)) {
    throw new UserError(`${opts.out} already exists.`, 'E_EXISTS', 'Choose another file name (a package is never overwritten) or remove the old package first.');
  }
  if (!existsSync(dirname(opts.out)) || !statSync(dirname(opts.out)).isDirectory()) {
    throw new UserError(`folder ${dirname(opts.out)} does not exist.`, 'E_INPUT', 'Create that folder or choose another place for the package.');
  }
  const problem = bindingProblem(identity.signingCertDer, identity.pdfCertDer);
  if (problem) {
    throw new UserError(
      `identity ${identity.info.fingerprint} cannot sign packages that verify: ${problem}.`,
      'E_IDENTITY',
      'Create a new identity (auditdesk identity create, or Export → New identity); identities made before AuditDesk bound their two keys cannot be used.',
    );
  }
}

/** Phase 1, the data: every CSV (events checked as they are written), the reviewer journal files and changes.csv. */
async function writeDataFiles(run: PackageRun, previousAnchor: ReturnType<typeof previousPackageAnchor> | null) {
  const { opts, db, s, work, open, neutraliseOn, cap, threshold, createdAt, progress, phaseDone } = run;
  const { signal } = opts;
  const files: ManifestFile[] = [];
  const counts: Record<string, number> = {};
  const report = emptyReportParts();

  // audit_events.csv: every source column, in chain order, checked as it is written.
  const ev = await writeEvents(s, db, work, neutraliseOn, cap, open, signal, progress, report, previousAnchor, opts.auditorKey.publicKeyRaw);
  files.push(ev.file);
  counts.events = ev.file.rows!;
  phaseDone('events');

  const conv = await writeConversations(s, db, work, neutraliseOn, open, signal, progress, report, opts.approvedVersions);
  files.push(conv);
  counts.conversations = conv.rows!;
  phaseDone('conversations');

  const an = await writeAnomalies(s, db, work, neutraliseOn, threshold, open, signal, report);
  files.push(an);
  counts.anomalies = an.rows!;
  phaseDone('anomalies');

  const rv = await writeGeneric(
    join(work, PACKAGE_FILES.reviews),
    PACKAGE_FILES.reviews,
    REVIEW_TYPES,
    REVIEW_TYPES.map((c) => c.name),
    neutraliseOn,
    open,
    signal,
    reviewRows(db, s)
      .raw(true)
      .iterate(s.tenant, s.tenant, ...s.events.where.params) as IterableIterator<unknown[]>,
    (r) => r.map((v) => (v === null ? null : String(v))),
  );
  files.push(rv);
  counts.reviews = rv.rows!;
  phaseDone('reviews');

  if (s.accessTable) {
    const { stmt, params } = accessRows(db, s);
    const cols = s.accessTable.columns;
    const asStored = storedDigestCheck(db, s.accessTable, s.tenant);
    const ac = await writeGeneric(
      join(work, PACKAGE_FILES.access),
      PACKAGE_FILES.access,
      cols,
      cols.map((c) => c.name),
      neutraliseOn,
      open,
      signal,
      stmt.iterate(...params) as IterableIterator<CacheRow>,
      (r) => asStored.values(cols, r),
      asStored,
    );
    if (ac.rows) {
      files.push(ac);
      counts.accessLog = ac.rows;
    } else rmSync(join(work, PACKAGE_FILES.access));
  }
  phaseDone('access');

  // The reviewer journal, its signed head and the signed decisions (issue 14).
  for (const f of reviewPackageFiles(db, opts.auditorKey, new Date(createdAt))) files.push(writeSmall(work, f.name, f.bytes, f.mediaType));

  // changes.csv: only when rows of the package changed at the source after they were cached.
  const drift = driftInScope(db, s);
  const driftSummary = summariseDrift(drift, (tableId) => loadTable(db, tableId).columns);
  if (drift.length) {
    const ch = await writeGeneric(
      join(work, CHANGES_FILE),
      CHANGES_FILE,
      CHANGES_COLUMNS,
      CHANGES_COLUMNS.map((c) => c.name),
      neutraliseOn,
      open,
      signal,
      drift[Symbol.iterator](),
      changesCells,
    );
    files.push(ch);
    counts.changes = ch.rows!;
  }
  return { files, counts, report, ev, drift, driftSummary };
}

type DataFiles = Awaited<ReturnType<typeof writeDataFiles>>;

/** What names the package: its query, source, chain profile and the id derived from them. */
function packageIdentity(run: PackageRun) {
  const { opts, s, createdAt } = run;
  const { identity } = opts;
  const source = (s.events.table ?? s.conversations.table ?? s.anomalyTable)?.source ?? null;
  const profile = s.events.table?.profile ?? JCS_SHA256_V1;
  const query = {
    tenant: s.tenant,
    period: { from: s.filter.from ?? null, to: s.filter.to ?? null },
    filter: s.filter,
    wholeChain: s.contiguous,
    // Only in subject packages, so every other package's query (and id) stays as it was.
    ...(s.subject ? { subject: { userId: s.subject.userId, sessions: s.subject.sessions, rule: SUBJECT_RULE } } : {}),
  };
  const packageId = packageIdOf({ query: query as unknown as JsonValue, createdAt, source: source?.fingerprint ?? null, signer: identity.info.fingerprint });
  return { packageId, query, source, profile };
}

type PackageIdentity = ReturnType<typeof packageIdentity>;

/** Phase 2, the evidence: verification.json, signer.pem, the chain's checkpoint and proofs, verify.html. */
async function writeEvidenceFiles(run: PackageRun, data: DataFiles, id: PackageIdentity, previous: Awaited<ReturnType<typeof readPreviousPackage>> | null) {
  const { opts, s, work, createdAt } = run;
  const { identity } = opts;
  const { files, ev, driftSummary } = data;
  const { profile, source } = id;
  const verification: VerificationFile = {
    format: VERIFICATION_FORMAT,
    profile: profile.name,
    generatedAt: createdAt,
    scope: s.contiguous ? 'whole-period' : 'filtered',
    // The same root as the manifest's (files[].merkleRoot and chain.merkleRoot): one value, never null beside it.
    tenants: ev.chain ? [{ ...ev.chain, merkleRoot: ev.file.merkleRoot ?? null }] : [],
    drift: driftSummary,
  };
  files.push(writeSmall(work, PACKAGE_FILES.verification, Buffer.from(`${JSON.stringify(verification, null, 2)}\n`), 'application/json'));

  const signerPem = Buffer.from(certPem(identity.signingCertDer));
  files.push(writeSmall(work, PACKAGE_FILES.signer, signerPem, 'application/x-pem-file'));
  const evidence = await chainEvidenceFiles({ leaves: ev.leaves, origin: chainOrigin(source?.fingerprint ?? null, s.tenant, ev.chain?.table ?? ''), identity, previous });
  for (const e of evidence.files) files.push(writeSmall(work, e.name, e.bytes, e.mediaType));
  files.push(writeSmall(work, PACKAGE_FILES.verifyPage, readVerifyPage(), 'text/html'));
  return evidence;
}

/** Phase 3, report.pdf: everything above, for a reader, signed with the PDF certificate. */
async function writeReportPdf(run: PackageRun, written: DataFiles, id: PackageIdentity, previous: Awaited<ReturnType<typeof readPreviousPackage>> | null): Promise<void> {
  const { opts, db, s, work, createdAt, cap, threshold, progress, phaseDone } = run;
  const { identity } = opts;
  const { files, counts, report, ev, drift, driftSummary } = written;
  const { packageId, query, source } = id;
  // report.pdf
  progress({ phase: 'report', done: 0, total: null });
  const data: ReportData = {
    packageId,
    createdAt,
    toolVersion: toolVersion(),
    tenant: s.tenant,
    tenantLooksLike: lookAlikeInCache(db, s.tenant),
    period: query.period,
    filterLines: filterLines(s),
    auditor: { ...identity.info },
    source: source ? { label: source.label, fingerprint: source.fingerprint } : null,
    counts: [
      { label: 'Audit events', n: counts.events ?? 0 },
      { label: 'Conversations', n: counts.conversations ?? 0 },
      { label: 'Anomalies', n: counts.anomalies ?? 0 },
      { label: `Anomalies with score >= ${threshold}`, n: report.anomaliesAboveTotal },
      { label: 'Auditor reviews', n: counts.reviews ?? 0 },
      { label: 'Access-log entries', n: counts.accessLog ?? 0 },
      { label: 'Rows changed at the source after first cached (changes.csv)', n: counts.changes ?? 0 },
    ],
    eventsPerDay: sortedCounts(report.perDay, true),
    eventsByType: sortedCounts(report.byType),
    eventsBySeverity: sortedCounts(report.bySeverity),
    conversationsByProvider: sortedCounts(report.byProvider),
    conversationsByVersion: sortedCounts(report.byVersion),
    integrity: ev.chain ? { ...ev.chain, merkleRoot: ev.file.merkleRoot ?? null } : null,
    contiguous: s.contiguous,
    anomalyThreshold: threshold,
    anomaliesAbove: report.anomaliesAbove,
    anomaliesAboveTotal: report.anomaliesAboveTotal,
    highTemperature: report.highTemp.list(),
    relaxedSafety: report.relaxed.list(),
    unapprovedVersions: opts.approvedVersions?.length ? report.unapproved.list() : null,
    approvedVersions: opts.approvedVersions ?? [],
    secrets: report.secrets,
    appendix: report.appendix,
    appendixCap: cap,
    appendixTotal: counts.events ?? 0,
    files: [...files].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => ({ name: f.name, rows: f.rows, sha256: f.sha256 })),
    controls: controlsFor(opts.controls, s.tenant),
    drift: { summary: driftSummary, lines: drift.slice(0, cap).map((f) => ({ table: f.table, key: f.key, kind: f.change, detectedAt: f.detectedAt, status: f.status })) },
    span: exportedSpan(db, s),
    subject: s.subject ? { ...s.subject, rule: SUBJECT_RULE } : null,
    review: reviewAtExport(db, s.tenant, threshold),
    conversations: { lines: report.conversations, cap: CONVERSATION_APPENDIX_CAP, total: counts.conversations ?? 0 },
    previousCosignature: previous?.cosignature ? { packageId: previous.packageId, rows: previous.tlog.leaves.size, ...previous.cosignature } : null,
  };
  const pdf = await renderReport(data, identity);
  files.push(writeSmall(work, PACKAGE_FILES.report, pdf, 'application/pdf'));
  phaseDone('report');
}

/** The manifest: every file with its hash, the query, the chain's verdict and the seals. */
function manifestOf(run: PackageRun, data: DataFiles, id: PackageIdentity): Manifest {
  const { opts, db, s, createdAt, neutraliseOn, progress } = run;
  const { identity } = opts;
  const { files, counts, ev, driftSummary } = data;
  const { packageId, query, source, profile } = id;
  // manifest.json + manifest.sig
  progress({ phase: 'sign', done: 0, total: null });
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const manifest: Manifest = {
    format: PACKAGE_FORMAT,
    packageId,
    createdAt,
    tool: { name: 'auditdesk', version: toolVersion() },
    signer: {
      name: identity.info.name,
      org: identity.info.org,
      email: identity.info.email,
      fingerprint: identity.info.fingerprint,
      certificate: 'signer.pem',
      pdfCertificateFingerprint: identity.info.pdfFingerprint,
    },
    source,
    query,
    csv: {
      dialect: 'RFC 4180',
      encoding: 'UTF-8',
      lineEnd: 'CRLF',
      null: 'empty unquoted field',
      emptyString: '""',
      formulaNeutralisation: {
        enabled: neutraliseOn,
        triggers: [...FORMULA_TRIGGERS],
        prefix: "'",
        appliesTo: 'columns marked neutralised',
        headers: neutraliseOn,
        reverse: "remove one leading ' when the rest starts with ' * then one of the triggers",
      },
    },
    chain: {
      profile,
      table: ev.chain?.table ?? null,
      method: s.contiguous ? 'engine' : 'subset',
      startSeq: ev.startSeq,
      checkpoints: ev.anchors,
      rows: ev.chain?.rows ?? 0,
      intact: ev.chain ? ev.chain.intact : null,
      breaks: ev.chain ? ev.chain.breaks.length + ev.chain.breaksOmitted : 0,
      firstSeq: ev.chain?.firstSeq ?? null,
      lastSeq: ev.chain?.lastSeq ?? null,
      headHash: ev.chain?.headHash ?? null,
      merkleRoot: ev.chain ? (ev.file.merkleRoot ?? null) : null,
    },
    drift: driftSummary,
    seals: sealsOf(db, s, files),
    counts,
    files,
  };
  return manifest;
}

/** Phase 4, the signatures: manifest.json, manifest.sig (Ed25519) and manifest.minisig. */
function signManifest(run: PackageRun, manifest: Manifest, packageId: string): Buffer {
  const { opts, work, phaseDone } = run;
  const { identity } = opts;
  const manifestBytes = serialiseManifest(manifest);
  writeFileSync(join(work, PACKAGE_FILES.manifest), manifestBytes, { mode: PRIVATE_FILE_MODE });
  writeFileSync(join(work, PACKAGE_FILES.signature), sign(null, manifestBytes, identity.signingKey), { mode: PRIVATE_FILE_MODE });
  writeFileSync(join(work, PACKAGE_FILES.minisig), minisignSignature(manifestBytes, identity.signingKey, `auditdesk package ${packageId} manifest.json`), { mode: PRIVATE_FILE_MODE });
  phaseDone('sign');
  return manifestBytes;
}

/** Phase 5: the ZIP, written beside the target and renamed into place, then the journal entry. */
async function zipIntoPlace(run: PackageRun, files: ManifestFile[], manifestBytes: Buffer, packageId: string): Promise<void> {
  const { opts, db, s, work, createdAt, progress, phaseDone } = run;
  const { signal } = opts;
  const zipTmp = join(work, `.${basename(opts.out)}.partial`);
  // ZIP: sorted entries, fixed times and modes, then rename into place.
  progress({ phase: 'zip', done: 0, total: null });
  const names = [...files.map((f) => f.name), ...UNNAMED_FILES].sort();
  await writeZip(zipTmp, work, names, new Date(createdAt), signal);
  phaseDone('zip');
  checkAbort(signal);
  renameSync(zipTmp, opts.out);
  journalExport(db, { packageId, manifestHash: createHash('sha256').update(manifestBytes).digest('hex'), out: opts.out, tenant: s.tenant });
}

function exportResult(run: PackageRun, data: DataFiles, id: PackageIdentity, manifest: Manifest, previous: Awaited<ReturnType<typeof writeEvidenceFiles>>['previous']): ExportResult {
  const { opts, createdAt, progress } = run;
  const { identity } = opts;
  const { files, counts, drift, driftSummary } = data;
  const { packageId, source } = id;
  // The finished job reports the rows the package holds, not a step count ("1 / 1 row").
  const rowsPackaged = Object.values(counts).reduce((a, b) => a + b, 0);
  progress({ phase: 'done', done: rowsPackaged, total: rowsPackaged });
  return {
    out: opts.out,
    packageId,
    createdAt,
    signerFingerprint: identity.info.fingerprint,
    files,
    counts,
    integrity: { intact: manifest.chain.intact, breaks: manifest.chain.breaks },
    previous,
    drift: { findings: driftSummary.findings, chainRows: drift.filter((f) => f.tableKind === 'events').length, statement: driftSummary.statement },
    source: source ? { label: source.label, fingerprint: source.fingerprint } : null,
  };
}

/**
 * The sync seals the package's CSVs came from (docs/package-format.md#seals): the
 * latest seal of each exported table, and whether the CSV's Merkle root is the
 * seal's (same rows, same columns, same order) or why it cannot be.
 */
function sealsOf(db: CacheDb, s: Selection, files: ManifestFile[]): Manifest['seals'] {
  const out: Manifest['seals'] = [];
  const pairs: [SourceTable | null, string][] = [
    [s.events.table, PACKAGE_FILES.events],
    [s.conversations.table, PACKAGE_FILES.conversations],
    [s.anomalyTable, PACKAGE_FILES.anomalies],
    [s.accessTable, PACKAGE_FILES.access],
  ];
  for (const [table, file] of pairs) {
    const f = files.find((x) => x.name === file);
    const seal = table && f ? latestSeal(db, table.tableId, s.tenant) : undefined;
    if (!table || !f || !seal) continue;
    const sameRoot = seal.merkleRoot === f.merkleRoot && seal.rowCount === f.rows;
    out.push({
      file,
      table: chainTableName(table.schema, table.name),
      sealId: seal.sealId,
      syncId: seal.syncId,
      sealedAt: seal.createdAt,
      rows: seal.rowCount,
      merkleRoot: seal.merkleRoot,
      sameRoot,
      why: sameRoot
        ? null
        : file === PACKAGE_FILES.conversations
          ? 'conversation_logs.csv has the 15 fixed columns of its header; the seal covers every source column'
          : 'the file holds another set of rows than the seal (a period or filter, or rows the seal did not cover)',
    });
  }
  return out;
}

function emptyReportParts() {
  return {
    perDay: new Map<string, number>(),
    byType: new Map<string, number>(),
    bySeverity: new Map<string, number>(),
    byProvider: new Map<string, number>(),
    byVersion: new Map<string, number>(),
    appendix: [] as AppendixRow[],
    conversations: [] as ConversationLine[],
    anomaliesAbove: [] as AnomalyLine[],
    anomaliesAboveTotal: 0,
    highTemp: new ConfigGroups(),
    relaxed: new ConfigGroups(),
    unapproved: new ConfigGroups(),
    secrets: [] as SecretFinding[],
  };
}
type ReportParts = ReturnType<typeof emptyReportParts>;

function filterLines(s: Selection): string[] {
  const f = s.filter;
  const lines: string[] = [];
  const list = (label: string, v: string[] | undefined) => v?.length && lines.push(`${label}: ${v.join(', ')}`);
  if (f.kind !== 'all') lines.push(`kind: ${f.kind}`);
  list('agent', f.agent);
  list('session', f.session);
  list('channel', f.channel);
  list('event type', f.eventType);
  list('severity', f.severity);
  list('user', f.user);
  list('model provider', f.modelProvider);
  list('model name', f.modelName);
  list('model version', f.modelVersion);
  list('deployment', f.deploymentId);
  list('safety mode', f.safetyMode);
  if (f.temperatureMin !== undefined) lines.push(`temperature >= ${f.temperatureMin}`);
  if (f.temperatureMax !== undefined) lines.push(`temperature <= ${f.temperatureMax}`);
  if (f.minAnomalyScore !== undefined) lines.push(`anomaly score >= ${f.minAnomalyScore}`);
  if (f.text) lines.push(`text: ${f.text}`);
  return lines;
}

function writeSmall(dir: string, name: string, bytes: Buffer, mediaType: string): ManifestFile {
  writeFileSync(join(dir, name), bytes, { mode: PRIVATE_FILE_MODE });
  return { name, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, rows: null, mediaType };
}

async function writeEvents(
  s: Selection,
  db: CacheDb,
  dir: string,
  neutraliseOn: boolean,
  cap: number,
  open: CsvFileWriter[],
  signal: AbortSignal | undefined,
  progress: (p: ExportProgress) => void,
  report: ReportParts,
  previousAnchor: ManifestAnchor | null,
  auditorKey: string,
): Promise<{ file: ManifestFile; chain: IntegrityEntry | null; startSeq: string | null; anchors: ManifestAnchor[]; leaves: ChainLeafCollector | null }> {
  const table = s.events.table;
  // Without events in the selection the file still has the standard header, so it parses like any other.
  const cols: MappedColumn[] = table?.columns ?? DEFAULT_EVENT_COLUMNS;
  const mcols = manifestColumns(
    cols,
    cols.map((c) => c.name),
    neutraliseOn,
  ).map((c, i) => ({ ...c, field: cols[i]!.field }));
  const path = join(dir, PACKAGE_FILES.events);
  const w = new CsvFileWriter(
    path,
    cols.map((c) => c.name),
    mcols.map((c) => c.neutralised),
    { neutraliseHeader: neutraliseOn },
  );
  open.push(w);
  const merkle = new MerkleBuilder();
  const encode = makeDualEncoder(cols, table?.profile ?? JCS_SHA256_V1);
  // Only the auditor's own signed heads are compared, as verify compares them (run.ts).
  const anchors: ManifestAnchor[] = table
    ? listCheckpoints(db, { tableName: chainTableName(table.schema, table.name), tenantId: s.tenant, sourceFingerprint: table.source.fingerprint }, auditorKey)
        .filter((c) => c.signatureStatus === 'valid')
        .map((c) => ({
          label: `checkpoint #${c.checkpointId} (${c.origin}, ${c.createdAt})`,
          origin: c.origin,
          checkpointId: c.checkpointId,
          lastSeq: c.lastSeq.toString(),
          headHash: c.headHash,
          createdAt: c.createdAt,
          signature: 'valid' as const,
        }))
    : [];
  // A previous package is an external anchor: verified (signature and files) before it is used.
  if (table && previousAnchor) anchors.push(previousAnchor);
  const checker = table
    ? new PackageIntegrity({
        columns: mcols.map((c) => ({ name: c.name, type: c.type, field: c.field })),
        profile: table.profile,
        tenant: s.tenant,
        table: chainTableName(table.schema, table.name),
        wholeChain: s.contiguous,
        startSeq: s.filter.from ? null : '1',
        anchors,
      })
    : null;
  if (table) {
    const total = null;
    let n = 0;
    const fields = [...cols.map((c) => c.field ?? 'extra'), 'ts', 'seq', 'event_type', 'severity', 'user_id', 'entity_type', 'entity_id', 'digest', 'source_key'];
    const asStored = storedDigestCheck(db, table, s.tenant);
    for (const row of eventRows(db, s, fields).iterate(...s.events.where.params) as IterableIterator<CacheRow>) {
      const values = asStored.values(cols, row);
      const { payload, digest } = asStored.computed(row, () => encode(values));
      asStored(row, digest);
      checker!.push(values, payload);
      merkle.push(digest);
      const day = typeof row.ts === 'string' ? row.ts.slice(0, 10) : '(no time)';
      bump(report.perDay, day);
      bump(report.byType, row.event_type as string | null);
      bump(report.bySeverity, row.severity as string | null);
      if (report.appendix.length < cap) {
        report.appendix.push({
          key: String(row.source_key ?? ''),
          seq: String(row.seq ?? ''),
          ts: String(row.ts ?? ''),
          type: String(row.event_type ?? ''),
          severity: String(row.severity ?? ''),
          user: String(row.user_id ?? ''),
          entity: [row.entity_type, row.entity_id].filter((v) => v !== null && v !== undefined).join(':'),
        });
      }
      const pending = w.row(values);
      if (pending) await pending;
      if (++n % 5000 === 0) {
        checkAbort(signal);
        progress({ phase: 'events', done: n, total });
        await new Promise((r) => setImmediate(r)); // let a cancel request in
        checkAbort(signal);
      }
    }
  }
  const written = await w.close();
  return {
    file: { name: PACKAGE_FILES.events, ...written, mediaType: 'text/csv', columns: mcols, merkleRoot: merkle.root() },
    chain: checker?.finish() ?? null,
    startSeq: checker?.startSeq ?? null,
    anchors,
    leaves: checker?.leaves ?? null,
  };
}

async function writeConversations(
  s: Selection,
  db: CacheDb,
  dir: string,
  neutraliseOn: boolean,
  open: CsvFileWriter[],
  signal: AbortSignal | undefined,
  progress: (p: ExportProgress) => void,
  report: ReportParts,
  approved: string[] | undefined,
): Promise<ManifestFile> {
  const table = s.conversations.table;
  const byField = new Map<string, ColumnType>();
  for (const c of table?.columns ?? []) if (c.field) byField.set(c.field, { name: c.name, type: c.type });
  const cols = CONVERSATION_FIELDS.map((f) => byField.get(f) ?? DEFAULT_SOURCE_NAMES[f] ?? { name: f, type: 'text' });
  const mcols = manifestColumns(cols, CONVERSATION_HEADER, neutraliseOn);
  const w = new CsvFileWriter(
    join(dir, PACKAGE_FILES.conversations),
    CONVERSATION_HEADER,
    mcols.map((c) => c.neutralised),
    { neutraliseHeader: neutraliseOn },
  );
  open.push(w);
  const merkle = new MerkleBuilder();
  const rowDigest = makeRowDigester(cols);
  const approvedSet = new Set(approved ?? []);
  let n = 0;
  if (table) {
    // The file holds the standard columns; the digest the sync stored is over every source
    // column. When those are the file's columns (JCS sorts the names, so their order does not
    // matter), the file's row digest is that digest and is not computed twice.
    const sameColumns = table.columns.length === cols.length && table.columns.every((c) => cols.some((k) => k.name === c.name && k.type === c.type));
    const storedDigest = sameColumns ? null : makeRowDigester(table.columns);
    const asStored = storedDigestCheck(db, table, s.tenant);
    const fields = [...CONVERSATION_FIELDS, 'temperature_num', 'digest', 'source_key', ...table.columns.map((c) => c.field ?? 'extra')];
    for (const row of conversationRows(db, s, fields).iterate(...s.conversations.where.params) as IterableIterator<CacheRow>) {
      const values = CONVERSATION_FIELDS.map((f) => (row[f] === null || row[f] === undefined ? null : String(row[f])));
      const digest = asStored.computed(row, () => rowDigest(values));
      asStored(row, storedDigest ? asStored.computed(row, () => storedDigest(asStored.values(table.columns, row))) : digest);
      merkle.push(digest);
      const [provider, name, version] = [row.model_provider, row.model_name, row.model_version].map((v) => (v === null ? null : String(v)));
      bump(report.byProvider, provider);
      const pmv = [provider ?? '-', name ?? '-', version ?? '-'].join(' / ');
      bump(report.byVersion, pmv);
      const temp = row.temperature_num as number | null;
      if (temp !== null && temp > 0.8) report.highTemp.add(row, String(row.temperature));
      if (row.safety_mode !== null && String(row.safety_mode).toLowerCase() === 'relaxed') report.relaxed.add(row, 'relaxed');
      if (approvedSet.size && !(version !== null && (approvedSet.has(version) || approvedSet.has(`${provider}/${name}/${version}`)))) {
        report.unapproved.add(row, version);
      }
      if (report.conversations.length < CONVERSATION_APPENDIX_CAP) {
        report.conversations.push({ ts: String(row.ts ?? ''), agent: String(row.agent_id ?? '-'), model: pmv, prompt: String(row.prompt ?? '') });
      }
      if (row.model_config !== null && row.model_config !== undefined) {
        const red = redactConfigSecrets(String(row.model_config));
        if (red !== null) report.secrets.push({ logId: String(row.source_key), agent: row.agent_id === null ? null : String(row.agent_id), redactedConfig: red });
      }
      const pending = w.row(values);
      if (pending) await pending;
      if (++n % 5000 === 0) {
        progress({ phase: 'conversations', done: n, total: null });
        await new Promise((r) => setImmediate(r));
        checkAbort(signal);
      }
    }
  }
  const written = await w.close();
  return { name: PACKAGE_FILES.conversations, ...written, mediaType: 'text/csv', columns: mcols, merkleRoot: merkle.root() };
}

async function writeAnomalies(
  s: Selection,
  db: CacheDb,
  dir: string,
  neutraliseOn: boolean,
  threshold: number,
  open: CsvFileWriter[],
  signal: AbortSignal | undefined,
  report: ReportParts,
): Promise<ManifestFile> {
  const cols: MappedColumn[] = s.anomalyTable?.columns ?? [
    { name: 'id', type: 'uuid', field: 'source_key' },
    { name: 'audit_event_id', type: 'uuid', field: 'audit_event_id' },
    { name: 'tenant_id', type: 'text', field: 'tenant_id' },
    { name: 'anomaly_score', type: 'numeric', field: 'score_text' },
    { name: 'detected_at', type: 'timestamptz', field: 'detected_at' },
    { name: 'detector', type: 'text', field: 'detector' },
    { name: 'features', type: 'jsonb', field: 'features' },
    { name: 'model_version', type: 'text', field: 'model_version' },
  ];
  const rows: IterableIterator<CacheRow> = s.anomalyTable ? (anomalyRows(db, s).iterate(s.tenant, ...s.events.where.params) as IterableIterator<CacheRow>) : ([] as CacheRow[])[Symbol.iterator]();
  // Latest decision per anomaly (reviews are append-only; the last one stands).
  const decisions = new Map<string, string>();
  for (const r of db.prepare('SELECT anomaly_key, decision FROM reviews WHERE tenant_id = ? ORDER BY review_id').iterate(s.tenant) as IterableIterator<{ anomaly_key: string; decision: string }>) {
    decisions.set(r.anomaly_key, r.decision);
  }
  const asStored = s.anomalyTable ? storedDigestCheck(db, s.anomalyTable, s.tenant) : null;
  const onRow = (r: CacheRow) => {
    const score = r.anomaly_score === null || r.anomaly_score === undefined ? null : Number(r.anomaly_score);
    if (score !== null && score >= threshold) {
      report.anomaliesAboveTotal++;
      if (report.anomaliesAbove.length < 500) {
        report.anomaliesAbove.push({
          id: String(r.source_key),
          eventId: String(r.audit_event_id ?? '-'),
          score: String(r.score_text ?? score),
          detector: String(r.detector ?? '-'),
          detectedAt: String(r.detected_at ?? '-'),
          review: decisions.get(String(r.source_key)) ?? 'open',
        });
      }
    }
    return asStored ? asStored.values(cols, r) : fromRecord(cols, r);
  };
  return writeGeneric(
    join(dir, PACKAGE_FILES.anomalies),
    PACKAGE_FILES.anomalies,
    cols,
    cols.map((c) => c.name),
    neutraliseOn,
    open,
    signal,
    rows,
    onRow,
    asStored ?? undefined,
  );
}

/**
 * A row changed in the cache since the sync stored it would go into a signed package as
 * the tenant's (and, for events, its chain break be blamed on them): the export stops at
 * the first one, naming it (verify/cache-damage.ts). Damage an earlier run found stays
 * until the cache is rebuilt or a verdict finds the rows as synced, even outside this
 * selection, so such a tenant is refused at once.
 */
function storedDigestCheck(db: CacheDb, table: SourceTable, tenant: string): StoredDigestCheck {
  const known = openCacheDamage(db).find((d) => d.tenant === tenant);
  if (known) throw cachedRowDamaged(db.name, known.table, known.tenant, known.row);
  const name = chainTableName(table.schema, table.name);
  const damaged = (row: CacheRow) => cachedRowDamaged(db.name, name, tenant, cachedRowRef(row.seq, row.source_key)!);
  const check = (row: CacheRow, digest: string) => {
    if (digest !== row.digest) throw damaged(row);
  };
  // A row whose stored values cannot even be read back is damaged as surely as one that reads otherwise.
  check.values = (columns: readonly MappedColumn[], row: CacheRow) => {
    try {
      return fromRecord(columns, row);
    } catch (e) {
      throw e instanceof UnreadableCachedRow ? damaged(row) : e;
    }
  };
  // So is one whose values cannot be digested (a JSON column edited into text that is not
  // JSON): the sync digested every value it stored.
  check.computed = <T>(row: CacheRow, compute: () => T): T => {
    try {
      return compute();
    } catch {
      throw damaged(row);
    }
  };
  return check;
}

interface StoredDigestCheck {
  (row: CacheRow, digest: string): void;
  /** fromRecord(columns, row), with an unreadable row reported as damaged */
  values(columns: readonly MappedColumn[], row: CacheRow): (string | null)[];
  /** compute() (the row's digest, its payload), with a row whose values cannot be digested reported as damaged */
  computed<T>(row: CacheRow, compute: () => T): T;
}

async function writeGeneric<R>(
  path: string,
  name: string,
  cols: readonly ColumnType[],
  headers: readonly string[],
  neutraliseOn: boolean,
  open: CsvFileWriter[],
  signal: AbortSignal | undefined,
  rows: IterableIterator<R>,
  toValues: (row: R) => (string | null)[],
  /** rows of a source table: each row's digest (of `cols`) is checked against the one the sync stored */
  asStored?: { (row: R, digest: string): void; computed<T>(row: R, compute: () => T): T },
): Promise<ManifestFile> {
  const mcols = manifestColumns(cols, headers, neutraliseOn);
  const w = new CsvFileWriter(
    path,
    headers,
    mcols.map((c) => c.neutralised),
    { neutraliseHeader: neutraliseOn },
  );
  open.push(w);
  const merkle = new MerkleBuilder();
  const rowDigest = makeRowDigester(cols);
  let n = 0;
  for (const row of rows) {
    const values = toValues(row);
    const digest = asStored ? asStored.computed(row, () => rowDigest(values)) : rowDigest(values);
    asStored?.(row, digest);
    merkle.push(digest);
    const pending = w.row(values);
    if (pending) await pending;
    if (++n % 5000 === 0) {
      await new Promise((r) => setImmediate(r));
      checkAbort(signal);
    }
  }
  const written = await w.close();
  return { name, ...written, mediaType: 'text/csv', columns: mcols, merkleRoot: merkle.root() };
}

/**
 * Deterministic ZIP: entries in the given (sorted) order, DOS timestamps built from
 * the UTC wall time of createdAt as *local* components with forceDosTimestamp, so
 * the bytes do not depend on the machine's time zone; fixed file mode.
 */
export async function writeZip(path: string, dir: string, names: string[], createdAt: Date, signal: AbortSignal | undefined): Promise<void> {
  const mtime = new Date(createdAt.getUTCFullYear(), createdAt.getUTCMonth(), createdAt.getUTCDate(), createdAt.getUTCHours(), createdAt.getUTCMinutes(), createdAt.getUTCSeconds());
  const zip = new yazl.ZipFile();
  const out = createWriteStream(path, { mode: 0o644 });
  // yazl reports a file it cannot read as an 'error' on the ZipFile; unhandled, that
  // event would end the process with a stack trace instead of the export's one line.
  const zipFailed = new Promise<never>((_, reject) =>
    zip.on('error', (e: NodeJS.ErrnoException) => {
      out.destroy();
      reject(
        e.code === 'ENOSPC'
          ? e
          : new UserError(`the package ZIP could not be written: ${e.path ? `${basename(e.path)}: ` : ''}${e.code ?? e.message}; nothing was written.`, 'E_EXPORT_WRITE', 'Run the export again.'),
      );
    }),
  );
  zipFailed.catch(() => undefined);
  for (const name of names) {
    const compress = !name.endsWith('.pdf') && !name.endsWith('.sig');
    zip.addFile(join(dir, name), name, { mtime, mode: 0o100644, compress, forceDosTimestamp: true } as yazl.Options);
  }
  zip.end();
  const onAbort = () => out.destroy(new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    zip.outputStream.pipe(out);
    await Promise.race([once(out, 'close'), zipFailed]);
    if (signal?.aborted) throw new UserError('export cancelled; nothing was written.', 'E_CANCELLED');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The export's one-line chain verdict (CLI and app): a chain with drift findings is not called intact. */
export function chainWords(r: Pick<ExportResult, 'integrity' | 'drift'>): string {
  if (r.integrity.intact === null) return 'no events';
  if (!r.integrity.intact) return `${r.integrity.breaks} break(s), listed in verification.json and report.pdf`;
  return r.drift.chainRows ? `links up, but ${r.drift.chainRows} of its rows changed at the source after they were first cached` : 'intact';
}

/** Counts what an export with this filter would write, without writing anything. */
export function previewExport(
  db: CacheDb,
  filter: RecordFilterInput,
  subject?: DataSubject,
): { tenant: string; events: number; conversations: number; anomalies: number; reviews: number; accessLog: number; wholeChain: boolean; driftFindings: number } {
  const s = select(db, filter, subject);
  const count = (sql: string, params: unknown[]) =>
    Number(
      db
        .prepare(sql)
        .pluck()
        .get(...params),
    );
  const access = accessWhere(s);
  return {
    tenant: s.tenant,
    events: count(`SELECT count(*) FROM records r ${s.events.where.sql}`, s.events.where.params),
    conversations: count(`SELECT count(*) FROM records r ${s.conversations.where.sql}`, s.conversations.where.params),
    anomalies: count(`SELECT count(*) FROM anomalies a WHERE a.tenant_id = ? AND a.audit_event_id IN (SELECT r.source_key FROM records r ${s.events.where.sql})`, [s.tenant, ...s.events.where.params]),
    reviews: count(
      `SELECT count(*) FROM reviews WHERE tenant_id = ? AND anomaly_key IN (SELECT a.source_key FROM anomalies a WHERE a.tenant_id = ? AND a.audit_event_id IN (SELECT r.source_key FROM records r ${s.events.where.sql}))`,
      [s.tenant, s.tenant, ...s.events.where.params],
    ),
    accessLog: s.accessTable ? count(`SELECT count(*) FROM access_log ${access.sql}`, access.params) : 0,
    wholeChain: s.contiguous,
    driftFindings: driftInScope(db, s).length,
  };
}

export type { SourceTable };

/** First and last time of the exported events and conversations (canonical UTC text, as cached). */
function exportedSpan(db: CacheDb, s: Selection): { first: string | null; last: string | null } {
  const span = (w: { sql: string; params: unknown[] }) =>
    db.prepare(`SELECT min(r.ts) AS first, max(r.ts) AS last FROM records r ${w.sql}`).get(...w.params) as { first: string | null; last: string | null };
  const both = [span(s.events.where), span(s.conversations.where)];
  const firsts = both
    .map((b) => b.first)
    .filter((t): t is string => t !== null)
    .sort();
  const lasts = both
    .map((b) => b.last)
    .filter((t): t is string => t !== null)
    .sort();
  return { first: firsts[0] ?? null, last: lasts.at(-1) ?? null };
}

/**
 * Another tenant of the cache whose id draws like the exported one ("glоbex-bank" with a
 * Cyrillic о beside "globex-bank"): printed, the two are the same word, so page 1 says which
 * tenant this one looks like.
 */
function lookAlikeInCache(db: CacheDb, tenant: string): string | null {
  return lookAlikes([tenant, ...cachedTenantIds(db)]).get(tenant) ?? null;
}

/** The tenant's exceptions queue as the auditor left it, and the latest signed completion. */
function reviewAtExport(db: CacheDb, tenant: string, anomalyThreshold: number): ReportData['review'] {
  const q = exceptionQueue(db, { tenant, anomalyThreshold });
  const c = q.completion;
  const line = (d: DecisionView, superseded: boolean): DecisionLine => ({
    disposition: d.disposition,
    meaning: d.signature.meaning,
    signer: d.signature.signerName,
    signerFingerprint: d.signature.signerFingerprint,
    at: d.signature.signedAt,
    note: d.note,
    reference: d.reference,
    superseded,
  });
  return {
    total: q.coverage.total,
    decided: q.coverage.decided,
    open: q.coverage.open,
    completion: c ? { by: c.signature.signerName, at: c.signature.signedAt, meaning: c.signature.meaning, openItems: c.openItemIds.length } : null,
    items: q.items.map((i) => ({
      itemId: i.itemId,
      kind: i.kind,
      title: i.title,
      status: i.status,
      decidedOnEarlierEvidence: i.decisionOnEarlierEvidence,
      decisions: [...(i.decision ? [line(i.decision, false)] : []), ...i.history.map((d) => line(d, true))],
      unsigned: i.unsignedHistory.map((u) => ({ decision: u.decision, reviewer: u.reviewer, at: u.reviewedAt, note: u.note })),
    })),
  };
}
