import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export type { ErrorCode };

/** A code received from another thread or process, checked against the known list. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * An error meant for the user: one line that names the problem and the way out.
 * Front doors print `message` (CLI exit 2) or show it in a banner; never a stack.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'E_INPUT',
    readonly hint?: string,
  ) {
    super(hint ? `${message} ${hint}` : message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Removes passwords from anything that might echo a connection string. */
export function redactSecrets(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]*@/gi, '$1***@').replace(/(password\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1***');
}
