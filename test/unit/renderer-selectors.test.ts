// Issue 16: `useApp((s) => s.status?.cache.tenants ?? [])` returned a new [] on every
// render while the status had not loaded; zustand saw a changed value each time and React
// gave up (error #185): #/anomalies and #/export opened as a white page. The rule that makes
// the class impossible: a selector passed to a zustand store hook must return something the
// store holds (or a shared constant), never a value it builds, unless useShallow compares it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

const root = projectRoot();

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourcesUnder(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

/** The text between the parenthesis at `open` and its match. */
function argumentAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

// What builds a fresh value each call: an empty or literal array/object (also as a fallback),
// a spread, or an array method that copies.
const FRESH_VALUE =
  /\?\?\s*[[{]|\|\|\s*[[{]|=>\s*\(?\s*[[{]|\?[^:]*:\s*[[{]|\[\s*\.\.\.|\.(filter|map|slice|concat|flatMap|toSorted|entries|keys|values)\(|Object\.(keys|values|entries|fromEntries|assign)\(/;

/** Every `useStore((s) => …)` call of the renderer whose selector would build a fresh value. */
function freshValueSelectors(files: string[]): string[] {
  const sources = files.map((f) => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));
  const stores = new Set(sources.flatMap(({ text }) => [...text.matchAll(/const\s+(use[A-Z]\w*)\s*=\s*create\b/g)].map((m) => m[1]!)));
  const offenders: string[] = [];
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/\b(use[A-Z]\w*)\s*\(/g)) {
      if (!stores.has(m[1]!)) continue;
      const selector = argumentAt(text, m.index + m[0].length - 1).trim();
      if (selector === '' || /^useShallow\s*\(/.test(selector)) continue;
      if (FRESH_VALUE.test(selector)) offenders.push(`${file}:${text.slice(0, m.index).split('\n').length}: ${selector.replace(/\s+/g, ' ')}`);
    }
  }
  return offenders;
}

test('the rule sees the selector that broke #/anomalies and #/export, and lets stable ones pass', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditdesk-selectors-'));
  const sample = [
    'export const useApp = create<S>(() => ({}));',
    'const a = useApp((s) => s.status?.cache.tenants ?? []);', // the bug
    'const b = useApp((s) => s.items.filter((x) => x.ok));',
    'const c = useApp((s) => ({ x: s.x, y: s.y }));',
    'const d = useApp((s) => s.status?.cache.tenants ?? NO_TENANTS);',
    'const e = useApp(useShallow((s) => ({ x: s.x })));',
    'const f = useApp((s) => s.route.params);',
  ].join('\n');
  writeFileSync(join(dir, 'sample.tsx'), sample);
  try {
    const found = freshValueSelectors([join(dir, 'sample.tsx')]).map((o) => o.replace(/^.*?:(\d+):.*$/, '$1'));
    assert.deepEqual(found, ['2', '3', '4']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no zustand selector in the renderer returns a freshly built array or object (use a shared constant or useShallow)', () => {
  assert.deepEqual(freshValueSelectors(sourcesUnder(join(root, 'src-renderer'))), []);
});
