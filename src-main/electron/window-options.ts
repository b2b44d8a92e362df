// The window's security settings and the policies that keep it on our page, as data
// and functions over the few members of Electron's objects they touch. Plain Node (no
// 'electron' import at load time), so tests check them without the binary.
import type { BrowserWindowConstructorOptions } from 'electron';
import { fileURLToPath } from 'node:url';
import { isAppUrl } from './app-protocol.js';

/** The compiled preload next to this file (dist/src-main/electron/preload.cjs). */
export function preloadPath(): string {
  return fileURLToPath(new URL('./preload.cjs', import.meta.url));
}

/** The renderer build next to the compiled main (dist/src-main/electron → dist/renderer). */
export function rendererDirForMain(): string {
  return fileURLToPath(new URL('../../renderer', import.meta.url));
}

export function windowOptions(preload: string = preloadPath()): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: 'AuditDesk',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** A navigation the window may follow: only within app://auditdesk. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The members of Electron's WebContents the guards use. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Every web contents: no navigation off our origin, no webviews, no new windows. */
export function guardContents(contents: GuardedContents): void {
  const stayHome = (event: PreventableEvent, url: string) => {
    if (!navigationAllowed(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The members of Electron's Session the guard uses. */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/** The renderer needs no camera, notifications, clipboard, geolocation…: every permission is refused. */
export function guardSession(session: GuardedSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
