// One file-naming convention (issue 12), the same in the main process and the renderer:
// modules are kebab-case like VS Code's; a .tsx file holds React components and is named
// in PascalCase after its main one, so a reader finds <BreakLine> in BreakLine.tsx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

const root = projectRoot();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(tsx?|css|html)$/.test(name) ? [p] : [];
  });
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*(\.d|\.config)?\.(ts|css|html)$/;
// The renderer's entry point keeps the bundler's conventional name.
const ENTRY_POINTS = new Set(['main.tsx']);

test('Bad naming: every source file is kebab-case, and every .tsx is a PascalCase component module', () => {
  const offenders: string[] = [];
  for (const file of [...sourceFiles(join(root, 'src-main')), ...sourceFiles(join(root, 'src-renderer'))]) {
    const name = basename(file);
    const where = relative(root, file);
    if (name.endsWith('.tsx')) {
      if (ENTRY_POINTS.has(name)) continue;
      const component = name.slice(0, -'.tsx'.length);
      if (!/^[A-Z][A-Za-z0-9]*$/.test(component)) offenders.push(`${where}: a component file is PascalCase`);
      else if (!/^export (function|class|const) [A-Z]/m.test(readFileSync(file, 'utf8'))) offenders.push(`${where}: exports no component`);
    } else if (!KEBAB.test(name)) {
      offenders.push(`${where}: a module is kebab-case`);
    }
  }
  assert.deepEqual(offenders, []);
});
