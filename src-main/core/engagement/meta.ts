// engagement.json: what the investigation is (name, client, purpose, who opened it
// and when, the period under review). Validated on every read, because the folder
// travels between machines and people and may have been edited by hand.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { engagementPaths } from './paths.js';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');

export const engagementMetaSchema = z
  .object({
    name: z.string().trim().min(1, 'Give the engagement a name.').max(200),
    client: z.string().trim().max(200).default(''),
    purpose: z.string().trim().max(2000).default(''),
    createdBy: z.string().trim().max(200).default(''),
    createdAt: z.string().max(40),
    periodFrom: isoDay.nullable().default(null),
    periodTo: isoDay.nullable().default(null),
    /** the embedded demo tenant's engagement: the only one the app starts the demo database for */
    demo: z.boolean().optional(),
    /** where this engagement's data came from when it was not created empty (e.g. the old shared cache) */
    migratedFrom: z.string().max(4096).optional(),
  })
  .strict()
  .refine((m) => !m.periodFrom || !m.periodTo || m.periodFrom <= m.periodTo, { message: 'the period ends before it starts', path: ['periodTo'] });

export type EngagementMeta = z.output<typeof engagementMetaSchema>;
export type EngagementMetaInput = z.input<typeof engagementMetaSchema>;

export function readEngagementMeta(dir: string): EngagementMeta {
  const { meta } = engagementPaths(dir);
  if (!existsSync(meta)) {
    throw new UserError(`${dir} is not an engagement folder (no engagement.json).`, 'E_ENGAGEMENT', 'Open the folder that holds engagement.json, or create a new engagement.');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(meta, 'utf8'));
  } catch (e) {
    throw new UserError(`${meta} is not valid JSON (${(e as Error).message}).`, 'E_ENGAGEMENT', 'Fix the file by hand; the cache next to it is untouched.');
  }
  const parsed = engagementMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${meta} is invalid at ${issue?.path.join('.') || 'the top'}: ${issue?.message}.`, 'E_ENGAGEMENT', 'Fix the file by hand; the cache next to it is untouched.');
  }
  return parsed.data;
}

export function writeEngagementMeta(dir: string, meta: EngagementMetaInput): EngagementMeta {
  const parsed = engagementMetaSchema.safeParse(meta);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`engagement ${issue?.path.join('.') || 'details'}: ${issue?.message}`, 'E_INPUT');
  }
  writeFileAtomic(engagementPaths(dir).meta, JSON.stringify(parsed.data, null, 2) + '\n');
  return parsed.data;
}
