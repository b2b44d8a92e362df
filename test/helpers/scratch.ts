// Temporary folders for tests, removed when the test file's process exits. Several
// suites used to leave their caches behind: 2.6 GB of /tmp after a few days of runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

/** A new folder under the OS temp dir, named `<prefix>XXXXXX`; gone after this process. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    // 'exit' runs for a normal end and for process.exit(); a killed test leaves its folder.
    process.once('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true, maxRetries: 2 });
    });
  }
  return dir;
}
