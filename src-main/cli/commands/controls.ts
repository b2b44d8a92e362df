// `auditdesk controls`: test the promises the source system makes (RLS, immutability,
// retention, access logging, encryption, AI record-keeping, dead letters), read-only.
// Exit 0 no control failed · 1 a control failed · 2 error (or a control could not run).
import type { Command } from 'commander';
import type { SourceSession } from '../../core/source/index.js';
import { cacheFileOf } from '../cache-target.js';
import type { ControlsReport } from '../../core/controls/engine.js';
import { readMapping } from '../mapping-file.js';
import { namingLookAlikes } from '../look-alike-notes.js';
import { addSourceOptions, printSourceNotices, warnIfPasswordInUrl } from '../source-options.js';
import { action, collect, readStdin, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../run.js';

interface ControlsFlags {
  source: string;
  tenant: string[];
  mapping?: string;
  policy?: string;
  dlq: string[];
  control: string[];
  engagement?: string;
  cache?: string;
  json?: boolean;
  passwordStdin?: boolean;
  allowCleartextPassword?: boolean;
}

export function registerControls(program: Command): void {
  const command = program
    .command('controls')
    .description('Test the promises the source system makes (row-level security, immutability, retention, access log, encryption, AI record-keeping, dead letters), read-only, with evidence.')
    .requiredOption('--source <url>', 'postgres://user@host:5432/database of a read-only source')
    .option('--tenant <id>', 'tenant to check; repeat for several (default: every tenant found)', collect, [])
    .option('--mapping <file>', 'JSON table mapping, as for sync')
    .option('--policy <file>', 'JSON policy overriding the defaults (every field optional); the effective policy is printed')
    .option('--dlq <file>', 'an audit_dlq_*.jsonl dead-letter file to reconcile; repeatable', collect, [])
    .option('--control <id>', 'run only this control (e.g. rls.enabled); repeatable', collect, [])
    .option('--engagement <dir>', "engagement folder: the run is stored in its cache, and its failures join the review's exceptions queue")
    .option('--cache <file>', 'store the run in this SQLite cache instead of an engagement')
    .option('--json', 'print the report as JSON (format auditdesk-controls-v1)')
    .option('--password-stdin', 'read the source password from standard input (else the URL or PGPASSWORD)')
    .addHelpText('after', '\nExit codes: 0 no control failed · 1 a control failed · 2 error, or a control could not run (its reason is in the report).');
  addSourceOptions(command).action(action(async (flags: ControlsFlags) => runControlsCommand(flags)));
}

async function runControlsCommand(flags: ControlsFlags): Promise<number> {
  const [{ connectSource }, controls] = await Promise.all([import('../../core/source/index.js'), import('../../core/controls/index.js')]);
  // Resolved before connecting: a wrong folder fails fast, not after every control ran.
  const store = flags.engagement || flags.cache ? cacheFileOf(flags, { create: true }) : undefined;
  const policy = flags.policy ? controls.readPolicyFile(flags.policy) : controls.DEFAULT_POLICY;
  const mapping = flags.mapping ? await readMapping(flags.mapping) : undefined;
  const dlq = flags.dlq.map((f) => controls.readDlqFile(f));
  warnIfPasswordInUrl(flags.source);
  const password = flags.passwordStdin ? await readStdin() : undefined;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nauditdesk: stopping (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let session: SourceSession | undefined;
  try {
    session = await connectSource(flags.source, { password, allowCleartextPassword: flags.allowCleartextPassword ?? false, signal: controller.signal });
    printSourceNotices(session);
    const report = await controls.runControls({ session, tenants: flags.tenant, mapping, policy, dlq, only: flags.control, signal: controller.signal });
    if (store) storeRun(store, report, await import('../../core/cache/open.js'), await import('../../core/review/controls-store.js'));
    if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(controls.humanControlsReport(namingLookAlikes(report)));
    const worst = controls.worstStatus(report);
    if (worst === 'fail') return EXIT_FINDINGS;
    if (worst === 'error') {
      const n = controls.countStatuses(report).error;
      process.stderr.write(`auditdesk: ${n} control${n === 1 ? '' : 's'} could not run (status error, reason in the report); no verdict for ${n === 1 ? 'it' : 'them'}.\n`);
      return EXIT_ERROR;
    }
    return EXIT_OK;
  } finally {
    process.off('SIGINT', onSigint);
    await session?.close();
  }
}

function storeRun(file: string, report: ControlsReport, cache: typeof import('../../core/cache/open.js'), store: typeof import('../../core/review/controls-store.js')): void {
  const db = cache.openCache(file);
  try {
    const runId = store.storeControlsRun(db, report);
    process.stderr.write(`auditdesk: controls run #${runId} stored in ${file}\n`);
  } finally {
    db.close();
  }
}
