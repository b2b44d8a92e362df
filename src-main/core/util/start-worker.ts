// Worker threads for the core's parallel work (digests, cache writes, verification).
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The parent's flags without the script it was given to evaluate (-e/-p and --input-type). */
function inheritableFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print')
      i++; // and the script after it
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out;
}

/**
 * A worker thread with the parent's Node flags, so that --cpu-prof and the like reach
 * it too, minus a script given with -e and its --input-type (which would stop a file
 * worker from loading). Node refuses per-process flags in a worker (--max-old-space-size,
 * --max-semi-space-size, …) with ERR_WORKER_INVALID_EXEC_ARGV, thrown by the
 * constructor; the worker then starts without the parent's flags instead of failing
 * the sync or verification that wanted it.
 */
export function startWorker(file: URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  try {
    return new Worker(file, { ...options, execArgv: inheritableFlags(process.execArgv) });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new Worker(file, { ...options, execArgv: [] });
  }
}
