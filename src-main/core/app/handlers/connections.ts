// Connection profiles: saved without passwords in the settings file; passwords go
// to ctx.secrets and only `hasPassword` comes back out.
import type { ConnectionTestResult, ConnectionView, MappingFields, connectionsContract } from '../../contract/connections.js';
import type { ConnectionProfile } from '../config.js';
import type { AppContext } from '../context.js';
import { connectSource, labelOf, type SourceTable } from '../../source/index.js';
import { DEFAULT_TABLE_NAMES, TABLE_KINDS } from '../../source/discover.js';
import { KNOWN_FIELDS } from '../../cache/record-mapping.js';
import { UserError, isUserError } from '../../util/errors.js';
import { checkKeptPassword, hasStoredPassword, passwordFor, passwordKey, savePassword } from '../source-passwords.js';
import type { HandlersFor } from './types.js';

export { passwordKey } from '../source-passwords.js';

/** The saved profile (the active one without an id) and the password saved for its very target. */
export async function profileWithPassword(ctx: AppContext, connectionId?: string): Promise<{ profile: ConnectionProfile; password: string | undefined }> {
  const profile = savedProfile(ctx, connectionId);
  return { profile, password: await passwordFor(ctx, profile) };
}

function savedProfile(ctx: AppContext, connectionId?: string): ConnectionProfile {
  const config = ctx.config.read();
  const id = connectionId ?? config.activeConnectionId;
  const profile = config.connections.find((c) => c.id === id);
  if (!profile) {
    throw new UserError(id ? `no saved connection "${id}".` : 'no active connection.', 'E_NOT_FOUND', 'Add one under Connections (or pick the active one).');
  }
  return profile;
}

async function viewOf(ctx: AppContext, p: ConnectionProfile, activeId: string | null): Promise<ConnectionView> {
  return {
    ...p,
    label: labelOf(p.host, p.port, p.database),
    hasPassword: await hasStoredPassword(ctx, p),
    active: p.id === activeId,
  };
}

/** `password`: asked for inside the test, so a refusal (E_PASSWORD_NEEDED) is reported like any other failure. */
export async function testConnection(profile: ConnectionProfile, password: () => Promise<string | undefined>): Promise<ConnectionTestResult> {
  const label = labelOf(profile.host, profile.port, profile.database);
  const result: ConnectionTestResult = {
    ok: false,
    connected: false,
    label,
    error: null,
    errorCode: null,
    serverVersion: null,
    readOnly: null,
    tables: {},
    privilegeWarnings: [],
    tenants: [],
    notices: [],
  };
  let session;
  try {
    session = await connectSource(profile, { password: await password(), statementTimeoutMs: 30_000 });
    result.notices = [...session.notices];
    const fp = await session.fingerprint();
    result.connected = true;
    result.serverVersion = fp.serverVersion;
    result.readOnly = await session.isReadOnly();
    const tables = await session.discover(profile.mapping);
    for (const t of Object.values(tables) as SourceTable[]) result.tables[t.kind] = `${t.schema}.${t.name}`;
    result.privilegeWarnings = await session.privilegeWarnings(tables);
    result.tenants = await session.tenants();
    result.ok = true;
  } catch (e) {
    result.error = isUserError(e) ? e.message : (e as Error).message;
    result.errorCode = isUserError(e) ? e.code : 'E_INTERNAL';
  } finally {
    await session?.close();
  }
  return result;
}

export const connectionsHandlers: HandlersFor<typeof connectionsContract> = {
  'connections.list': async (_input, ctx) => {
    const config = ctx.config.read();
    return Promise.all(config.connections.map((c) => viewOf(ctx, c, config.activeConnectionId)));
  },

  'connections.save': async ({ profile, password, makeActive }, ctx) => {
    if (password === undefined) await checkKeptPassword(ctx, profile);
    if (password !== undefined && password !== null) await savePassword(ctx, profile, password);
    if (password === null) await ctx.secrets.delete(passwordKey(profile.id));
    const config = ctx.config.update((c) => {
      const i = c.connections.findIndex((x) => x.id === profile.id);
      if (i >= 0) c.connections[i] = profile;
      else c.connections.push(profile);
      if (makeActive || c.activeConnectionId === null) c.activeConnectionId = profile.id;
    });
    return viewOf(ctx, profile, config.activeConnectionId);
  },

  'connections.delete': async ({ id }, ctx) => {
    let deleted = false;
    ctx.config.update((c) => {
      const before = c.connections.length;
      c.connections = c.connections.filter((x) => x.id !== id);
      deleted = c.connections.length !== before;
      if (c.activeConnectionId === id) c.activeConnectionId = c.connections[0]?.id ?? null;
    });
    await ctx.secrets.delete(passwordKey(id));
    return { deleted };
  },

  'connections.setActive': async ({ id }, ctx) => {
    const config = ctx.config.update((c) => {
      if (id !== null && !c.connections.some((x) => x.id === id)) {
        throw new UserError(`no saved connection "${id}".`, 'E_NOT_FOUND');
      }
      c.activeConnectionId = id;
    });
    return { activeConnectionId: config.activeConnectionId };
  },

  'connections.mappingFields': async () => ({
    defaultTables: { ...DEFAULT_TABLE_NAMES },
    fields: Object.fromEntries(TABLE_KINDS.map((k) => [k, Object.keys(KNOWN_FIELDS[k])])) as MappingFields['fields'],
  }),

  'connections.test': async (input, ctx) => {
    if ('id' in input) {
      const profile = savedProfile(ctx, input.id);
      return testConnection(profile, () => passwordFor(ctx, profile));
    }
    const { profile, password } = input;
    return testConnection(profile, () => passwordFor(ctx, profile, password));
  },
};
