// Controls as a job on a connection of its own to the source, read-only like every
// source read; the same runControls the CLI's `auditdesk controls` calls.
import type { controlsContract, ControlsReport } from '../../contract/controls.js';
import { runControls } from '../../controls/engine.js';
import { connectSource, type SourceSession } from '../../source/index.js';
import { profileWithPassword } from './connections.js';
import type { HandlersFor } from './types.js';

export const controlsHandlers: HandlersFor<typeof controlsContract> = {
  'controls.run': async ({ connectionId, tenants, policy }, ctx) => {
    const conn = await profileWithPassword(ctx, connectionId);
    const jobId = ctx.jobs.start('controls', async ({ signal, report }): Promise<ControlsReport> => {
      let session: SourceSession | undefined;
      try {
        report({ phase: 'connecting', message: `${conn.profile.host}:${conn.profile.port}/${conn.profile.database}` });
        session = await connectSource(conn.profile, { password: conn.password, signal });
        const wanted = tenants?.length ? tenants : conn.profile.tenants;
        return await runControls({
          session,
          tenants: wanted,
          mapping: conn.profile.mapping,
          policy,
          signal,
          onProgress: (p) => report({ phase: 'checking', message: `${p.tenant} · ${p.control}` }),
        });
      } finally {
        await session?.close();
      }
    });
    return { jobId };
  },
};
