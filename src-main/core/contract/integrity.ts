// Contract methods for integrity. Filled in by the integrity work.
export const integrityContract = {};
