// Live status of the active connection for the status line: reachable, read-only,
// privilege warnings and per-tenant row counts as the source reports them (RLS
// applied). Contacting the source costs a round trip, so status.get only does it
// when asked (refreshSource) and otherwise repeats the last answer.
import type { SourceStatus } from '../../contract/status.js';
import { connectSource, labelOf, type SourceTable } from '../../source/index.js';
import { isUserError } from '../../util/errors.js';
import type { AppContext } from '../context.js';
import { passwordFor } from '../source-passwords.js';

const lastAnswer = new WeakMap<AppContext, Map<string, SourceStatus>>();

export async function sourceStatus(ctx: AppContext, refresh: boolean): Promise<SourceStatus | null> {
  const config = ctx.config.read();
  const profile = config.connections.find((c) => c.id === config.activeConnectionId);
  if (!profile) return null;
  const remembered = lastAnswer.get(ctx) ?? new Map<string, SourceStatus>();
  lastAnswer.set(ctx, remembered);
  const label = labelOf(profile.host, profile.port, profile.database);
  const previous = remembered.get(profile.id);
  if (!refresh && previous && previous.label === label) return previous;

  const status: SourceStatus = {
    connectionId: profile.id,
    label,
    reachable: false,
    readOnly: null,
    privilegeWarnings: [],
    tenants: [],
    error: refresh ? null : 'not checked yet',
    isDemo: profile.isDemo ?? false,
  };
  if (!refresh) return status;

  let session;
  try {
    session = await connectSource(profile, { password: await passwordFor(ctx, profile), statementTimeoutMs: 30_000 });
    status.reachable = true;
    status.readOnly = await session.isReadOnly();
    const tables = await session.discover(profile.mapping);
    status.privilegeWarnings = await session.privilegeWarnings(tables);
    const tenants = await session.tenants();
    for (const tenant of tenants) {
      const count = async (t: SourceTable | undefined) => (t ? session!.countRows(t, tenant) : 0);
      status.tenants.push({ tenant, events: await count(tables.events), conversations: await count(tables.conversations) });
    }
  } catch (e) {
    status.error = isUserError(e) ? e.message : `unexpected error: ${(e as Error).message}`;
  } finally {
    await session?.close();
  }
  remembered.set(profile.id, status);
  return status;
}
