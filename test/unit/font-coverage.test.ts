// Issue 16: CJK, Arabic and Hebrew text must render (the demo contains CJK prompts). For
// each script, a font the app's font stack names, or the one fontconfig falls back to for
// the stack's generic family, must be installed and cover it (.ci/setup installs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

function familiesCovering(lang: string): string[] {
  const out = execFileSync('fc-list', [`:lang=${lang}`, 'family'], { encoding: 'utf8' });
  return out
    .split('\n')
    .flatMap((line) => line.split(','))
    .map((f) => f.trim())
    .filter(Boolean);
}

const css = readFileSync(join(projectRoot(), 'src-renderer', 'styles.css'), 'utf8');
const bodyStack = /font:\s*14px\/1\.4\s*([^;]+);/.exec(css)?.[1] ?? '';
const stackFamilies = bodyStack.split(',').map((f) => f.trim().replace(/^['"]|['"]$/g, ''));

for (const [lang, sample] of [
  ['zh', '请总结这份报告'],
  ['ja', '報告書を要約してください'],
  ['ar', 'مرحبا'],
  ['he', 'שלום'],
] as const) {
  test(`text in ${lang} (${sample}) has a font: one the app's font stack names is installed and covers it`, () => {
    const covering = new Set(familiesCovering(lang));
    const named = stackFamilies.filter((f) => covering.has(f));
    assert.ok(named.length > 0, `no font in the stack (${stackFamilies.join(', ')}) covers ${lang}; installed for ${lang}: ${[...covering].join(', ') || 'none'} (run .ci/setup)`);
  });
}
