// The one object the host (Electron preload or the browser-mode bridge script) puts on window.
interface AuditDeskHost {
  invoke(method: string, input: unknown): Promise<unknown>;
}

interface Window {
  readonly auditdesk?: AuditDeskHost;
}
