// Shared plumbing for CLI commands: exit codes and one-line errors.
// 0 ok · 1 findings (integrity breaks, invalid package) · 2 usage, connection or input error
// · 3 a package that is intact but signed by an unpinned key (verify-package only).
import { isUserError, redactSecrets } from '../core/util/errors.js';
import { storageFailure } from '../core/util/storage-errors.js';
import { defaultDataDir, ensurePrivateDir, tightenedNotice } from '../core/util/private-files.js';
import { environment } from '../core/util/environment.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;
export const EXIT_UNPINNED = 3;

/** Runs a command body; prints a single line for expected failures, never a stack trace with secrets. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await body(...args);
      process.exitCode = code ?? EXIT_OK;
    } catch (thrown) {
      const e = storageFailure(thrown) ?? thrown;
      const message = isUserError(e) ? e.message : e instanceof Error ? e.message : String(e);
      process.stderr.write(`auditdesk: ${redactSecrets(message)}\n`);
      if (!isUserError(e) && debugRequested()) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
      process.exitCode = EXIT_ERROR;
    }
  };
}

/** Collects a repeatable option (--tenant a --tenant b). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Reads all of stdin (for --password-stdin); trims one trailing newline only. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The data folder (--data-dir, else $AUDITDESK_DATA_DIR or ~/.auditdesk), made owner-only, saying so when it was not. */
export function dataDirOf(flag: string | undefined): string {
  const dir = flag ?? defaultDataDir();
  const looseMode = ensurePrivateDir(dir);
  if (looseMode !== null) process.stderr.write(`auditdesk: note: ${tightenedNotice(dir, looseMode)}\n`);
  return dir;
}

/** AUDITDESK_DEBUG, read safely: this runs while another error is being reported. */
function debugRequested(): boolean {
  try {
    return environment().debug;
  } catch {
    return false;
  }
}
