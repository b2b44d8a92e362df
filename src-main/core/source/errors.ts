// pg and socket errors turned into one line an auditor can act on. The message
// names the target by its label only: never the URL, never the password.
import { UserError, isUserError } from '../util/errors.js';

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
  syscall?: string;
}

/** `trust`: what the certificate was checked against (tlsTrust), named when verification fails. */
export function connectError(e: unknown, label: string, user: string, trust?: string | null): UserError {
  if (isUserError(e)) return e;
  const err = (e ?? {}) as PgLikeError;
  const msg = String(err.message ?? e);
  switch (err.code) {
    case '28P01':
      return new UserError(`wrong password for user "${user}" at ${label}.`, 'E_AUTH', 'Check the password (URL, PGPASSWORD or --password-stdin).');
    case '28000':
      return new UserError(`the server at ${label} refused user "${user}" (${firstLine(msg)}).`, 'E_AUTH', 'Ask the database administrator for a login with SELECT rights.');
    case '3D000':
      return new UserError(`database not found at ${label}.`, 'E_UNKNOWN_DATABASE', 'Check the database name in the URL or profile.');
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new UserError(`cannot reach ${label} (${err.code}).`, 'E_UNREACHABLE', 'Check the host, the port and that the server is running.');
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new UserError(
        `the TLS certificate of ${label} could not be verified (${err.code})${trust ? ` against ${trust}` : ''}.`,
        'E_SOURCE_TLS',
        'Give the CA file (sslrootcert) or check the host name.',
      );
  }
  if (/does not support SSL/i.test(msg)) {
    return new UserError(`TLS is required but ${label} does not offer it.`, 'E_SOURCE_TLS', 'Enable SSL on the server, or use sslmode=disable only on a trusted network.');
  }
  if (/no pg_hba\.conf entry.*(no encryption|SSL off)/i.test(msg)) {
    return new UserError(`${label} accepts only TLS connections for user "${user}".`, 'E_SOURCE_TLS', 'Use sslmode=require or verify-full.');
  }
  if (/password authentication failed/i.test(msg)) {
    return new UserError(`wrong password for user "${user}" at ${label}.`, 'E_AUTH', 'Check the password (URL, PGPASSWORD or --password-stdin).');
  }
  if (/client password must be a string|SASL: SCRAM-SERVER-FIRST-MESSAGE: client password/i.test(msg)) {
    return new UserError(`${label} asks for a password for user "${user}" and none was given.`, 'E_AUTH', 'Pass it in the URL, PGPASSWORD or --password-stdin.');
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(msg)) {
    return new UserError(`cannot reach ${label} (timed out).`, 'E_UNREACHABLE', 'Check the host, the port and the firewall.');
  }
  return new UserError(`cannot connect to ${label}: ${firstLine(msg)}.`, 'E_CONNECT', 'Check the connection settings.');
}

/**
 * The source connection dropped mid-way. What that means for the work, and what to do,
 * depends on the work: a sync keeps what it committed and resumes, a verification has
 * no verdict for what it had not read. The session does not know which, so the
 * operation retells it (`during`); told as is, it says only what happened.
 */
export class ConnectionLostError extends UserError {
  constructor(readonly what: string) {
    super(`${what}.`, 'E_CONNECTION_LOST', 'Check that the server is reachable, then run the same command again.');
  }

  during(consequence: string, hint: string): UserError {
    return new UserError(`${this.what}; ${consequence}`, 'E_CONNECTION_LOST', hint);
  }
}

/** An error during a query, after the session was established. */
export function queryError(e: unknown, label: string): Error {
  if (isUserError(e)) return e;
  const err = (e ?? {}) as PgLikeError;
  const msg = String(err.message ?? e);
  if (
    err.code === '57P01' ||
    err.code === '57P02' ||
    err.code === '57P03' ||
    err.code === 'ECONNRESET' ||
    err.code === 'EPIPE' ||
    /Connection terminated|terminating connection|Client has encountered a connection error|connection is closed|Client was closed/i.test(msg)
  ) {
    return new ConnectionLostError(`the connection to ${label} was closed mid-way (${firstLine(msg)})`);
  }
  if (err.code === '57014') {
    return new UserError(`a query on ${label} ran past the statement timeout.`, 'E_TIMEOUT', 'Raise the statement timeout or name fewer tenants at once.');
  }
  if (err.code === '42501') {
    return new UserError(`permission denied on ${label}: ${firstLine(msg)}.`, 'E_PERMISSION', 'Ask the database administrator for SELECT rights on the audit tables.');
  }
  if (err.code === '25006') {
    return new UserError(`${label} refused a write: the session is read-only (${firstLine(msg)}).`, 'E_READ_ONLY');
  }
  return e instanceof Error ? e : new Error(msg);
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/\.$/, '');
}
