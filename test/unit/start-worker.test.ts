import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const startWorkerModule = fileURLToPath(new URL('../../src-main/core/util/start-worker.js', import.meta.url));
const echo = new URL('../helpers/echo-worker.js', import.meta.url).href;

/** Starts the echo worker through startWorker in a child node run with `flags`; returns the worker's execArgv. */
function workerFlagsUnder(flags: string[]): string[] {
  const script = `
    import { startWorker } from ${JSON.stringify(startWorkerModule)};
    const w = startWorker(new URL(${JSON.stringify(echo)}));
    w.once('message', (m) => { process.stdout.write(JSON.stringify(m.execArgv)); void w.terminate(); });
  `;
  return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
}

test('a worker gets the parent flags it can take, without --input-type', () => {
  assert.deepEqual(workerFlagsUnder(['--enable-source-maps']), ['--enable-source-maps']);
});

test('a parent run with a per-process flag (--max-old-space-size) still starts its workers, without the flags', () => {
  // new Worker() with these flags throws ERR_WORKER_INVALID_EXEC_ARGV: a sync or verify started
  // as `node --max-old-space-size=4096 auditdesk …` used to fail at its first worker.
  assert.deepEqual(workerFlagsUnder(['--max-old-space-size=512']), []);
  assert.deepEqual(workerFlagsUnder(['--max-semi-space-size=4', '--enable-source-maps']), []);
});
