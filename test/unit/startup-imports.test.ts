// What a process loads before it does anything. The read and copy workers start once per
// verification (--jobs N starts N); loading zod cost each of them ~100 ms, half of a
// worker's start, because chain/profile.ts built the named profiles with the contract's
// schema. The profiles are now written out; these tests keep them equal to what the schema
// makes of their names, and keep zod out of the workers. Every `auditdesk` command also
// loaded SQLite, pg and yazl through `engagement` (0.53 s of CPU for --version; 0.31 s
// without them).
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

test("a sync's digest worker does not load the PostgreSQL driver: it only parses COPY text", () => {
  const worker = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'core', 'sync', 'digest-worker.js');
  const packages = packagesLoadedBy(worker);
  assert.ok(packages.has('node:worker_threads'), 'the walk follows its imports');
  for (const driver of ['pg', 'pg-copy-streams']) assert.ok(!packages.has(driver), `the digest worker loads ${driver}`);
});

test('the auditdesk command line loads no database driver or ZIP writer before a command asks for one', () => {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
  const packages = packagesLoadedBy(main);
  assert.ok(packages.has('commander'), 'the walk follows its imports');
  for (const heavy of ['pg', 'better-sqlite3', 'yazl', 'pdfkit']) assert.ok(!packages.has(heavy), `the CLI's start loads ${heavy}`);
});
