// The renderer's only way out of its sandbox: one function. Sandboxed preloads run as
// CommonJS, hence .cts. The method name and input are validated again in the main
// process (dispatch checks them against the contract), so nothing here trusts the page.
import { contextBridge, ipcRenderer } from 'electron';

interface AuditDeskBridge {
  invoke(method: string, input: unknown): Promise<unknown>;
}

const bridge: AuditDeskBridge = {
  invoke: (method, input) => {
    if (typeof method !== 'string' || method.length > 100) {
      return Promise.resolve({ ok: false, error: { code: 'E_UNKNOWN_METHOD', message: 'bad method name' } });
    }
    return ipcRenderer.invoke('auditdesk:invoke', method, input);
  },
};

contextBridge.exposeInMainWorld('auditdesk', bridge);
