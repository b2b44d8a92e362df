// Worker-thread entry for fillDemoDatabase (see fill.ts for why it runs here).
import { parentPort, workerData } from 'node:worker_threads';
import { isUserError } from '../util/errors.js';
import { fillDemoDatabase, type FillOptions, type FillProgress } from './fill.js';
import type { GroundTruth } from './ground-truth.js';

export type WorkerMessage =
  { type: 'progress'; progress: FillProgress } | { type: 'done'; groundTruth: GroundTruth } | { type: 'error'; message: string; code?: string; userError: boolean; stack?: string };

const port = parentPort!;
try {
  const groundTruth = await fillDemoDatabase(workerData as FillOptions, (progress) => port.postMessage({ type: 'progress', progress } satisfies WorkerMessage));
  port.postMessage({ type: 'done', groundTruth } satisfies WorkerMessage);
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  port.postMessage({
    type: 'error',
    message: err.message,
    userError: isUserError(e),
    ...(isUserError(e) ? { code: e.code } : {}),
    ...(err.stack ? { stack: err.stack } : {}),
  } satisfies WorkerMessage);
}
