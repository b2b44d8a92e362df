// One list of error codes: every code the source uses is declared with its meaning,
// docs/errors.md lists exactly the declared ones, and no declared code is dead.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../src-main/core/util/error-codes.js';
import { projectRoot } from '../../src-main/core/util/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|tsx|cts)$/.test(name) && !path.endsWith('error-codes.ts') ? [path] : [];
  });
}

const root = projectRoot();
const used = new Map<string, string>();
for (const file of [...sources(join(root, 'src-main')), ...sources(join(root, 'src-renderer'))]) {
  for (const m of readFileSync(file, 'utf8').matchAll(/['"`](E_[A-Z][A-Z0-9_]*)['"`]/g)) if (!used.has(m[1]!)) used.set(m[1]!, file.slice(root.length + 1));
}
const declared = Object.keys(ERROR_CODES);

describe('error codes', () => {
  test('every code used in the source is declared with a meaning', () => {
    const undeclared = [...used].filter(([code]) => !(code in ERROR_CODES)).map(([code, file]) => `${code} (${file})`);
    assert.deepEqual(undeclared, []);
  });

  test('no declared code is unused', () => {
    assert.deepEqual(
      declared.filter((c) => !used.has(c)),
      [],
    );
  });

  test('docs/errors.md lists exactly the declared codes, with the same meanings', () => {
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `(E_[A-Z0-9_]+)` \| (.*) \|$/gm)].map((m) => [m[1]!, m[2]!] as const);
    assert.deepEqual(
      rows.map(([c]) => c),
      declared,
    );
    for (const [code, meaning] of rows) assert.equal(meaning, ERROR_CODES[code as keyof typeof ERROR_CODES], code);
  });
});
