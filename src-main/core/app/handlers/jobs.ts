import { jobsContract } from '../../contract/jobs.js';
import { UserError } from '../../util/errors.js';
import type { HandlersFor } from './types.js';

export const jobsHandlers: HandlersFor<typeof jobsContract> = {
  'jobs.get': async ({ jobId }, ctx) => {
    const job = ctx.jobs.get(jobId);
    if (!job) throw new UserError(`no job ${jobId} (jobs live only as long as the app runs).`, 'E_NOT_FOUND');
    return job;
  },
  'jobs.cancel': async ({ jobId }, ctx) => ({ cancelled: ctx.jobs.cancel(jobId) }),
  'jobs.list': async (_input, ctx) => ctx.jobs.list(),
};
