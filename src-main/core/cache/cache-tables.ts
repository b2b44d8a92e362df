// Where each kind of source table lives in the cache, and its time column: one fact the
// sync's writer, its drift recorder, its recheck and its seals all read (in cache/, below
// them, so none of them imports another for it).
import type { TableKind } from './record-mapping.js';

export const CACHE_TABLE: Record<TableKind, { table: string; pk: string; recordKind?: 'event' | 'conversation' }> = {
  events: { table: 'records', pk: 'rid', recordKind: 'event' },
  conversations: { table: 'records', pk: 'rid', recordKind: 'conversation' },
  anomalies: { table: 'anomalies', pk: 'aid' },
  access: { table: 'access_log', pk: 'lid' },
};

/** Cache column that holds the row time, used for the (time, id) order. */
export const CACHE_TIME_COLUMN: Record<TableKind, string> = { events: 'ts', conversations: 'ts', anomalies: 'detected_at', access: 'accessed_at' };
