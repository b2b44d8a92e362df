import type { recordsContract } from '../../contract/records.js';
import { queryRecords, countRecords } from '../../records/query.js';
import { recordFacets } from '../../records/facets.js';
import { recordHistogram } from '../../records/histogram.js';
import { getRecord, getThread } from '../../records/detail.js';
import { deleteSavedFilter, listSavedFilters, saveFilter } from '../../records/saved-filters.js';
import type { HandlersFor } from './types.js';
import { existingAuditorKeyId } from '../../identity/auditor-key.js';

export const recordsHandlers: HandlersFor<typeof recordsContract> = {
  'records.query': async (input, ctx) => queryRecords(ctx.cache(), input),
  'records.count': async ({ filter }, ctx) => countRecords(ctx.cache(), filter),
  'records.facets': async (input, ctx) => recordFacets(ctx.cache(), input),
  'records.histogram': async ({ filter, buckets }, ctx) => recordHistogram(ctx.cache(), filter, buckets),
  'records.get': async ({ rid }, ctx) => getRecord(ctx.cache(), rid, existingAuditorKeyId(ctx.dataDir)),
  'records.thread': async ({ tenant, sessionId, limit }, ctx) => getThread(ctx.cache(), tenant, sessionId, limit),
  'filters.saved.list': async (_input, ctx) => listSavedFilters(ctx.cache()),
  'filters.saved.save': async ({ name, filter }, ctx) => saveFilter(ctx.cache(), name, filter),
  'filters.saved.delete': async ({ name }, ctx) => ({ deleted: deleteSavedFilter(ctx.cache(), name) }),
};
