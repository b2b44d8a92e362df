import type { anomaliesContract } from '../../contract/anomalies.js';
import { anomalyContext, listAnomalies, listReviews, reviewAnomaly } from '../../anomalies/review.js';
import { findings } from '../../anomalies/findings.js';
import type { HandlersFor } from './types.js';

export const anomaliesHandlers: HandlersFor<typeof anomaliesContract> = {
  'anomalies.list': async (input, ctx) => listAnomalies(ctx.cache(), input),
  'anomalies.context': async ({ tenant, anomalyKey, window }, ctx) => anomalyContext(ctx.cache(), tenant, anomalyKey, window),
  'anomalies.review': async (input, ctx) => reviewAnomaly(ctx.cache(), input),
  'anomalies.reviews': async ({ tenant, anomalyKey }, ctx) => listReviews(ctx.cache(), tenant, anomalyKey),
  'anomalies.findings': async ({ tenant, filter, approvedVersions, minShare }, ctx) => findings(ctx.cache(), tenant, { filter, approvedVersions, minShare }),
};
