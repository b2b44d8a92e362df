// Contract methods for anomalies. Filled in by the anomalies work.
export const anomaliesContract = {};
