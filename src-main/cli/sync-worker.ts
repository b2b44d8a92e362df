// Worker-thread entry of `auditdesk sync` (sync-thread.ts).
import { serveCalls } from '../core/util/worker-rpc.js';
import { runCliSync, type CliSyncInput } from './sync-thread.js';
import type { SyncWithVerdict } from '../core/verify/sync-verdict.js';
import type { SyncProgress } from '../core/sync/progress.js';

serveCalls<CliSyncInput, SyncWithVerdict, SyncProgress>(runCliSync, { once: true });
