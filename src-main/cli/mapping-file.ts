// A table mapping file (--mapping), read the same way by every command that takes one.
import { readFileSync } from 'node:fs';
import type { TableMapping } from '../core/source/index.js';
import { UserError } from '../core/util/errors.js';

export async function readMapping(path: string): Promise<TableMapping> {
  const { tableMappingSchema } = await import('../core/app/config.js');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the mapping file ${path} (${(e as Error).message}).`, 'E_MAPPING', 'It must be a JSON object, e.g. {"events": "roche_audit_logs"}.');
  }
  const parsed = tableMappingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`mapping file ${path} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`, 'E_MAPPING', 'See docs/sync.md#mapping.');
  }
  return parsed.data;
}
