import type { ClientOf } from './define.js';
import { anomaliesContract } from './anomalies.js';
import { connectionsContract } from './connections.js';
import { exportContract } from './export.js';
import { integrityContract } from './integrity.js';
import { jobsContract } from './jobs.js';
import { recordsContract } from './records.js';
import { statusContract } from './status.js';
import { syncContract } from './sync.js';
import { controlsContract } from './controls.js';
import { reviewContract } from './review.js';
import { engagementsContract } from './engagements.js';
import { filesContract } from './files.js';

export const contract = {
  ...statusContract,
  ...jobsContract,
  ...connectionsContract,
  ...syncContract,
  ...recordsContract,
  ...integrityContract,
  ...anomaliesContract,
  ...exportContract,
  ...controlsContract,
  ...reviewContract,
  ...engagementsContract,
  ...filesContract,
};

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type ApiClient = ClientOf<Contract>;
export type { Reply, ApiError, InputOf, OutputOf } from './define.js';
