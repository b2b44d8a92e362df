// Contract methods for connections. Filled in by the connections work.
export const connectionsContract = {};
