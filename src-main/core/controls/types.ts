// A control tests one promise a source system makes (docs/controls.md). Every verdict
// carries the evidence it rests on and the exact read-only SQL that produced it.
import type { DiscoveredTables, Row, SourceSession, SourceTable, TableMapping } from '../source/index.js';
import type { ControlsPolicy } from './policy.js';
import type { DlqFile } from './dlq-file.js';

import type { ControlResult, ControlStatus } from '../contract/controls-policy.js';

// Re-exported: the report's shapes live in the contract (a leaf, issue 12).
export { CONTROL_STATUSES, type ControlResult, type ControlStatus } from '../contract/controls-policy.js';

/** What a control decides; the engine adds its id and the queries it ran. */
export interface ControlOutcome {
  status: Exclude<ControlStatus, 'error'>;
  summary: string;
  evidence: Record<string, unknown>;
}

export interface ControlContext {
  tenant: string;
  tables: DiscoveredTables;
  /** The mapping the tables were discovered with (engines that rediscover need it). */
  mapping: TableMapping | undefined;
  policy: ControlsPolicy;
  dlq: DlqFile[];
  session: SourceSession;
  /** Results of the controls that ran before this one, for this tenant. */
  earlier: ReadonlyMap<string, ControlResult>;
  /**
   * One read-only statement, its text recorded as evidence. `tenant` (default: the
   * tenant under test) is set as app.current_tenant_id; null runs with none set.
   */
  query(sql: string, params?: unknown[], tenant?: string | null): Promise<Row[]>;
  /** Records a statement another engine ran on the control's behalf (chain.intact). */
  record(sql: string): void;
}

export interface Control {
  id: string;
  run(ctx: ControlContext): Promise<ControlOutcome>;
}

/** A control that cannot run says why; the engine turns it into status `error`, never a pass. */
export class ControlCannotRun extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ControlCannotRun';
  }
}

export type { SourceTable };
