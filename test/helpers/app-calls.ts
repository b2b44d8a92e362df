// Calls the app's contract the way a front door does (dispatch: validation, handler,
// error mapping) and unwraps the reply, so a test reads as the UI's calls. clientFor(ctx)
// is typed by the contract: a misspelt method or a wrong input fails to compile.
import type { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { ApiClient } from '../../src-main/core/contract/index.js';

export async function callApp<T>(ctx: AppContext, name: string, input: unknown): Promise<T> {
  const reply = await dispatch(ctx, name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}

/** The contract as the renderer sees it (`api['review.queue']({...})`), dispatched in-process to `ctx`. */
export function clientFor(ctx: AppContext): ApiClient {
  return new Proxy({} as ApiClient, {
    get: (_target, name) => (input: unknown) => callApp(ctx, String(name), input),
  });
}
