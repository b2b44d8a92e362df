// Sync defaults, apart from the sync itself so that the CLI's help can print them
// without loading it.

/**
 * Rows per cache transaction. Rows of a batch outlive a young-generation collection
 * while the batch waits for its digests, so bigger batches mean more garbage in the old
 * generation: the CLI's sync of the 1M-event demo (every table) peaked at 316 MB RSS
 * with 5,000 rows a batch, ~40 MB less with 1,000-2,000, at the same CPU time.
 */
export const DEFAULT_BATCH_ROWS = 2000;
