import type { Handlers } from './types.js';
import { jobsHandlers } from './jobs.js';
import { statusHandlers } from './status.js';
import { connectionsHandlers } from './connections.js';
import { syncHandlers } from './sync.js';
import { recordsHandlers } from './records.js';
import { anomaliesHandlers } from './anomalies.js';
import { exportHandlers } from './export.js';
import { integrityHandlers } from './integrity.js';
import { controlsHandlers } from './controls.js';
import { reviewHandlers } from './review.js';
import { engagementsHandlers } from './engagements.js';
import { filesHandlers } from './files.js';

export const handlers = {
  ...statusHandlers,
  ...jobsHandlers,
  ...connectionsHandlers,
  ...syncHandlers,
  ...recordsHandlers,
  ...anomaliesHandlers,
  ...exportHandlers,
  ...integrityHandlers,
  ...controlsHandlers,
  ...reviewHandlers,
  ...engagementsHandlers,
  ...filesHandlers,
} satisfies Handlers;
