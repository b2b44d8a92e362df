// The renderer's only way to the core: contract method name + input → Reply. The host
// (Electron preload or the browser-mode bridge script) provides window.auditdesk; this
// file does not know which one it is talking to.
import type { ApiClient, ApiError, MethodName, Reply } from '../../src-main/core/contract/index.js';

export class ApiCallError extends Error {
  readonly code: string;
  constructor(
    error: ApiError,
    readonly method: string,
  ) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
  }
}

function isReply(value: unknown): value is Reply<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** Calls one method and returns the Reply (never throws for API errors). */
export async function invoke(method: MethodName, input: unknown): Promise<Reply<unknown>> {
  const host = window.auditdesk;
  if (!host) {
    return { ok: false, error: { code: 'E_BRIDGE', message: 'This page was not opened by AuditDesk: start the app with npm start and use the window or URL it opens.' } };
  }
  let reply: unknown;
  try {
    reply = await host.invoke(method, input);
  } catch (e) {
    return { ok: false, error: { code: 'E_BRIDGE', message: `The app process did not answer (${(e as Error)?.message ?? e}).` } };
  }
  if (!isReply(reply)) return { ok: false, error: { code: 'E_BRIDGE', message: 'The app process sent an unreadable reply.' } };
  return reply;
}

/** Typed client: `await api['records.query']({ filter })`; API errors throw ApiCallError. */
export const api: ApiClient = new Proxy({} as ApiClient, {
  get(_target, method) {
    if (typeof method !== 'string') return undefined;
    return async (input: unknown) => {
      const reply = await invoke(method as MethodName, input ?? {});
      if (!reply.ok) throw new ApiCallError(reply.error, method);
      return reply.value;
    };
  },
});

// Input errors arrive as "connections.test: profile.name: Give the connection a name.": the
// method and field path serve the CLI and logs; a person at the form needs the sentence. Only
// the contract's own sentences are shown bare: a validator's generic words ("Too big: …") keep
// the method and field, which are then the only clue to what was wrong.
const INPUT_ERROR = /^[a-z]+\.[A-Za-z]+: [\w.]+: (.*)$/s;
const GENERIC_VALIDATOR_WORDS = /^(Too (big|small)|Invalid|Expected|Unrecognized|Required)\b/;

export function errorMessage(e: unknown): string {
  if (e instanceof ApiCallError) {
    const sentence = e.code === 'E_INPUT' ? INPUT_ERROR.exec(e.message)?.[1] : undefined;
    return sentence !== undefined && !GENERIC_VALIDATOR_WORDS.test(sentence) ? sentence : e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

export function errorCode(e: unknown): string | null {
  return e instanceof ApiCallError ? e.code : null;
}
