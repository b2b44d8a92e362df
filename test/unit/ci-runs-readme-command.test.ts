// The brief's rule: CI runs exactly the test command README.md opens with. Both are read
// here as lists of commands, so a step added to one (lint, say) and not the other fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src-main/core/util/paths.js';

const root = projectRoot();

test(".ci/run runs the README's test command, step for step", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  const testLine = firstBlock.split('\n').find((l) => /\bnpm test\b/.test(l))!;
  const readmeSteps = testLine
    .replace(/#.*$/, '')
    .split('&&')
    .map((s) => s.trim());
  const ciSteps = readFileSync(join(root, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
  assert.deepEqual(ciSteps, readmeSteps);
  assert.ok(readmeSteps.includes('npm run lint'), 'lint is part of the test command');
});
