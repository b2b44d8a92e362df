// Issue 12: no import cycle among the modules of src-main and src-renderer. A cycle makes
// load order decide which module sees the other half-initialised, and it erases the
// layering the folder order promises. Type-only imports count too: they tie the modules'
// meanings together even when the compiler erases them. The test names each cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

const root = projectRoot();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** The project file a relative specifier names (`./x.js` is `./x.ts` or `./x.tsx` in the source). */
function resolveImport(from: string, spec: string): string | null {
  const base = join(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Strongly connected components of more than one module (Tarjan), each as a list of files. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('no import cycle in src-main or src-renderer (type-only imports included)', () => {
  const graph = new Map<string, string[]>();
  for (const f of [...sources(join(root, 'src-main')), ...sources(join(root, 'src-renderer'))]) {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => resolveImport(f, (m[1] ?? m[2])!)).filter((t): t is string => t !== null);
    graph.set(relative(root, f), [...new Set(targets.map((t) => relative(root, t)))]);
  }
  assert.ok(graph.size > 100, `the walk found the modules (${graph.size})`);
  assert.deepEqual(cycles(graph), [], 'each list is a cycle of imports: move the shared part into a module both can import');
});
