// What `sync` and `verify` share about a --source URL: the explicit opt-in to a
// clear-text password, the warning for a password typed into the command line, and
// the connection's notices (which CA store checked the server).
import type { Command } from 'commander';

export const ALLOW_CLEARTEXT_FLAG = '--allow-cleartext-password';

export function addSourceOptions(command: Command): Command {
  return command.option(ALLOW_CLEARTEXT_FLAG, 'send the password even when a server without TLS asks for it in clear text (refused by default: anyone on the path could read it)');
}

/** A password in --source sits in the process list (ps, /proc/PID/cmdline) for every local user to read. */
export function warnIfPasswordInUrl(source: string | undefined, err: NodeJS.WritableStream = process.stderr): void {
  if (!source) return;
  let password: string;
  try {
    password = new URL(source).password;
  } catch {
    return; // the URL parser's own error says what is wrong
  }
  if (!password) return;
  err.write('auditdesk: warning: the password in --source is visible to other users of this machine (process list); pass it with PGPASSWORD or --password-stdin instead.\n');
}

export function printSourceNotices(session: { notices: readonly string[] } | undefined, err: NodeJS.WritableStream = process.stderr): void {
  for (const n of session?.notices ?? []) err.write(`auditdesk: note: ${n}\n`);
}
