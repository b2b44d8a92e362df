// Contract for engagements (issue 13): one folder per investigation, its cache and
// connection profiles inside; the app works on one open engagement at a time.
import { z } from 'zod';
import { method } from './define.js';
import type { NotCheckedHere } from './integrity.js';

export interface SourceRef {
  /** host:port/db, never a password */
  label: string;
  /** sha256 of the server's system identifier and database name */
  fingerprint: string;
}

export interface EngagementView {
  /** the folder, absolute: the engagement's identity */
  dir: string;
  name: string;
  client: string;
  purpose: string;
  createdBy: string;
  createdAt: string;
  periodFrom: string | null;
  periodTo: string | null;
  demo: boolean;
  open: boolean;
  /** the folder (or its engagement.json) is gone or unreadable: listed so the user can close it */
  problem: string | null;
  lastSyncAt: string | null;
  sources: SourceRef[];
  /**
   * the latest verification recorded in the engagement, naming the source it was about;
   * `cacheDamaged`: a verdict or an export found the cache damaged since, so it no longer applies;
   * `limited`: a chain of it is intact only as far as its stated limits allow (a first sync has no earlier anchor);
   * `notCheckedHere`: why it is not a check made on this workstation (another auditor's key, or a
   * record no auditor key signed), else null: never shown as this auditor's verdict
   */
  verdict: { intact: boolean; checkedAt: string; source: SourceRef | null; cacheDamaged: boolean; limited: boolean; notCheckedHere: NotCheckedHere | null } | null;
}

export interface EngagementList {
  engagements: EngagementView[];
  /** things the user should be told once, e.g. that the old shared cache became an engagement */
  notices: string[];
}

const dir = z.string().min(1).max(4096);
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
const details = {
  name: z.string().trim().min(1, 'Give the engagement a name.').max(200),
  client: z.string().trim().max(200).optional(),
  purpose: z.string().trim().max(2000).optional(),
  createdBy: z.string().trim().max(200).optional(),
  periodFrom: isoDay.nullable().optional(),
  periodTo: isoDay.nullable().optional(),
};

export const engagementsContract = {
  'engagements.list': method<EngagementList>()(z.object({}).strict()),
  /** A new, empty engagement (in the data folder unless `dir` names a new folder), opened unless open is false. */
  'engagements.create': method<EngagementView>()(z.object({ ...details, dir: dir.optional(), open: z.boolean().optional() }).strict()),
  /** Opens a known engagement, or any engagement folder (e.g. one handed over), closing the current one. */
  'engagements.open': method<EngagementView>()(z.object({ dir }).strict()),
  'engagements.rename': method<EngagementView>()(z.object({ dir, name: details.name, client: details.client }).strict()),
  /** Takes an engagement off the list; its folder stays on disk and can be opened again. Not the open one. */
  'engagements.close': method<{ closed: boolean }>()(z.object({ dir }).strict()),
  /** One ZIP of the whole folder (default: next to it, named after it and today). */
  /** Where a package of this tenant goes by default: the open engagement's exports/ folder, `<client>-<tenant>-<period>-<date>.zip`. */
  'engagements.defaultExportPath': method<{ path: string }>()(z.object({ tenant: z.string().min(1).max(200) }).strict()),
  'engagements.archive': method<{ out: string; bytes: number; files: number }>()(z.object({ dir, out: dir.optional() }).strict()),
};
