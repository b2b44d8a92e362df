// The CLI's sync runs in a worker thread, as the app's does (core/app/sync-job.ts), for
// the same memory reason: only a worker's heap can be bounded from inside the process
// (SYNC_WORKER_LIMITS), and that bound is what keeps a large first fill inside the
// 300 MB budget (docs/sync.md). This thread keeps the terminal: progress, Ctrl-C, output.
import type { SyncAndCheckpointOptions, SyncWithVerdict } from '../core/verify/sync-verdict.js';
import type { SyncProgress } from '../core/sync/progress.js';
import type { HandlerContext } from '../core/util/worker-rpc.js';

/** Everything the sync needs, as plain data (it crosses to the worker by structured clone). */
export interface CliSyncInput {
  source: string;
  password: string | undefined;
  statementTimeoutMs: number;
  allowCleartextPassword: boolean | undefined;
  cachePath: string;
  dataDir: string;
  options: Omit<SyncAndCheckpointOptions, 'key' | 'cachePath' | 'signal' | 'onProgress' | 'verdictRows'>;
}

/** The sync on whichever thread runs it: its own cache connection and source session. */
export async function runCliSync(input: CliSyncInput, { progress, signal }: HandlerContext<SyncProgress>): Promise<SyncWithVerdict> {
  const [{ openCache }, { connectSource }, { syncAndCheckpoint }, { loadOrCreateAuditorKey }] = await Promise.all([
    import('../core/cache/open.js'),
    import('../core/source/index.js'),
    import('../core/verify/sync-verdict.js'),
    import('../core/identity/auditor-key.js'),
  ]);
  const db = openCache(input.cachePath);
  try {
    const session = await connectSource(input.source, {
      password: input.password,
      statementTimeoutMs: input.statementTimeoutMs,
      allowCleartextPassword: input.allowCleartextPassword,
      signal,
    });
    try {
      return await syncAndCheckpoint(session, db, {
        ...input.options,
        signal,
        onProgress: (p) => progress(p),
        key: loadOrCreateAuditorKey(input.dataDir),
        cachePath: input.cachePath,
      });
    } finally {
      await session.close();
    }
  } finally {
    db.close();
  }
}
