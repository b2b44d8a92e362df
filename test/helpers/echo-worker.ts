// A worker that answers with the flags it was started with (start-worker.test.ts).
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage({ execArgv: process.execArgv });
