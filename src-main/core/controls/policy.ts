// The auditor's control policy: every field optional, defaults from issue 15. The
// effective policy (defaults filled in) is printed with every run and kept in packages.
import { readFileSync } from 'node:fs';
import { controlsPolicySchema, type ControlsPolicy } from '../contract/controls-policy.js';
import { UserError } from '../util/errors.js';

export { controlsPolicySchema, type ControlsPolicy };

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
