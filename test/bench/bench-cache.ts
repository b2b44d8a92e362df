// The large timeline cache both UI benches read: generated once (about two
// minutes for 1,000,000 rows) and reused from the temp folder on later runs.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRecordsFixture } from '../helpers/records-fixture.js';

const GENERATOR_VERSION = 1;

export function benchCachePath(rows: number): { path: string; generatedMs: number | null } {
  const dir = join(tmpdir(), 'auditdesk-bench');
  mkdirSync(dir, { recursive: true });
  // Reused across runs; openCache brings an older file up to the current schema.
  const path = join(dir, `ui-queries-${rows}-g${GENERATOR_VERSION}.sqlite`);
  if (existsSync(path)) return { path, generatedMs: null };
  const partial = `${path}.partial`;
  for (const p of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(p, { force: true });
  const t0 = performance.now();
  const fx = createRecordsFixture({
    path: partial,
    events: Math.round(rows * 0.6),
    conversations: rows - Math.round(rows * 0.6),
    anomalies: 2000,
    seed: 1,
    digest: 'fast',
    keepRows: false,
    bulkFts: true,
  });
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  fx.close();
  renameSync(partial, path);
  return { path, generatedMs: performance.now() - t0 };
}
