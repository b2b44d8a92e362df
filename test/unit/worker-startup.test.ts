// The read and copy workers start once per verification (--jobs N starts N). Loading zod
// cost each of them ~100 ms, half of a worker's start, because chain/profile.ts built the
// named profiles with the contract's schema. The profiles are now written out; these tests
// keep them equal to what the schema makes of their names, and keep zod out of the workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainProfileSchema } from '../../src-main/core/contract/chain-profile.js';
import { NAMED_PROFILES } from '../../src-main/core/chain/profile.js';

test('each named profile is exactly what the schema makes of its name (and encoding)', () => {
  for (const [name, profile] of Object.entries(NAMED_PROFILES)) {
    assert.deepEqual(profile, chainProfileSchema.parse({ name, encoding: profile.encoding }), name);
  }
});

/** The packages a compiled module loads, following its relative imports (type-only ones are gone after tsc). */
function packagesLoadedBy(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith('.')) packagesLoadedBy(resolve(dirname(file), spec), seen, packages);
    else packages.add(spec);
  }
  return packages;
}

test('the read and copy workers of a verification do not load zod', () => {
  const compiled = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'core', 'verify');
  for (const worker of ['read-worker.js', 'copy-worker.js']) {
    const packages = packagesLoadedBy(join(compiled, worker));
    assert.ok(packages.has('node:worker_threads'), `${worker}: the walk follows its imports`);
    assert.ok(!packages.has('zod'), `${worker} loads zod: ${[...packages].join(', ')}`);
  }
});
