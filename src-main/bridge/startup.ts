// What every interactive front door does on start: when no connection is configured
// (or the configured one is the embedded demo), bring up the demo tenant and make it
// the active connection profile, so a new user sees real data at once.
import type { AppContext } from '../core/app/context.js';
import type { ConnectionProfile } from '../core/app/config.js';
import { savePassword } from '../core/app/source-passwords.js';
import { dispatch } from '../core/app/dispatch.js';

export const DEMO_CONNECTION_ID = 'demo';

/** What shapes the demo a front door starts: defaults everywhere but in tests. */
export interface DemoStartOptions {
  events?: number;
  seed?: number;
  /** the demo's folder (default: its own under /tmp, reused between launches) */
  dataDir?: string;
}

export interface DemoHandle {
  url: string;
  stop(): Promise<void>;
}

/** Saves (or replaces) a profile for a running demo and makes it active. */
/**
 * `tenants`: the demo's tenant ids (row-level security hides them from discovery).
 * `chainProfiles`: the profile each tenant's chain was written with (the ground truth's),
 * so syncs record it and the app verifies and exports each chain with its own.
 */
export async function saveDemoProfile(ctx: AppContext, url: string, tenants: string[], chainProfiles?: Record<string, string>): Promise<ConnectionProfile> {
  const u = new URL(url);
  const profile: ConnectionProfile = {
    id: DEMO_CONNECTION_ID,
    name: 'Demo tenant (embedded)',
    host: u.hostname,
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    user: decodeURIComponent(u.username),
    // Explicit, because new profiles default to verify-full: the demo listens on
    // loopback only, without TLS, and authenticates with SCRAM (no clear-text password).
    sslmode: 'disable',
    allowCleartextPassword: false,
    tenants,
    schema: 'public',
    ...(chainProfiles ? { mapping: { profiles: chainProfiles } } : {}),
    isDemo: true,
  };
  if (u.password) await savePassword(ctx, profile, decodeURIComponent(u.password));
  ctx.config.update((config) => {
    config.connections = [...config.connections.filter((c) => c.id !== profile.id), profile];
    config.activeConnectionId = profile.id;
  });
  return profile;
}

/**
 * Starts the embedded demo when the user has no connection, or when the active one is
 * the demo (it is not running after a restart). Returns null when a real connection is active.
 */
export async function ensureDemoConnection(ctx: AppContext, opts: DemoStartOptions = {}): Promise<DemoHandle | null> {
  // Only the Demo engagement runs the demo: a client's engagement never gets its profile or rows.
  if (ctx.engagement && !ctx.engagement.meta.demo) return null;
  const config = ctx.config.read();
  const active = config.connections.find((c) => c.id === config.activeConnectionId);
  if (config.connections.length > 0 && !(active?.isDemo ?? false)) return null;
  // Loaded lazily: the demo generator is only needed on this path.
  const { startDemo } = await import('../core/demo/index.js');
  // Reuse the saved port so the cache's source identity (host:port/db) stays the same.
  // The demo's own default data folder (under /tmp) is used: PostgreSQL runs as its own
  // user and cannot enter the 0700 app data folder.
  const port = active?.isDemo ? active.port : undefined;
  const openedIn = ctx.engagement?.dir;
  const demo = await startDemo({ ...(port !== undefined ? { port } : {}), ...opts });
  if (ctx.engagement?.dir !== openedIn) {
    // The auditor switched away while it started: its profile must not land in that other engagement.
    await demo.stop();
    return null;
  }
  await saveDemoProfile(ctx, demo.url, demo.groundTruth.tenants, demo.groundTruth.chainProfiles);
  ctx.log('info', `demo tenant running at ${new URL(demo.url).host}`);
  startFirstDemoSync(ctx);
  return demo;
}

/**
 * On the very first start the cache is empty: pull the demo tenant in the
 * background (a normal sync job, shown with progress on Connections) so the
 * timeline opens on data rather than on an empty state.
 */
function startFirstDemoSync(ctx: AppContext): void {
  const cached = ctx.cache().prepare('SELECT EXISTS (SELECT 1 FROM records)').pluck().get();
  if (cached) return;
  void dispatch(ctx, 'sync.start', { connectionId: DEMO_CONNECTION_ID }).then((reply) => {
    if (reply.ok) ctx.log('info', 'syncing the demo tenant into the cache (first start)');
    else ctx.log('warn', `first sync of the demo tenant did not start: ${reply.error.message}`);
  });
}

/**
 * Keeps the embedded demo running while the Demo engagement is open: at start, and
 * when the auditor switches to it later (before, a switch back to Demo left its
 * connection pointing at a database that no longer ran). Once started it runs until
 * stop(), also while another engagement is open: switching back is then instant.
 */
export class DemoKeeper {
  private handle: DemoHandle | null = null;
  private starting: Promise<DemoHandle | null> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: DemoStartOptions = {},
  ) {
    ctx.onEngagementOpened((opened) => {
      if (opened.meta.demo) void this.ensure().catch((e: unknown) => ctx.log('warn', `the demo tenant did not start: ${(e as Error).message}`));
    });
  }

  get demo(): DemoHandle | null {
    return this.handle;
  }

  /** Starts the demo when the open engagement needs it and it does not run yet; the running one otherwise. */
  async ensure(): Promise<DemoHandle | null> {
    if (this.handle) return this.handle;
    this.starting ??= ensureDemoConnection(this.ctx, this.opts).finally(() => {
      this.starting = null;
    });
    this.handle = await this.starting;
    return this.handle;
  }

  async stop(): Promise<void> {
    const running = this.handle ?? (await this.starting?.catch(() => null)) ?? null;
    this.handle = null;
    await running?.stop();
  }
}
