// Contract for the timeline's query side: list, counts, facets, histogram, event
// detail, conversation threads and saved filters. Everything reads the local cache
// (works offline). Output types are plain interfaces: the renderer imports them as types.
import { z } from 'zod';
import { method } from './define.js';
import { recordFilterSchema, FACET_NAMES, type FacetName, type RecordFilterInput } from './record-filter.js';

/** Facet names: tenant, agent, session, channel, eventType, severity, user, modelProvider,
 * modelName, modelVersion, deploymentId, safetyMode (see FACET_COLUMNS in records/filter.ts). */
export type { FacetName, RecordFilterInput };
/** Facets that are numeric ranges or the kind split rather than column values. */
export type RangeFacetName = 'temperature' | 'anomalyScore' | 'kind';

export type RecordKind = 'event' | 'conversation';

/**
 * A piece of text split around full-text matches. The UI renders each segment as
 * TEXT (never as HTML) and marks `match: true` segments, e.g. with <mark>.
 */
export interface TextSegment {
  text: string;
  match: boolean;
}

/** One timeline row: enough for the list; `records.get` has every field. */
export interface RecordSummary {
  rid: number;
  kind: RecordKind;
  tenant: string;
  /** canonical UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`, or what the source printed ('infinity'), or null */
  ts: string | null;
  /** true when ts is missing or a sentinel (null, 1970-01-01, 1601-01-01, infinity) */
  undated: boolean;
  sourceKey: string;
  // events
  seq: number | null;
  eventType: string | null;
  severity: string | null;
  userId: string | null;
  entityType: string | null;
  entityId: string | null;
  // conversations
  agentId: string | null;
  sessionId: string | null;
  channel: string | null;
  modelProvider: string | null;
  modelName: string | null;
  modelVersion: string | null;
  deploymentId: string | null;
  safetyMode: string | null;
  /** as the source printed it (text), e.g. "0.7" or "1.4" */
  temperature: string | null;
  /** highest anomaly score attached to this event, or null */
  anomalyScore: number | null;
  /**
   * A one-line preview: the prompt (conversations) or action_details (events), at most
   * ~200 characters. When the filter has `text`, this is a snippet around the matches.
   */
  preview: TextSegment[];
}

export interface RecordPageCursor {
  ts: string | null;
  rid: number;
}

export interface RecordPage {
  rows: RecordSummary[];
  /** offset of rows[0] in the filtered, ordered list (null when paging by cursor) */
  offset: number | null;
  /** pass as `after` to fetch the next page without OFFSET cost; null at the end */
  nextCursor: RecordPageCursor | null;
  hasMore: boolean;
}

export interface RecordCount {
  total: number;
  events: number;
  conversations: number;
  /**
   * rows with a missing or sentinel timestamp among `total`; null for a plain full-text
   * search, whose count comes from the search index alone (records.histogram has it)
   */
  undated: number | null;
}

export interface FacetValue {
  /** null = the field is empty on those rows (e.g. model fields on system events) */
  value: string | null;
  count: number;
}

export interface FacetResult {
  values: FacetValue[];
  /** true when more distinct values exist than `limit` */
  truncated: boolean;
  /**
   * Set when the counts come from the newest `rows` of the `of` matching records (a
   * facet that would otherwise read hundreds of thousands of rows); show as "≈ … of
   * the latest 5,000". Absent = exact.
   */
  sampled?: { rows: number; of: number };
}

export interface RangeBucket {
  /** inclusive lower bound; null = open */
  min: number | null;
  /** exclusive upper bound; null = open */
  max: number | null;
  label: string;
  count: number;
}

export interface FacetsResult {
  /** counts per value, computed with every filter EXCEPT this facet's own selection */
  facets: Partial<Record<FacetName, FacetResult>>;
  /** conversation temperature ranges (numeric temperature), excluding temperatureMin/Max */
  temperature?: RangeBucket[];
  /** set when the temperature ranges were counted from a sample (see FacetResult.sampled) */
  temperatureSampled?: { rows: number; of: number };
  /** events by highest anomaly score, excluding minAnomalyScore */
  anomalyScore?: RangeBucket[];
  /** counts by kind, excluding the kind selection */
  kind?: { event: number; conversation: number };
}

export interface HistogramBin {
  /** canonical UTC, inclusive */
  start: string;
  /** canonical UTC, exclusive */
  end: string;
  events: number;
  conversations: number;
}

export interface Histogram {
  bins: HistogramBin[];
  /** bin width in seconds (a "nice" step: 1 min, 5 min, 1 h, 1 day, …) */
  bucketSeconds: number;
  /** first and last dated ts in the filtered set; null when nothing is dated */
  from: string | null;
  to: string | null;
  /** rows with missing or sentinel timestamps: counted here, never placed on the axis */
  undated: { events: number; conversations: number };
}

export type ChainStatus = 'verified' | 'broken' | 'unknown';

export interface RecordVersion {
  versionId: number;
  supersededAt: string;
  supersededBySync: number;
  digest: string;
  /** the cached row as it was before the source changed it */
  row: Record<string, unknown>;
}

export interface RecordDetail {
  summary: RecordSummary;
  /** every cached column by name (raw text as the source printed it) */
  fields: Record<string, string | number | null>;
  /** columns the app does not know, by source column name */
  extraFields: Record<string, string | null>;
  model: {
    provider: string | null;
    name: string | null;
    version: string | null;
    deploymentId: string | null;
    temperature: string | null;
    safetyMode: string | null;
    modelInfo: string | null;
  } | null;
  /** pretty-printed JSON (2-space) when the field parses as JSON, else the raw text; null if absent */
  pretty: { actionDetails: string | null; modelConfig: string | null; modelInfo: string | null };
  source: { schema: string; table: string; sourceKey: string; syncId: number; digest: string };
  chain: {
    seq: number | null;
    prevHash: string | null;
    hash: string | null;
    status: ChainStatus;
    /** e.g. "hash mismatch at seq 812" from the latest verification, or why it is unknown */
    detail: string | null;
    verifiedAt: string | null;
  } | null;
  anomalies: { anomalyKey: string; score: number | null; detector: string | null; detectedAt: string | null }[];
  versions: RecordVersion[];
}

export interface ThreadTurn {
  rid: number;
  ts: string | null;
  agentId: string | null;
  channel: string | null;
  prompt: string | null;
  response: string | null;
  modelProvider: string | null;
  modelName: string | null;
  modelVersion: string | null;
  temperature: string | null;
  safetyMode: string | null;
}

export interface Thread {
  tenant: string;
  sessionId: string;
  turns: ThreadTurn[];
  /** true when the session has more than the returned turns (limit reached) */
  truncated: boolean;
}

export interface SavedFilter {
  name: string;
  filter: RecordFilterInput;
  createdAt: string;
}

const filter = recordFilterSchema.default({ kind: 'all' });
const rid = z.number().int().positive();
const RANGE_FACETS: RangeFacetName[] = ['temperature', 'anomalyScore', 'kind'];
const facetOrRange = z.enum([...FACET_NAMES, ...RANGE_FACETS] as [FacetName | RangeFacetName, ...(FacetName | RangeFacetName)[]]);

export const recordsContract = {
  /**
   * A page of the filtered timeline ordered by (ts, rid). Use `offset` for random access
   * (scrollbar jumps) or `after` (the previous page's nextCursor) for sequential paging.
   */
  'records.query': method<RecordPage>('read')(
    z
      .object({
        filter,
        offset: z.number().int().min(0).max(100_000_000).default(0),
        limit: z.number().int().min(1).max(500).default(200),
        order: z.enum(['asc', 'desc']).default('desc'),
        after: z
          .object({ ts: z.string().max(40).nullable(), rid })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  /** Row count of a filter (cached per filter until the next sync). */
  'records.count': method<RecordCount>('read')(z.object({ filter }).strict()),
  /** Facet counts; each facet ignores its own selection so other values stay pickable. */
  'records.facets': method<FacetsResult>('heavy-read')(
    z
      .object({
        filter,
        facets: z.array(facetOrRange).max(20).optional(),
        limit: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
  ),
  'records.histogram': method<Histogram>('heavy-read')(z.object({ filter, buckets: z.number().int().min(10).max(1000).default(120) }).strict()),
  'records.get': method<RecordDetail>('read')(z.object({ rid }).strict()),
  /** A conversation session's prompt/response turns in time order. */
  'records.thread': method<Thread>('read')(
    z
      .object({
        tenant: z.string().min(1).max(500),
        sessionId: z.string().min(1).max(500),
        limit: z.number().int().min(1).max(5000).default(1000),
      })
      .strict(),
  ),
  'filters.saved.list': method<SavedFilter[]>()(z.object({}).strict()),
  /** Saves (or replaces) a named filter. */
  'filters.saved.save': method<SavedFilter>()(z.object({ name: z.string().trim().min(1).max(200), filter: recordFilterSchema }).strict()),
  'filters.saved.delete': method<{ deleted: boolean }>()(z.object({ name: z.string().min(1).max(200) }).strict()),
};
