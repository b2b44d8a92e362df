// Calls the app's contract the way a front door does (dispatch: validation, handler,
// error mapping) and unwraps the reply, so a test reads as the UI's calls.
import type { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';

export async function callApp<T>(ctx: AppContext, name: string, input: unknown): Promise<T> {
  const reply = await dispatch(ctx, name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}
