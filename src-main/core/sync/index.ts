// Public face of sync: the app handlers, the CLI and verify import from here.
export { syncToCache } from './sync.js';
export type { SyncOptions, SyncSummary, SyncTableSummary } from './sync.js';
export { compareWithSeal, latestSeal, writeSeal } from './seal.js';
export type { SealRecord, SealComparison } from './seal.js';
export { recheckCachedRows, BucketFold } from './recheck.js';
export type { RecheckResult } from './recheck.js';
export { cachedRows, CACHE_TABLE } from './cache-store.js';
export type { ChangeNote } from './cache-store.js';
export { ProgressMeter, progressLine, terminalProgress } from './progress.js';
export type { SyncProgress } from './progress.js';
export { enterBulkMode, indexesStillToBuild, restoreDeferredSchema } from './deferred.js';
export { listDriftFindings, driftSentence, valuesGiveDigest } from './drift.js';
export type { DriftFinding, DriftChange } from './drift.js';
