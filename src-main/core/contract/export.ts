// Contract methods for export. Filled in by the export work.
export const exportContract = {};
