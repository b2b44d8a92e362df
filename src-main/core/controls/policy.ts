// The auditor's control policy: every field optional, defaults from issue 15. The
// effective policy (defaults filled in) is printed with every run and kept in packages.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../util/errors.js';

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

export const DEFAULT_POLICY: ControlsPolicy = controlsPolicySchema.parse({});

export function parsePolicy(raw: unknown, origin = 'the policy'): ControlsPolicy {
  const parsed = controlsPolicySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `${origin} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
      'E_POLICY',
      `Every field is optional; known fields: ${Object.keys(DEFAULT_POLICY).join(', ')}.`,
    );
  }
  return parsed.data;
}

export function readPolicyFile(path: string): ControlsPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the policy file ${path} (${(e as Error).message}).`, 'E_POLICY', 'It must be a JSON object such as {"archiveAfterDays": 180}.');
  }
  return parsePolicy(raw, `policy file ${path}`);
}
