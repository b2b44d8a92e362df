// The single doorway every front door (IPC, HTTP, tests) goes through: the method
// must be in the contract and its input must pass the contract's schema.
import { contract, type MethodName } from '../contract/index.js';
import type { Reply } from '../contract/define.js';
import type { AppContext } from './context.js';
import { handlers } from './handlers/index.js';
import { runsInQueryWorker, WorkerUnavailable } from './query-pool.js';
import { toApiError } from '../util/api-error.js';
import { isUserError } from '../util/errors.js';

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

export async function dispatch(ctx: AppContext, name: unknown, rawInput: unknown): Promise<Reply<unknown>> {
  if (!isMethodName(name)) {
    return { ok: false, error: { code: 'E_UNKNOWN_METHOD', message: `unknown API method ${JSON.stringify(String(name)).slice(0, 80)}` } };
  }
  const parsed = contract[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'input';
    return { ok: false, error: { code: 'E_INPUT', message: `${name}: ${where}: ${issue?.message ?? 'invalid input'}` } };
  }
  try {
    const handler = handlers[name] as (input: unknown, ctx: AppContext) => Promise<unknown>;
    const pool = runsInQueryWorker(name) ? ctx.queryPool() : undefined;
    // Reads go to the query workers so this thread keeps answering (status, progress,
    // cancel) while a heavy query runs; the input was validated above, here.
    const value = pool
      ? await pool.run(name, parsed.data).catch((e: unknown) => {
          if (!(e instanceof WorkerUnavailable)) throw e;
          warnInlineOnce(ctx, e);
          return handler(parsed.data, ctx);
        })
      : await handler(parsed.data, ctx);
    return { ok: true, value };
  } catch (e) {
    const error = toApiError(e);
    if (!isUserError(e)) ctx.log('error', `${name} failed: ${error.message}`);
    return { ok: false, error };
  }
}

const warnedInline = new WeakSet<AppContext>();
function warnInlineOnce(ctx: AppContext, e: WorkerUnavailable): void {
  if (warnedInline.has(ctx)) return;
  warnedInline.add(ctx);
  ctx.log('warn', `${e.message}: cache reads run in the main process, the window may pause during long queries`);
}
