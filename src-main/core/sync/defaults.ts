// Sync defaults, apart from the sync itself so that the CLI's help can print them
// without loading it.

/**
 * Rows per cache transaction. Rows of a batch outlive a young-generation collection
 * while the batch waits for its digests, so bigger batches mean more garbage in the old
 * generation: the CLI's sync of the 1M-event demo (every table) peaked at 316 MB RSS
 * with 5,000 rows a batch, ~40 MB less with 1,000-2,000, at the same CPU time.
 */
export const DEFAULT_BATCH_ROWS = 2000;

/**
 * The JavaScript heap a sync's thread may grow to (its worker's maxOldGenerationSizeMb).
 * V8 lets the old generation grow to up to 4 × what survived the last full collection
 * when its limit is 2 GB or more (every 64-bit Node process by default), and to ~1.6 ×
 * below 1 GB. A fill's batches outlive young collections (see DEFAULT_BATCH_ROWS), so
 * with the default the garbage of a 1M-row fill of wide rows reached 170-200 MB of
 * heap and the sync 330-390 MB RSS; at 1024 MB its heap stayed under ~95 MB, RSS under
 * 280 MB, at the same wall time (docs/sync.md, "Sixth run"). The live set of a sync is
 * tens of MB, so the limit is far from reached.
 */
export const SYNC_HEAP_LIMIT_MB = 1024;
