// The record filter every front door shares (the timeline, facet counts, the CLI's
// export flags and the manifest), as the contract sees it: data only. records/filter.ts
// turns it into SQL.
import { z } from 'zod';

const list = z.array(z.string().max(500)).max(200).optional();

export const recordFilterSchema = z
  .object({
    tenant: list,
    kind: z.enum(['all', 'event', 'conversation']).default('all'),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    agent: list,
    session: list,
    channel: list,
    eventType: list,
    severity: list,
    user: list,
    modelProvider: list,
    modelName: list,
    modelVersion: list,
    deploymentId: list,
    safetyMode: list,
    temperatureMin: z.number().finite().optional(),
    temperatureMax: z.number().finite().optional(),
    minAnomalyScore: z.number().min(0).max(1).optional(),
    text: z.string().max(500).optional(),
  })
  .strict();

export type RecordFilter = z.output<typeof recordFilterSchema>;
export type RecordFilterInput = z.input<typeof recordFilterSchema>;

/** The facets a filter selects and the timeline counts, in the order screens show them. */
export const FACET_NAMES = ['tenant', 'agent', 'session', 'channel', 'eventType', 'severity', 'user', 'modelProvider', 'modelName', 'modelVersion', 'deploymentId', 'safetyMode'] as const;

export type FacetName = (typeof FACET_NAMES)[number];
