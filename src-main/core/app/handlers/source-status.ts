import type { SourceStatus } from '../../contract/status.js';
import type { AppContext } from '../context.js';

/**
 * Live status of the active connection. Filled in by the source work (issue 3):
 * until then it reports the configured profile without contacting it.
 */
export async function sourceStatus(ctx: AppContext, _refresh: boolean): Promise<SourceStatus | null> {
  const config = ctx.config.read();
  const profile = config.connections.find((c) => c.id === config.activeConnectionId);
  if (!profile) return null;
  return {
    connectionId: profile.id,
    label: `${profile.host}:${profile.port}/${profile.database}`,
    reachable: false,
    readOnly: null,
    privilegeWarnings: [],
    tenants: [],
    error: 'not checked yet',
    isDemo: profile.isDemo ?? false,
  };
}
