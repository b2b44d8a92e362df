import type { Handlers } from './types.js';
import { jobsHandlers } from './jobs.js';
import { statusHandlers } from './status.js';
import { recordsHandlers } from './records.js';
import { anomaliesHandlers } from './anomalies.js';

export const handlers = {
  ...statusHandlers,
  ...jobsHandlers,
  ...recordsHandlers,
  ...anomaliesHandlers,
} satisfies Handlers;
