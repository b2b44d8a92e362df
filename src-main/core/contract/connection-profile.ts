// Connection profiles as the contract sees them: pure (no Node APIs), so the
// renderer can type-check against the contract without Node's types.
import { z } from 'zod';
import { NAMED_PROFILE_NAMES } from './chain-profile.js';

export const TABLE_KINDS = ['events', 'conversations', 'anomalies', 'access'] as const;
export type TableKind = (typeof TABLE_KINDS)[number];
const tableName = z
  .string()
  .trim()
  .min(1, 'a mapped table name cannot be empty')
  .max(200)
  .regex(/^[^.]+(\.[^.]+)?$/, 'a table name is "table" or "schema.table"');
const columnName = z.string().trim().min(1, 'a column name cannot be empty').max(200);

export const tableMappingSchema = z
  .object({
    events: tableName.optional(),
    conversations: tableName.optional(),
    anomalies: tableName.optional(),
    access: tableName.optional(),
    /** source column → our field name, per table kind, e.g. {"events": {"occurred_at": "created_at"}} */
    columns: z
      .partialRecord(
        z.enum(TABLE_KINDS),
        z.record(columnName, columnName).refine((renames) => new Set(Object.values(renames)).size === Object.values(renames).length, 'two source columns are renamed to the same field'),
      )
      .optional(),
    /** tenant id → the hash-chain profile its events chain was written with, e.g. {"initech-ai": "jcs-exact-sha256-v2"} (docs/hash-chain.md#profiles) */
    profiles: z
      .record(
        z.string().min(1).max(200),
        z.string().refine((name) => (NAMED_PROFILE_NAMES as readonly string[]).includes(name), { message: `a profile is one of ${NAMED_PROFILE_NAMES.join(', ')}` }),
      )
      .optional(),
  })
  .strict();

export const connectionProfileSchema = z
  .object({
    id: z.string().min(1).max(100),
    // The words a user sees in the connection form when a field is left empty or wrong.
    name: z.string().min(1, { error: 'Give the connection a name.' }).max(200, { error: 'Keep the connection name under 200 characters.' }),
    host: z.string().min(1, { error: 'Give the host name or IP address of the PostgreSQL server.' }).max(255),
    port: z
      .number({ error: 'The port is a number, usually 5432.' })
      .int()
      .min(1, { error: 'The port is a number from 1 to 65535.' })
      .max(65535, { error: 'The port is a number from 1 to 65535.' })
      .default(5432),
    database: z.string().min(1, { error: 'Give the name of the database that holds the audit tables.' }).max(200),
    user: z.string().min(1, { error: 'Give the user name of a read-only role.' }).max(200),
    // New profiles verify the server; the demo's profile says disable explicitly (loopback).
    sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).default('verify-full'),
    sslRootCert: z.string().max(4096).optional(),
    /** send the password in clear text if a non-TLS server asks for it that way (off unless the user says so) */
    allowCleartextPassword: z.boolean().optional(),
    tenants: z.array(z.string().min(1).max(200)).max(100).default([]),
    schema: z.string().min(1).max(200).default('public'),
    mapping: tableMappingSchema.optional(),
    isDemo: z.boolean().optional(),
  })
  .strict();

export type ConnectionProfile = z.output<typeof connectionProfileSchema>;
