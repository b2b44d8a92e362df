// Public face of source access: other domains (verify, export, status) import from here.
export { connectSource, bucketOf, rowHash, newRecheckSecret, keyExpressions } from './session.js';
export type { SourceSession, SourceFingerprint, ConnectOptions, StreamOptions, KeysetPosition, Row, BucketDigest } from './session.js';
export { resolveTarget, parseSourceUrl, labelOf } from './target.js';
export type { SourceTarget, ResolvedTarget, SslMode } from './target.js';
export { DEFAULT_TABLE_NAMES, TABLE_KINDS, describeTable, wantedTables, quoteIdent, qualifiedName } from './discover.js';
export type { DiscoveredTables, SourceTable, SourceColumn, TableMapping, TableRef } from './discover.js';
export { connectError, queryError, ConnectionLostError } from './errors.js';
