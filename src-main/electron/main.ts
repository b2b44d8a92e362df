// Electron front door: one window on the built renderer, served from a custom app://
// origin (not file://), and one IPC channel into dispatch(). Everything else the
// renderer might try — navigation, new windows, permissions — is refused.
import { app, BrowserWindow, ipcMain, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppContext } from '../core/app/context.js';
import { dispatch } from '../core/app/dispatch.js';
import { RENDERER_CSP, RENDERER_MIME } from '../bridge/http.js';
import { ensureDemoConnection, type DemoHandle } from '../bridge/startup.js';
import { chooseSecretStore } from './keychain.js';

const APP_SCHEME = 'app';
const APP_HOST = 'auditdesk';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
const here = fileURLToPath(new URL('.', import.meta.url));
// dist/src-main/electron → dist/renderer
const rendererDir = resolve(here, '..', '..', 'renderer');


protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function serveRenderer(request: Request): Response {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
  const file = resolve(rendererDir, rel);
  if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    return new Response('not found', { status: 404 });
  }
  return new Response(readFileSync(file), {
    headers: {
      'content-type': RENDERER_MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
    },
  });
}

function isAppFrame(event: IpcMainInvokeEvent): boolean {
  const frameUrl = event.senderFrame?.url;
  if (!frameUrl) return false;
  try {
    return new URL(frameUrl).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  await app.whenReady();
  const dataDir = process.env.AUDITDESK_DATA_DIR ?? join(homedir(), '.auditdesk');
  const { store, warning } = await chooseSecretStore(dataDir);
  const ctx = new AppContext({ dataDir, frontDoor: 'electron', secrets: store });
  if (warning) ctx.log('warn', warning);

  protocol.handle(APP_SCHEME, serveRenderer);
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  ipcMain.handle('auditdesk:invoke', async (event, method: unknown, input: unknown) => {
    if (!isAppFrame(event)) {
      return { ok: false, error: { code: 'E_FORBIDDEN', message: 'request from a frame outside the app refused.' } };
    }
    return dispatch(ctx, method, input);
  });

  let demo: DemoHandle | null = null;
  try {
    demo = await ensureDemoConnection(ctx);
  } catch (e) {
    ctx.log('warn', `demo tenant not started: ${(e as Error).message}`);
  }

  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: 'AuditDesk',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== APP_ORIGIN) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  await win.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => {
    void (async () => {
      ctx.close();
      await demo?.stop();
      app.quit();
    })();
  });
}

app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

main().catch((e: unknown) => {
  console.error(`auditdesk: ${(e as Error)?.message ?? String(e)}`);
  app.exit(2);
});
