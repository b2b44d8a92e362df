// `auditdesk controls`: test the promises the source system makes (RLS, immutability,
// retention, access logging, encryption, AI record-keeping, dead letters), read-only.
// Exit 0 no control failed · 1 a control failed · 2 error (or a control could not run).
import type { Command } from 'commander';
import type { SourceSession } from '../../core/source/index.js';
import { UserError } from '../../core/util/errors.js';
import { readMapping } from '../mapping-file.js';
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
    .option('--engagement <dir>', 'engagement folder (reserved: the report is not yet stored there)')
    .option('--json', 'print the report as JSON (format auditdesk-controls-v1)')
    .option('--password-stdin', 'read the source password from standard input (else the URL or PGPASSWORD)')
    .addHelpText('after', '\nExit codes: 0 no control failed · 1 a control failed · 2 error, or a control could not run (its reason is in the report).');
  addSourceOptions(command).action(action(async (flags: ControlsFlags) => runControlsCommand(flags)));
}

async function runControlsCommand(flags: ControlsFlags): Promise<number> {
  const [{ connectSource }, controls] = await Promise.all([import('../../core/source/index.js'), import('../../core/controls/index.js')]);
  if (flags.engagement) {
    throw new UserError('--engagement is not supported by controls yet.', 'E_INPUT', 'Run without it; keep the --json output with the engagement\'s papers.');
  }
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
    if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(controls.humanControlsReport(report));
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
