// Calls the app's contract the way a front door does (dispatch: validation, handler,
// error mapping) and unwraps the reply, so a test reads as the UI's calls. clientFor(ctx)
// is typed by the contract: a misspelt method or a wrong input fails to compile.
import assert from 'node:assert/strict';
import type { AppContext } from '../../src-main/core/app/context.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { ApiClient, Contract, InputOf, MethodName, OutputOf } from '../../src-main/core/contract/index.js';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';

/**
 * Untyped on purpose: for input sent as the JSON a tenant publishes, which only the
 * contract's validation at the boundary may judge. Everything else goes through clientFor.
 */
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

/** The methods that start a background job and answer with its id. */
export type JobMethod = { [M in MethodName]: OutputOf<Contract[M]> extends { jobId: string } ? M : never }[MethodName];

/** Starts a job the way the UI does and waits for its end, whatever it is. */
export async function jobOutcome<T = unknown, M extends JobMethod = JobMethod>(ctx: AppContext, method: M, input: InputOf<Contract[M]>): Promise<JobStatus<T>> {
  const { jobId } = await callApp<{ jobId: string }>(ctx, method, input);
  return (await ctx.jobs.wait(jobId)) as JobStatus<T>;
}

/** Starts a job, waits, and fails the test (with the job's error) unless it finished. */
export async function finishedJob<T = unknown, M extends JobMethod = JobMethod>(ctx: AppContext, method: M, input: InputOf<Contract[M]>): Promise<T> {
  const status = await jobOutcome<T, M>(ctx, method, input);
  assert.equal(status.state, 'done', `${method}: ${JSON.stringify(status.error)}`);
  return status.result as T;
}

/** Saves a connection profile to the PostgreSQL at `url` (its user and password) the way the Connections screen does. */
export async function saveConnection(ctx: AppContext, url: string, profile: { id: string; name: string; tenants: string[] }, opts: { makeActive?: boolean } = {}): Promise<void> {
  const u = new URL(url);
  await clientFor(ctx)['connections.save']({
    profile: {
      ...profile,
      host: u.hostname,
      port: Number(u.port),
      database: u.pathname.slice(1),
      user: decodeURIComponent(u.username),
      sslmode: 'disable',
    },
    password: decodeURIComponent(u.password),
    ...(opts.makeActive ? { makeActive: true } : {}),
  });
}
