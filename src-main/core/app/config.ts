// The app's own settings (connection profiles without passwords, preferences),
// kept as JSON in the data folder and replaced atomically on every save.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { connectionProfileSchema } from '../contract/connection-profile.js';

export { tableMappingSchema, connectionProfileSchema, type ConnectionProfile } from '../contract/connection-profile.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

const configSchema = z.object({
  connections: z.array(connectionProfileSchema).default([]),
  activeConnectionId: z.string().nullable().default(null),
  preferences: z.record(z.string(), z.unknown()).default({}),
  /** Signers the user marked trusted (issue 11): their packages verify as "valid". */
  trustedSigners: z.array(z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), label: z.string().max(200), addedAt: z.string().max(40) }).strict()).default([]),
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
