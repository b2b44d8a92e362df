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
  let entries: string[];
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
const importsOf = (file: string) => [
  ...readFileSync(file, 'utf8').matchAll(/(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g),
];

test('Bad layering: only src-main/electron may import electron', () => {
  const offenders = filesUnder(join(root, 'src-main'), /\.(c|m)?ts$/)
    .filter((f) => !relative(root, f).startsWith(join('src-main', 'electron')))
    .filter((f) => importsOf(f).some((m) => (m[2] ?? m[3] ?? m[4]) === 'electron'));
  assert.deepEqual(
    offenders.map((f) => relative(root, f)),
    [],
  );
});

// One exception: the escaping of text from a cache or a source (core/util/printable.ts), so the
// app shows a hidden character exactly as the CLI does; it is pure and imports nothing.
const SHARED_WITH_RENDERER = 'src-main/core/util/printable.js';

test('Bad layering: the renderer imports main-process code only from the contract, and as types only', () => {
  const offenders: string[] = [];
  assert.deepEqual(importsOf(join(root, 'src-main', 'core', 'util', 'printable.ts')), [], 'printable.ts stays free of imports');
  // The verify page (verify.html inside each package) is a separate program that bundles
  // the verification code itself; its own rule is below.
  for (const f of filesUnder(join(root, 'src-renderer'), /\.tsx?$/).filter((f) => !relative(root, f).startsWith(join('src-renderer', 'verify-page')))) {
    for (const m of importsOf(f)) {
      const spec = m[2] ?? m[3] ?? m[4] ?? '';
      if (spec.endsWith(SHARED_WITH_RENDERER)) continue;
      if (spec.includes('src-main') && (!m[1] || !spec.includes('src-main/core/contract/'))) offenders.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

// review/ is there for the reviewer journal and signed decisions a package carries, which the page re-verifies like verify-package.
// The contract is the API's vocabulary (issue 12): the renderer type-checks against it,
// so it must not drag in domain code (and through it Node's fs or key handling).
test('Bad layering: the contract imports nothing but zod and itself', () => {
  const offenders: string[] = [];
  for (const f of filesUnder(join(root, 'src-main', 'core', 'contract'), /\.ts$/)) {
    for (const m of importsOf(f)) {
      const spec = m[2] ?? m[3] ?? m[4] ?? '';
      if (spec !== 'zod' && !/^\.\/[^/]+$/.test(spec)) offenders.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('Bad layering: the verify page bundles only the verification code (util, chain, export, verify, review, journal), never the app, sources, cache or front doors', () => {
  const offenders: string[] = [];
  for (const f of filesUnder(join(root, 'src-renderer', 'verify-page'), /\.ts$/)) {
    for (const m of importsOf(f)) {
      const spec = m[2] ?? m[3] ?? m[4] ?? '';
      if (spec.includes('src-main') && !/src-main\/core\/(util|chain|export|verify|review|journal)\//.test(spec)) offenders.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

// The core's folders in order (issue 12): a folder may import its own and the ones in
// earlier groups, never a later group. Front doors (cli, bridge, electron) sit above all.
const FOLDER_ORDER: string[][] = [
  ['util', 'chain'],
  ['source', 'cache'],
  ['sync', 'verify', 'records', 'anomalies', 'identity', 'engagement', 'journal'],
  // They derive from verification results, anomalies and the sources' catalogues.
  ['review', 'controls', 'demo'],
  ['export'],
  ['app'],
];

test('Bad layering: no core folder imports a folder of a later group (util, chain → source, cache → sync, verify, … → review, controls, demo → export → app)', () => {
  const core = join(root, 'src-main', 'core');
  const rank = new Map(FOLDER_ORDER.flatMap((group, i) => group.map((folder): [string, number] => [folder, i])));
  const upward = new Set<string>();
  const unranked: string[] = [];
  for (const f of filesUnder(core, /\.(c|m)?ts$/)) {
    const folder = relative(core, f).split('/')[0]!;
    if (folder === 'contract') continue;
    for (const m of importsOf(f)) {
      const spec = m[2] ?? m[3] ?? m[4] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = relative(core, join(f, '..', spec)).split('/')[0]!;
      if (target === folder || target === 'contract') continue;
      if (!rank.has(folder) || !rank.has(target)) unranked.push(`${relative(root, f)} -> ${target}`);
      else if (rank.get(target)! > rank.get(folder)!) upward.add(`${relative(root, f)} -> ${target}`);
    }
  }
  assert.deepEqual(unranked, [], 'every core folder has a place in FOLDER_ORDER');
  assert.deepEqual([...upward].sort(), [], 'an upward import: move the code down instead');
});
