// Worker-thread entry of the background index build (index-job.ts).
import { serveCalls } from '../util/worker-rpc.js';
import { buildPendingIndexes, type IndexJobInput, type IndexJobResult } from './index-job.js';
import type { JobControl } from './jobs.js';

serveCalls<IndexJobInput, IndexJobResult, Parameters<JobControl['report']>[0]>(buildPendingIndexes, { once: true });
