// An app context whose active connection is the embedded demo tenant (password in the
// secret store, as the Connections screen saves it), optionally with the demo already
// synced into its cache — the starting point of every test of the app's handlers.
import { join } from 'node:path';
import { AppContext, type AppContextOptions } from '../../src-main/core/app/context.js';
import { passwordKey } from '../../src-main/core/app/handlers/connections.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import type { DemoDb } from './demo-db.js';

export async function appOnDemo(demo: DemoDb, dir: string, opts: { synced?: boolean; queryWorkers?: number; syncWorkerUrl?: URL; log?: AppContextOptions['log'] } = {}): Promise<AppContext> {
  const ctx = new AppContext({ dataDir: join(dir, 'data'), frontDoor: 'test', queryWorkers: opts.queryWorkers, syncWorkerUrl: opts.syncWorkerUrl, log: opts.log ?? (() => undefined) });
  if (opts.synced) {
    const session = await connectSource(demo.url);
    try {
      await syncToCache(session, ctx.cache(), { tenants: demo.groundTruth.tenants });
    } finally {
      await session.close();
    }
  }
  const url = new URL(demo.url);
  ctx.config.update((c) => {
    c.connections.push({
      id: 'demo',
      name: 'Demo',
      host: url.hostname,
      port: Number(url.port),
      database: url.pathname.slice(1),
      user: decodeURIComponent(url.username),
      sslmode: 'disable',
      tenants: demo.groundTruth.tenants,
      schema: 'public',
    });
    c.activeConnectionId = 'demo';
  });
  await ctx.secrets.set(passwordKey('demo'), decodeURIComponent(url.password));
  return ctx;
}
