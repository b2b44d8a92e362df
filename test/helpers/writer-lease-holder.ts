// Holds a cache's writer lease from another process, standing in for a sync of that
// cache run elsewhere (a terminal, another app): the child is lease-holder.ts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LeaseHolderProcess {
  pid: number;
  /** Ends the holder (SIGKILL to die without a word); resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function holdWriterLease(cachePath: string): Promise<LeaseHolderProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./lease-holder.js', import.meta.url)), cachePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the lease holder exited ${code} before it held the lease`)));
  });
  return {
    pid: child.pid!,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      await exited;
    },
  };
}
