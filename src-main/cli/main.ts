#!/usr/bin/env node
// `auditdesk` — the command-line front door over the same core as the app.
import { Command, CommanderError } from 'commander';
import { toolVersion } from '../core/util/version.js';
import { EXIT_ERROR } from './run.js';
import { registerDemo } from './commands/demo.js';
import { registerSync } from './commands/sync.js';
import { registerVerify } from './commands/verify.js';
import { registerExport } from './commands/export.js';
import { registerIdentity } from './commands/identity.js';
import { registerVerifyPackage } from './commands/verify-package.js';
import { registerServe } from './commands/serve.js';
import { registerProve } from './commands/prove.js';
import { registerControls } from './commands/controls.js';
import { registerReview } from './commands/review.js';
import { registerEngagement } from './commands/engagement.js';
import { registerCosign } from './commands/cosign.js';

export function buildProgram(): Command {
  const program = new Command('auditdesk')
    .description('Offline auditor workstation: read-only sync, hash-chain verification, signed compliance packages.')
    .version(toolVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerSync(program);
  registerVerify(program);
  registerControls(program);
  registerReview(program);
  registerExport(program);
  registerIdentity(program);
  registerVerifyPackage(program);
  registerCosign(program);
  registerServe(program);
  registerProve(program);
  registerEngagement(program);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  // `auditdesk … | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every usage mistake is exit 2 (commander already printed the reason).
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_ERROR;
      return;
    }
    throw e;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/auditdesk')) void main();
