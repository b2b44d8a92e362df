// Contract methods for sync. Filled in by the sync work.
export const syncContract = {};
