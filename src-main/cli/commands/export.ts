// `auditdesk export`: write a signed compliance package (issue 5) from the local
// cache. The filter flags are the same facets as the UI's filter bar.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ExportProgress } from '../../core/export/package.js';
import type { RecordFilterInput } from '../../core/records/filter.js';
import { printable } from '../../core/util/printable.js';
import { UserError } from '../../core/util/errors.js';
import { action, collect, dataDirOf, readStdin, EXIT_FINDINGS, EXIT_OK } from '../run.js';
import { ENGAGEMENT_OPTION_HELP, requiredCacheFile } from '../engagement-option.js';

export interface FilterFlags {
  tenant: string[];
  from?: string;
  to?: string;
  agent: string[];
  session: string[];
  channel: string[];
  eventType: string[];
  severity: string[];
  user: string[];
  modelProvider: string[];
  modelName: string[];
  modelVersion: string[];
  deploymentId: string[];
  safetyMode: string[];
  temperatureMin?: string;
  temperatureMax?: string;
  minAnomalyScore?: string;
  text?: string;
  kind?: string;
}

interface ExportFlags extends FilterFlags {
  cache?: string;
  engagement?: string;
  dataDir?: string;
  identity: string;
  out: string;
  json?: boolean;
  previous?: string;
  createdAt?: string;
  passwordStdin?: boolean;
  neutralise: boolean;
  appendixCap: string;
  anomalyThreshold: string;
  approvedVersion: string[];
  controls?: string;
  subject?: string;
  subjectSession: string[];
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || value.trim() === '') throw new UserError(`${flag} "${value}" is not a number.`, 'E_INPUT');
  return n;
}

/** --subject and --subject-session → the data subject of the export, or none. */
function subjectOf(flags: ExportFlags): { userId: string; sessions: string[] } | undefined {
  if (flags.subject !== undefined && !flags.subject.trim()) {
    // An empty id must not fall back to a whole-tenant export of everyone's rows.
    throw new UserError('--subject is empty.', 'E_USAGE', "Give the data subject's user id, e.g. --subject a.keller@acme-pharma.example.");
  }
  if (!flags.subject) {
    if (flags.subjectSession.length) throw new UserError('--subject-session needs --subject.', 'E_USAGE', 'Name the data subject with --subject USER_ID.');
    return undefined;
  }
  return { userId: flags.subject.trim(), sessions: flags.subjectSession.map((x) => x.trim()).filter(Boolean) };
}

/** Facet flags → the shared RecordFilter input (empty lists left out). */
export function filterFromFlags(f: FilterFlags): RecordFilterInput {
  const lists = {
    tenant: f.tenant,
    agent: f.agent,
    session: f.session,
    channel: f.channel,
    eventType: f.eventType,
    severity: f.severity,
    user: f.user,
    modelProvider: f.modelProvider,
    modelName: f.modelName,
    modelVersion: f.modelVersion,
    deploymentId: f.deploymentId,
    safetyMode: f.safetyMode,
  };
  const out: RecordFilterInput = {};
  for (const [k, v] of Object.entries(lists)) if (v?.length) (out as Record<string, unknown>)[k] = v;
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  if (f.kind) {
    if (!['all', 'event', 'conversation'].includes(f.kind)) throw new UserError(`--kind must be all, event or conversation.`, 'E_INPUT');
    out.kind = f.kind as 'all' | 'event' | 'conversation';
  }
  const tMin = num(f.temperatureMin, '--temperature-min');
  const tMax = num(f.temperatureMax, '--temperature-max');
  const score = num(f.minAnomalyScore, '--min-anomaly-score');
  if (tMin !== undefined) out.temperatureMin = tMin;
  if (tMax !== undefined) out.temperatureMax = tMax;
  if (score !== undefined) out.minAnomalyScore = score;
  if (f.text) out.text = f.text;
  return out;
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--tenant <id>', 'tenant to export (exactly one)', collect, [])
    .option('--from <iso>', 'start of the period, inclusive (2026-01-01 or 2026-01-01T08:00:00Z)')
    .option('--to <iso>', 'end of the period, exclusive')
    .option('--kind <kind>', 'all, event or conversation')
    .option('--agent <id>', 'agent id (repeatable)', collect, [])
    .option('--session <id>', 'session id (repeatable)', collect, [])
    .option('--channel <name>', 'channel: api, web, slack, voice … (repeatable)', collect, [])
    .option('--event-type <type>', 'event type (repeatable)', collect, [])
    .option('--severity <level>', 'severity (repeatable)', collect, [])
    .option('--user <id>', 'user id (repeatable)', collect, [])
    .option('--subject <user-id>', "GDPR data-subject export: this user's events and access-log rows (a subset package checked row by row; docs/package-format.md#subject-packages)")
    .option('--subject-session <id>', 'with --subject: a conversation session of the subject (conversation logs carry no user id); repeatable', collect, [])
    .option('--model-provider <name>', 'model provider (repeatable)', collect, [])
    .option('--model-name <name>', 'model name (repeatable)', collect, [])
    .option('--model-version <v>', 'model version (repeatable)', collect, [])
    .option('--deployment-id <id>', 'deployment id (repeatable)', collect, [])
    .option('--safety-mode <mode>', 'safety mode (repeatable)', collect, [])
    .option('--temperature-min <t>', 'temperature at least')
    .option('--temperature-max <t>', 'temperature at most')
    .option('--min-anomaly-score <s>', 'only events with an anomaly scored at least this')
    .option('--text <words>', 'full-text search in prompts, responses and event details');
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('Write a signed compliance package (CSVs, signed PDF report, signed manifest) from the local cache.')
    .option('--cache <file>', 'the SQLite cache file filled by `auditdesk sync`; or --engagement')
    .option('--engagement <dir>', ENGAGEMENT_OPTION_HELP)
    .requiredOption('--identity <file.p12>', 'signing identity (`auditdesk identity create`); password from AUDITDESK_P12_PASSWORD or --password-stdin')
    .requiredOption('--out <pkg.zip>', 'package to write (refused if it exists; nothing is left behind on failure)');
  addFilterOptions(cmd)
    .option('--created-at <iso>', 'fixed creation time: same inputs and the same time give byte-identical files')
    .option('--password-stdin', 'read the identity password from standard input')
    .option('--no-neutralise', "keep CSV cells starting with = + - @ as they are (default: prefix them with ')")
    .option('--appendix-cap <n>', 'events listed in the PDF appendix', '10000')
    .option('--anomaly-threshold <score>', 'anomalies at or above this score are listed in the PDF', '0.7')
    .option('--approved-version <v>', 'an approved model version (or provider/model/version); repeatable', collect, [])
    .option('--data-dir <dir>', 'data folder holding the auditor key that signs the reviewer journal head: default $AUDITDESK_DATA_DIR or ~/.auditdesk')
    .option('--previous <old.zip>', "the package of an earlier visit: the new one carries a consistency proof that its chain extends that one's (docs/tlog-evidence.md)")
    .option('--controls <file>', "a saved `auditdesk controls --json` report: the tenant's verdicts get a Controls section in the PDF")
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      "\nExit codes: 0 package written · 1 package written, but the chain does not extend --previous's (the first differing range is named) · 2 error (one line on stderr; no file is left at --out).",
    )
    .action(action(async (flags: ExportFlags) => runExport(flags)));
}

async function runExport(flags: ExportFlags): Promise<number> {
  // Loaded here, not at the top: the PDF and signing stack is the heaviest part of the CLI.
  const [{ openCache }, { writePackage, chainWords }, { formatFingerprint, loadIdentity, passwordFrom }] = await Promise.all([
    import('../../core/cache/open.js'),
    import('../../core/export/package.js'),
    import('../../core/identity/index.js'),
  ]);
  const filter = filterFromFlags(flags);
  const password = passwordFrom(process.env, flags.passwordStdin ? await readStdin() : undefined);
  const identity = loadIdentity(flags.identity, password);
  const cap = num(flags.appendixCap, '--appendix-cap')!;
  const threshold = num(flags.anomalyThreshold, '--anomaly-threshold')!;
  const controls = flags.controls ? (await import('../../core/controls/report-file.js')).readControlsReport(flags.controls, flags.tenant?.[0]) : undefined;
  const cacheFile = requiredCacheFile(flags);
  if (!existsSync(cacheFile)) {
    throw new UserError(`cache ${cacheFile} does not exist.`, 'E_NOT_FOUND', 'Fill one first with `auditdesk sync --cache FILE` (or --engagement DIR).');
  }
  // Not read-only: an older cache is brought up to the current schema first, as the app does.
  const db = openCache(cacheFile);
  // Ctrl-C and SIGTERM cancel the export: its work folder is removed and the one line
  // "export cancelled; nothing was written." ends the run with exit 2, instead of the
  // default death that would leave plaintext CSVs in the work folder.
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interactive = !flags.json && process.stderr.isTTY;
  let last = 0;
  const onProgress = (p: ExportProgress) => {
    if (!interactive || Date.now() - last < 250) return;
    last = Date.now();
    process.stderr.write(`\r${p.phase} ${p.done}${p.total ? `/${p.total}` : ''}            `);
  };
  try {
    if (!flags.json) process.stderr.write(`signing as ${identity.info.name} <${identity.info.email}>, fingerprint ${formatFingerprint(identity.info.fingerprint)}\n`);
    const result = await writePackage({
      db,
      filter,
      identity,
      out: resolve(flags.out),
      createdAt: flags.createdAt,
      neutraliseFormulas: flags.neutralise,
      appendixCap: cap,
      anomalyThreshold: threshold,
      approvedVersions: flags.approvedVersion,
      previous: flags.previous ? resolve(flags.previous) : undefined,
      controls,
      subject: subjectOf(flags),
      auditorKey: (await import('../../core/identity/auditor-key.js')).loadOrCreateAuditorKey(dataDirOf(flags.dataDir)),
      signal: controller.signal,
      onProgress,
    });
    if (interactive) process.stderr.write('\r');
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const c = result.counts;
      process.stdout.write(
        `wrote ${result.out}\n  package ${result.packageId}, created ${result.createdAt}\n` +
          `  ${c.events ?? 0} events, ${c.conversations ?? 0} conversations, ${c.anomalies ?? 0} anomalies, ${c.reviews ?? 0} reviews${c.accessLog ? `, ${c.accessLog} access-log entries` : ''}\n` +
          (flags.subject
            ? `  data subject ${printable(flags.subject)}: rows of the hash chain ${result.integrity.intact === false ? `with ${result.integrity.breaks} break(s)` : 'each recomputed and matching'} (a subject package does not show chain continuity)\n`
            : `  hash chain: ${chainWords(result)}\n`) +
          `  changes at the source: ${result.drift.statement ? `${result.drift.statement} (both versions in changes.csv)` : 'none found'}\n` +
          `  signed by fingerprint ${formatFingerprint(result.signerFingerprint)}\n` +
          (result.previous
            ? result.previous.extends
              ? `  extends package ${result.previous.packageId}: consistency.proof included\n`
              : `  HISTORY REWRITTEN since package ${result.previous.packageId}: ${result.previous.problem}\n`
            : ''),
      );
    }
    return result.previous && !result.previous.extends ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    db.close();
  }
}
