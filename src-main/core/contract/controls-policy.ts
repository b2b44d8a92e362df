// The auditor's control policy as data: every field optional, defaults from issue 15.
// Pure (no Node APIs): the contract validates the Controls screen's policy with it.
// The report's shape is here too, so the contract needs nothing from the engine.
import { z } from 'zod';

const regexText = z
  .string()
  .min(1)
  .refine((s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

export const controlsPolicySchema = z
  .object({
    archiveAfterDays: z.number().int().positive().default(365),
    deleteAfterYears: z.number().int().positive().default(7),
    accessLogWindowSeconds: z.number().int().positive().default(300),
    /** access_type values that record an export in the access log */
    exportAccessTypes: z.array(z.string().min(1)).min(1).default(['export']),
    maxTemperature: z.number().nonnegative().default(1.0),
    /** case-insensitive regular expression on agent id or deployment id */
    productionPattern: regexText.default('prod'),
    /** safety_mode values that count as relaxed (compared case-insensitively) */
    relaxedSafetyModes: z.array(z.string().min(1)).min(1).default(['relaxed', 'off', 'disabled', 'none']),
    configChangeWindowHours: z.number().positive().default(24),
  })
  .strict();

export type ControlsPolicy = z.output<typeof controlsPolicySchema>;

export const CONTROL_STATUSES = ['pass', 'fail', 'warn', 'not_applicable', 'error'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export interface ControlResult {
  id: string;
  status: ControlStatus;
  summary: string;
  evidence: Record<string, unknown>;
  queries: string[];
}

export const CONTROLS_FORMAT = 'auditdesk-controls-v1';

export interface ControlsReport {
  format: typeof CONTROLS_FORMAT;
  checkedAt: string;
  source: { label: string; fingerprint: string };
  policy: ControlsPolicy;
  tenants: { tenant: string; controls: ControlResult[] }[];
}
