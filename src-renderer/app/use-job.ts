// Polls a background job (sync, verify, export) until it leaves "running". The work runs
// in the main process; the UI only reads progress, so it never blocks.
import { useEffect, useRef, useState } from 'react';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { api, errorMessage } from '../api/client.js';

const POLL_MS = 300;

export function useJob(jobId: string | null): { job: JobStatus | null; error: string | null } {
  const [job, setJob] = useState<JobStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(jobId);
  current.current = jobId;
  useEffect(() => {
    setJob(null);
    setError(null);
    if (!jobId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const status = await api['jobs.get']({ jobId });
        if (current.current !== jobId) return;
        setJob(status);
        if (status.state === 'running') timer = setTimeout(poll, POLL_MS);
      } catch (e) {
        if (current.current === jobId) setError(errorMessage(e));
      }
    };
    void poll();
    return () => clearTimeout(timer);
  }, [jobId]);
  return { job, error };
}
