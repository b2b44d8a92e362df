// Issue 12: the default data folder was computed in five places (the Electron app, the
// browser mode, the CLI and two CLI commands); a change of one (a new env variable, a
// platform default) would leave the others pointing at another folder, and the
// auditor's keys and engagements would seem to vanish. One function computes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

test('only core/util/private-files.ts reads $AUDITDESK_DATA_DIR or names ~/.auditdesk', () => {
  const root = projectRoot();
  const readers = sources(join(root, 'src-main'))
    .filter((f) => /process\.env\.AUDITDESK_DATA_DIR|['"]\.auditdesk['"]/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
  assert.deepEqual(readers, [join('src-main', 'core', 'util', 'private-files.ts')]);
});
