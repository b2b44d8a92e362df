// Browser mode: the same UI without Electron. The core runs in this Node process, the
// renderer in Chromium (app mode) or any browser the user points at the printed URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { AppContext } from '../core/app/context.js';
import { LAUNCH_TOKEN_TTL_MS, startHttpBridge, type HttpBridge } from './http.js';
import { DemoKeeper, type DemoHandle } from './startup.js';
import { defaultDataDir, makePrivateTempDir } from '../core/util/private-files.js';

export interface BrowserModeOptions {
  port?: number;
  dataDir?: string;
  /** start the embedded demo when no connection is configured (default true) */
  demo?: boolean;
  /** open Chromium in app mode when it is installed (default true) */
  open?: boolean;
  rendererDir?: string;
}

export interface BrowserMode {
  ctx: AppContext;
  bridge: HttpBridge;
  demo: DemoHandle | null;
  /** the launch URL handed to the window (or to be printed): opens the app once, for a short while */
  launchUrl: string;
  /** resolves when the Chromium window we opened is closed (never when we opened none) */
  windowClosed: Promise<void>;
  stop(): Promise<void>;
}

export { defaultDataDir } from '../core/util/private-files.js';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function findChromium(): string | null {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return null;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

function openAppWindow(url: string): { child: ChildProcess; profileDir: string } | null {
  const chromium = findChromium();
  if (!chromium) return null;
  // A fresh profile: no extensions, no other tabs sharing the origin, nothing left behind.
  const profileDir = makePrivateTempDir('auditdesk-chromium-');
  const args = [`--app=${url}`, `--user-data-dir=${profileDir}`, '--no-first-run', '--no-default-browser-check', '--window-size=1280,800'];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const child = spawn(chromium, args, { stdio: 'ignore' });
  return { child, profileDir };
}

export async function startBrowserMode(opts: BrowserModeOptions = {}): Promise<BrowserMode> {
  const ctx = new AppContext({ dataDir: opts.dataDir ?? defaultDataDir(), frontDoor: 'browser' });
  const keeper = new DemoKeeper(ctx);
  if (opts.demo ?? true) {
    try {
      await keeper.ensure();
    } catch (e) {
      // The app is still useful offline (cached data); the status line shows the source as unreachable.
      ctx.log('warn', `the demo tenant did not start: ${(e as Error).message}`);
    }
  }
  const bridge = await startHttpBridge({ ctx, port: opts.port, rendererDir: opts.rendererDir });
  const launchUrl = bridge.url;
  const window = (opts.open ?? true) ? openAppWindow(launchUrl) : null;
  const windowClosed = window ? new Promise<void>((r) => window.child.once('exit', () => r())) : new Promise<void>(() => undefined);
  let stopped = false;
  return {
    ctx,
    bridge,
    get demo() {
      return keeper.demo;
    },
    launchUrl,
    windowClosed,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (window && window.child.exitCode === null) window.child.kill('SIGTERM');
      await bridge.close();
      await ctx.shutdown();
      await keeper.stop();
      if (window) rmSync(window.profileDir, { recursive: true, force: true });
    },
  };
}

/** Runs until Ctrl-C (or until the app window closes), then shuts everything down. */
export async function runBrowserModeUntilExit(opts: BrowserModeOptions): Promise<void> {
  const mode = await startBrowserMode(opts);
  process.stdout.write(`AuditDesk is running at ${mode.launchUrl}\n`);
  process.stdout.write(`(that address opens the app once, within ${LAUNCH_TOKEN_TTL_MS / 60_000} minutes; start AuditDesk again for a new one)\n`);
  if (mode.demo) process.stdout.write(`Demo tenant (read-only): ${new URL(mode.demo.url).host}\n`);
  process.stdout.write('Press Ctrl-C to stop.\n');
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
    void mode.windowClosed.then(r);
  });
  await mode.stop();
}
