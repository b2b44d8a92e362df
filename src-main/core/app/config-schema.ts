// Connection profiles as the contract sees them: pure (no Node APIs), so the
// renderer can type-check against the contract without Node's types.
import { z } from 'zod';

export const tableMappingSchema = z
  .object({
    events: z.string().min(1).max(200).optional(),
    conversations: z.string().min(1).max(200).optional(),
    anomalies: z.string().min(1).max(200).optional(),
    access: z.string().min(1).max(200).optional(),
    /** source column → our field name, per table kind, e.g. {"events": {"occurred_at": "created_at"}} */
    columns: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  })
  .strict();

export const connectionProfileSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(5432),
    database: z.string().min(1).max(200),
    user: z.string().min(1).max(200),
    sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).default('disable'),
    sslRootCert: z.string().max(4096).optional(),
    tenants: z.array(z.string().min(1).max(200)).max(100).default([]),
    schema: z.string().min(1).max(200).default('public'),
    mapping: tableMappingSchema.optional(),
    isDemo: z.boolean().optional(),
  })
  .strict();

export type ConnectionProfile = z.output<typeof connectionProfileSchema>;
