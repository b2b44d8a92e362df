// The app's own settings (connection profiles without passwords, preferences),
// kept as JSON in the data folder and replaced atomically on every save.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

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

const configSchema = z.object({
  connections: z.array(connectionProfileSchema).default([]),
  activeConnectionId: z.string().nullable().default(null),
  preferences: z.record(z.string(), z.unknown()).default({}),
});

export type AppConfig = z.output<typeof configSchema>;

export class ConfigStore {
  constructor(readonly path: string) {}

  read(): AppConfig {
    if (!existsSync(this.path)) return configSchema.parse({});
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new UserError(`settings file ${this.path} is not valid JSON (${(e as Error).message}).`, 'E_CONFIG', 'Fix or delete it; connection passwords are not stored there.');
    }
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) {
      throw new UserError(`settings file ${this.path} is invalid at ${parsed.error.issues[0]?.path.join('.')}.`, 'E_CONFIG', 'Fix or delete it.');
    }
    return parsed.data;
  }

  update(change: (config: AppConfig) => void): AppConfig {
    const config = this.read();
    change(config);
    writeFileAtomic(this.path, JSON.stringify(config, null, 2) + '\n');
    return config;
  }
}
