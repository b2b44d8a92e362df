// The test tsconfig has no DOM lib (it compiles Node code). Functions passed to
// page.evaluate run in the browser; these minimal shapes let them type-check.
export interface PageGlobals {
  document: { documentElement: { dataset: Record<string, string | undefined>; scrollHeight: number }; querySelector(s: string): unknown };
  auditdesk?: { invoke(method: string, input: unknown): Promise<unknown> };
  location: { hash: string; href: string };
}

export function pageGlobals(): PageGlobals {
  return globalThis as unknown as PageGlobals;
}
