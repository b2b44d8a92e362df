// Electron front door: one window on the built renderer, served from a custom app://
// origin (not file://), and one IPC channel into dispatch(). Everything else the
// renderer might try — navigation, new windows, permissions — is refused.
// Only the wiring to Electron's objects lives here; the logic is in plain modules
// (app-protocol, ipc, window-options, keychain) that tests load without the binary.
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import { AppContext } from '../core/app/context.js';
import { defaultDataDir } from '../core/util/private-files.js';
import { DemoKeeper } from '../bridge/startup.js';
import { chooseSecretStore } from './keychain.js';
import { nativeFileDialogs } from './file-dialogs.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_START_URL, serveRenderer } from './app-protocol.js';
import { INVOKE_CHANNEL, createInvokeHandler } from './ipc.js';
import { guardContents, guardSession, rendererDirForMain, windowOptions } from './window-options.js';

const rendererDir = rendererDirForMain();

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

async function main(): Promise<void> {
  await app.whenReady();
  const dataDir = defaultDataDir();
  let log: (level: 'warn', message: string) => void = (_l, m) => console.error(`[warn] ${m}`);
  const { store, warning } = await chooseSecretStore(dataDir, safeStorage, { warn: (m) => log('warn', m) });
  const fileDialogs = nativeFileDialogs(dialog as never, () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]);
  const ctx = new AppContext({ dataDir, frontDoor: 'electron', secrets: store, secretsNote: warning ?? null, fileDialogs });
  log = ctx.log;
  if (warning) ctx.log('warn', warning);

  protocol.handle(APP_SCHEME, (request) => serveRenderer(rendererDir, request));
  guardSession(session.defaultSession);
  ipcMain.handle(INVOKE_CHANNEL, createInvokeHandler(ctx));

  const keeper = new DemoKeeper(ctx);
  try {
    await keeper.ensure();
  } catch (e) {
    ctx.log('warn', `demo tenant not started: ${(e as Error).message}`);
  }

  const win = new BrowserWindow(windowOptions());
  win.once('ready-to-show', () => win.show());
  await win.loadURL(APP_START_URL);

  app.on('window-all-closed', () => {
    void (async () => {
      await ctx.shutdown();
      await keeper.stop();
      app.quit();
    })();
  });
}

// Every web contents (the window's and any the page manages to create) gets the guards.
app.on('web-contents-created', (_e, contents) => guardContents(contents));

main().catch((e: unknown) => {
  console.error(`auditdesk: ${(e as Error)?.message ?? String(e)}`);
  app.exit(2);
});
