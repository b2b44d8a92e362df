// Polls a background job (sync, verify, export) until it leaves "running". The work runs
// in the main process; the UI only reads progress, so it never blocks.
import { useEffect, useState } from 'react';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { api, errorMessage } from '../api/client.js';

const POLL_MS = 300;

export function useJob(jobId: string | null): { job: JobStatus | null; error: string | null } {
  // Each answer is kept with the id it was read for, so a new id shows nothing until its own first poll answers.
  const [seen, setSeen] = useState<{ jobId: string; job: JobStatus | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const status = await api['jobs.get']({ jobId });
        if (stopped) return;
        setSeen({ jobId, job: status, error: null });
        if (status.state === 'running') timer = setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (!stopped) setSeen((prev) => ({ jobId, job: prev?.jobId === jobId ? prev.job : null, error: errorMessage(e) }));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobId]);
  const mine = seen && jobId !== null && seen.jobId === jobId ? seen : null;
  return { job: mine?.job ?? null, error: mine?.error ?? null };
}
