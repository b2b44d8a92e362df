// Architecture rules that keep the three front doors thin (STYLE.md):
// the core never imports Electron, only src-main/electron does, and the renderer
// reaches the main process through one file and imports the contract as types only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

function filesUnder(dir: string, exts: RegExp): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.test(name)) out.push(p);
  }
  return out;
}

const root = projectRoot();
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)];

test('Bad layering: only src-main/electron may import electron', () => {
  const offenders = filesUnder(join(root, 'src-main'), /\.(c|m)?ts$/)
    .filter((f) => !relative(root, f).startsWith(join('src-main', 'electron')))
    .filter((f) => importsOf(f).some((m) => (m[2] ?? m[3] ?? m[4]) === 'electron'));
  assert.deepEqual(offenders.map((f) => relative(root, f)), []);
});

test('Bad layering: the renderer imports main-process code as types only', () => {
  const offenders: string[] = [];
  // The verify page (verify.html inside each package) is a separate program that bundles
  // the verification code itself; its own rule is below.
  for (const f of filesUnder(join(root, 'src-renderer'), /\.tsx?$/).filter((f) => !relative(root, f).startsWith(join('src-renderer', 'verify-page')))) {
    for (const m of importsOf(f)) {
      const spec = m[2] ?? m[3] ?? m[4] ?? '';
      if (spec.includes('src-main') && !m[1]) offenders.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('Bad layering: the verify page bundles only the verification code (chain, export, verify), never the app, sources, cache or front doors', () => {
  const offenders: string[] = [];
  for (const f of filesUnder(join(root, 'src-renderer', 'verify-page'), /\.ts$/)) {
    for (const m of importsOf(f)) {
      const spec = m[2] ?? m[3] ?? m[4] ?? '';
      if (spec.includes('src-main') && !/src-main\/core\/(chain|export|verify)\//.test(spec)) offenders.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});
