// Worker-thread entry for fillDemoDatabase (see fill.ts for why it runs here).
import { serveCalls } from '../util/worker-rpc.js';
import { fillDemoDatabase, type FillOptions, type FillProgress } from './fill.js';
import type { GroundTruth } from './ground-truth.js';

serveCalls<FillOptions, GroundTruth, FillProgress>((options, { progress }) => fillDemoDatabase(options, progress), { once: true });
