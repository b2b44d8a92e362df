// `auditdesk demo`: a real PostgreSQL on 127.0.0.1 with a realistic, deterministic demo
// tenant (one of three tenants tampered with), for trying the workstation with nothing
// else installed. Progress goes to stderr; the connection URL and ground-truth path to
// stdout. Runs until Ctrl-C (SIGINT) or SIGTERM, then stops PostgreSQL cleanly.
import type { Command } from 'commander';
import { DEFAULT_EVENTS, DEFAULT_PORT, DEFAULT_SEED, MAX_EVENTS, MIN_EVENTS, defaultDemoDir } from '../../core/demo/defaults.js';
import { UserError } from '../../core/util/errors.js';
import { action, EXIT_ERROR, EXIT_OK } from '../run.js';

interface DemoFlags {
  port?: string;
  events: string;
  dataDir?: string;
  seed: string;
  regenerate?: boolean;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UserError(`${flag} must be a whole number (got "${text}").`, 'E_USAGE');
  const n = Number(text.trim());
  if (n < min || n > max) throw new UserError(`${flag} must be from ${min} to ${max} (got ${n}).`, 'E_USAGE');
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run a local PostgreSQL with a generated demo tenant database and print its read-only connection URL; stays up until Ctrl-C.')
    .option('--port <n>', `TCP port on 127.0.0.1 (default ${DEFAULT_PORT}, or any free port if that one is taken)`)
    .option('--events <n>', `audit events to generate across the 3 tenants (${MIN_EVENTS}–${MAX_EVENTS}); conversations ≈ events/4`, String(DEFAULT_EVENTS))
    .option('--data-dir <dir>', `folder for the database and ground-truth.json (default ${defaultDemoDir()}); reused when built with the same --events and --seed`)
    .option('--seed <n>', 'random seed: the same seed gives the same data', String(DEFAULT_SEED))
    .option('--regenerate', 'rebuild the data even if the folder already holds a matching demo')
    .addHelpText(
      'after',
      [
        '',
        'The URL uses the role auditor_ro (SELECT only, read-only sessions, row-level security:',
        "set app.current_tenant_id to acme-pharma, globex-bank or initech-ai to see a tenant's rows).",
        'globex-bank has planted tampering in audit_logs; ground-truth.json in the data folder lists it,',
        'along with the planted incidents and row counts.',
        '',
        'Exit codes: 0 stopped by Ctrl-C/SIGTERM · 2 error (one line on stderr).',
      ].join('\n'),
    )
    .action(action(async (flags: DemoFlags) => runDemo(flags)));
}

async function runDemo(flags: DemoFlags): Promise<number> {
  const events = wholeNumber(flags.events, '--events', MIN_EVENTS, MAX_EVENTS);
  const seed = wholeNumber(flags.seed, '--seed', 0, 0xffffffff);
  const port = flags.port === undefined ? undefined : wholeNumber(flags.port, '--port', 1, 65535);
  let lastPhase = '';
  let lastAt = 0;
  const { startDemo } = await import('../../core/demo/index.js');
  const demo = await startDemo({
    events,
    seed,
    ...(port !== undefined ? { port } : {}),
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    reuse: !flags.regenerate,
    onProgress: (p) => {
      // Row counters arrive often; print a phase's first line, then at most one a second.
      const now = Date.now();
      if (p.phase !== lastPhase || now - lastAt >= 1000 || p.done === p.total) {
        process.stderr.write(`auditdesk demo: ${p.message}\n`);
        lastPhase = p.phase;
        lastAt = now;
      }
    },
  });

  const truth = demo.groundTruth;
  process.stdout.write(
    [
      `Demo tenant database is running (${truth.events.toLocaleString('en')} events, seed ${truth.seed}${demo.reused ? ', reused' : ''}).`,
      `Read-only URL:  ${demo.url}`,
      `Tenants:        ${truth.tenants.join(', ')} (tampered: ${truth.tamperedTenant})`,
      `Ground truth:   ${demo.groundTruthPath}`,
      `Data folder:    ${demo.dataDir}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const signal = await new Promise<NodeJS.Signals | 'exited'>((resolve) => {
    const on = (s: NodeJS.Signals) => resolve(s);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
    void demo.exited.then(() => resolve('exited'));
  });
  if (signal === 'exited') {
    process.stderr.write('auditdesk: the demo database stopped unexpectedly; run `auditdesk demo` again.\n');
    return EXIT_ERROR;
  }
  process.stderr.write('auditdesk demo: stopping PostgreSQL…\n');
  await demo.stop();
  return EXIT_OK;
}
