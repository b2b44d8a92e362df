// What the demo planted, written to <demo folder>/ground-truth.json, so tests (and a
// curious auditor) know exactly what verification and anomaly review must find.

export const DEMO_TABLES = ['conversation_audit_logs', 'audit_logs', 'audit_anomalies', 'audit_access_log'] as const;
export type DemoTable = (typeof DEMO_TABLES)[number];

export interface ChainAnchor {
  tenant: string;
  table: 'audit_logs';
  /** Head of the chain when the "earlier visit" saved it, before any tampering. */
  last_seq: number;
  head_hash: string;
  row_count: number;
}

export interface Tampering {
  kind: 'modified' | 'deleted' | 'rewritten';
  table: 'audit_logs';
  tenant: string;
  seq: number;
  id: string;
  /** modified/rewritten: the column changed and its printed text before and after. */
  column?: string;
  before?: string | null;
  after?: string | null;
  /** deleted: the stored hash of the row that is gone (the next row's prev_hash still names it). */
  hash?: string;
  /** rewritten: every hash from `seq` to `through_seq` was recomputed, so the tail is self-consistent. */
  through_seq?: number;
}

export interface PlantedEvents {
  tenant: string;
  description: string;
  ids: string[];
  seqs: number[];
  from: string;
  to: string;
}

export interface PlantedConversations {
  tenant: string;
  agent_id: string;
  description: string;
  /** Every affected row (count), listed in `ids` up to 1,000 of them in time order. */
  count: number;
  ids: string[];
  from: string;
  to: string;
}

export interface PlantedConfigChange {
  tenant: string;
  agent_id: string;
  description: string;
  id: string;
  seq: number;
  at: string;
}

// What the demo plants for the controls (controls-plant.ts writes it).
export interface ExpectedControl {
  tenant: string;
  control: string;
  status: 'fail' | 'warn';
  why: string;
}

export interface PlantedControls {
  /** The dead-letter file written into the demo folder (run controls with --dlq <folder>/<file>). */
  dlq: { file: string; lines: string[]; tenant: string; persistedById: string[]; persistedByMatch: string[]; lost: { line: number; entity_id: string }[] };
  /** Exports without an access-log row: the 3 a.m. export batch; every other export has one. */
  uncoveredExports: { tenant: string; ids: string[] };
  /** RLS enabled but not FORCEd on this table (rls.policy warns, for every tenant). */
  notForcedTable: string;
  /** The tenant whose conversations all carry model metadata (its legacy rows were backfilled). */
  describedTenant: string;
  /** A model version change seen in the conversation logs with no config_change/model_deploy event. */
  unannouncedChange: { tenant: string; agent_id: string; from_version: string; to_version: string; first_id: string; at: string } | null;
  /** Every verdict other than pass / not_applicable, with the default policy and --dlq given. */
  expected: ExpectedControl[];
}

export interface GroundTruth {
  generator: string;
  seed: number;
  events: number;
  database: string;
  /** Window the data covers (ISO, UTC); fixed, never "now". */
  window: { from: string; to: string };
  tenants: string[];
  /** Rows per tenant and table as stored after tampering. */
  counts: Record<string, Record<DemoTable, number>>;
  /** Final stored head (max seq) per tenant's audit_logs chain. */
  chainHeads: Record<string, { last_seq: number; hash: string }>;
  tamperedTenant: string;
  /** The hash-chain profile each tenant's audit_logs were written with (docs/hash-chain.md). */
  chainProfiles: Record<string, string>;
  anchor: ChainAnchor;
  tampering: Tampering[];
  incidents: {
    failedLoginBurst: PlantedEvents & { ip: string; target_user: string; success_after: { id: string; seq: number } };
    nightExport: PlantedEvents & { user_id: string; ip: string };
    configChanges: PlantedConfigChange[];
    highTemperature: PlantedConversations & { temperature: string };
    relaxedProductionAgent: PlantedConversations & { safety_mode: 'relaxed' };
    apiKeyInModelConfig: PlantedConversations & { key_prefix: string };
    anomalies: { threshold: number; above: number; below: number; incident_anomaly_ids: string[] };
    /** Conversation rows without model metadata (written before the metadata migration, or by legacy clients). */
    metadataMissing: { before: string; rows: number };
  };
  /** What the controls must find (issue 15): plantings and every expected fail/warn. */
  controls: PlantedControls;
}
