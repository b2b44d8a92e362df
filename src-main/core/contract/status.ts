import { z } from 'zod';
import { method } from './define.js';

export interface TenantCounts {
  tenant: string;
  /**
   * null while a bulk fill runs: the counts come from a rollup the fill brings up to date
   * when it ends, and the rows from before it would be a wrong figure (0 on a first fill).
   */
  events: number | null;
  conversations: number | null;
  anomalies: number;
  lastSyncAt: string | null;
}

export interface SourceStatus {
  connectionId: string;
  label: string;
  reachable: boolean;
  readOnly: boolean | null;
  /** e.g. "role auditor holds INSERT on audit_logs: use a least-privilege role" */
  privilegeWarnings: string[];
  /** Row counts per tenant as the source reports them (RLS applied). */
  tenants: { tenant: string; events: number; conversations: number }[];
  error: string | null;
  isDemo: boolean;
}

/**
 * Facet indexes a sync left for later: every result is complete without them, only the
 * timeline's filters are slower until they are built (in the background, job kind 'index').
 */
export interface CacheIndexing {
  /** Indexes still to build. */
  pending: number;
  /** What the background build is doing: 'indexing', 'waiting' for another writer, or null when none runs (it failed, or was not started). */
  phase: string | null;
  /** The last background build's error, when it failed. */
  error: string | null;
}

export interface AppStatus {
  version: string;
  frontDoor: 'electron' | 'browser' | 'test';
  cache: { path: string; schemaVersion: number; tenants: TenantCounts[]; indexing: CacheIndexing | null };
  source: SourceStatus | null;
  /** where saved connection passwords live: the OS keychain, or this process's memory only */
  secrets: { store: 'keychain' | 'memory'; note: string | null };
  checkedAt: string;
}

export const statusContract = {
  'status.get': method<AppStatus>()(z.object({ refreshSource: z.boolean().optional() }).strict()),
};
