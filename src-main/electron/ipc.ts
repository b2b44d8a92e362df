// The one IPC channel into the core. Plain Node (no 'electron' import): main.ts
// registers createInvokeHandler(ctx) with ipcMain.handle, tests call it directly.
import type { AppContext } from '../core/app/context.js';
import { dispatch } from '../core/app/dispatch.js';
import type { Reply } from '../core/contract/index.js';
import { isAppUrl } from './app-protocol.js';

export const INVOKE_CHANNEL = 'auditdesk:invoke';

/** What the handler reads of Electron's IpcMainInvokeEvent. */
export interface InvokeEvent {
  readonly senderFrame?: { readonly url: string } | null;
}

/** True only for a frame showing our app:// page (not a navigated-away, foreign or destroyed frame). */
export function isAppFrame(event: InvokeEvent): boolean {
  let url: string | undefined;
  try {
    url = event.senderFrame?.url;
  } catch {
    return false; // Electron throws for a frame that is gone
  }
  return isAppUrl(url);
}

const FORBIDDEN: Reply<never> = { ok: false, error: { code: 'E_FORBIDDEN', message: 'request from a frame outside the app refused.' } };

/** The ipcMain.handle listener: method name and input are checked by dispatch() against the contract. */
export function createInvokeHandler(ctx: AppContext): (event: InvokeEvent, method: unknown, input: unknown) => Promise<Reply<unknown>> {
  return async (event, method, input) => (isAppFrame(event) ? dispatch(ctx, method, input) : FORBIDDEN);
}
