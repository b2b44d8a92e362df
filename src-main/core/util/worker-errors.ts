// Errors cross a worker boundary by structured clone, which drops the class: a
// UserError would arrive as a plain Error and be shown as an internal failure.
// Both sides go through these two functions so the code and the user's message survive.
import { isErrorCode, isUserError, UserError } from './errors.js';

export interface WorkerError {
  user: boolean;
  message: string;
  code?: string | undefined;
}

export function toWorkerError(e: unknown): WorkerError {
  if (isUserError(e)) return { user: true, message: e.message, code: e.code };
  const code = (e as { code?: unknown })?.code;
  return { user: false, message: e instanceof Error ? e.message : String(e), code: typeof code === 'string' ? code : undefined };
}

/** Rebuilt so toApiError maps it exactly as it would have mapped the original. */
export function fromWorkerError(e: WorkerError): Error {
  if (e.user) return new UserError(e.message, isErrorCode(e.code) ? e.code : 'E_INTERNAL');
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}
