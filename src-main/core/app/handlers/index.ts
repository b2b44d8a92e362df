import type { Handlers } from './types.js';
import { jobsHandlers } from './jobs.js';
import { statusHandlers } from './status.js';

export const handlers = {
  ...statusHandlers,
  ...jobsHandlers,
} satisfies Handlers;
