// Contract methods for records. Filled in by the records work.
export const recordsContract = {};
