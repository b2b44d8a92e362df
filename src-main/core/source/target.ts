// Where a source lives, from a URL or a saved profile, turned into a pg client
// configuration that can only read: the session is read-only by default, every
// value arrives as the text PostgreSQL printed, and the password never leaves here.
import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import type { ConnectionProfile } from '../app/config.js';
import { UserError } from '../util/errors.js';

export type SourceTarget = string | ConnectionProfile;
export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** A target resolved to plain fields; `password` is kept apart from everything printable. */
export interface ResolvedTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  sslmode: SslMode;
  sslRootCert: string | undefined;
  schema: string;
  tenants: string[];
  /** host:port/db, never a password */
  label: string;
}

const SSL_MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export function resolveTarget(target: SourceTarget, password?: string): ResolvedTarget {
  if (typeof target !== 'string') {
    return {
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: password ?? undefined,
      sslmode: target.sslmode,
      sslRootCert: target.sslRootCert,
      schema: target.schema,
      tenants: [...target.tenants],
      label: labelOf(target.host, target.port, target.database),
    };
  }
  return parseSourceUrl(target, password);
}

/**
 * postgres://user[:password]@host[:port]/db?sslmode=…&sslrootcert=…&schema=…&tenant=…
 * An explicit password (from --password-stdin or the keychain) wins over the URL's.
 */
export function parseSourceUrl(text: string, password?: string): ResolvedTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError('the source is not a valid postgres:// URL.', 'E_SOURCE_URL', 'Write it as postgres://user@host:5432/database.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UserError(`the source URL must start with postgres:// (got ${url.protocol}//).`, 'E_SOURCE_URL', 'Write it as postgres://user@host:5432/database.');
  }
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = url.port ? Number(url.port) : 5432;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username);
  if (!database) throw new UserError('the source URL names no database.', 'E_SOURCE_URL', 'Add it after the host: postgres://user@host:5432/database.');
  if (!user) throw new UserError('the source URL names no user.', 'E_SOURCE_URL', 'Add it before the host: postgres://user@host:5432/database.');
  const rawMode = url.searchParams.get('sslmode') ?? 'disable';
  if (!SSL_MODES.includes(rawMode)) {
    throw new UserError(`unknown sslmode "${rawMode}".`, 'E_SOURCE_URL', 'Use disable, require, verify-ca or verify-full.');
  }
  // allow/prefer cannot be honoured without a plaintext retry; treat them as the
  // weaker of what they promise rather than silently pretending to verify.
  const sslmode: SslMode = rawMode === 'allow' || rawMode === 'prefer' ? 'disable' : (rawMode as SslMode);
  const tenants = url.searchParams.getAll('tenant');
  return {
    host,
    port,
    database,
    user,
    password: password ?? (url.password ? decodeURIComponent(url.password) : undefined),
    sslmode,
    sslRootCert: url.searchParams.get('sslrootcert') ?? undefined,
    schema: url.searchParams.get('schema') ?? 'public',
    tenants,
    label: labelOf(host, port, database),
  };
}

export function labelOf(host: string, port: number, database: string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}/${database}`;
}

export interface SessionSettings {
  statementTimeoutMs: number;
}

/** Every value as the text PostgreSQL printed: hashes are computed from it. */
export const TEXT_TYPES = { getTypeParser: () => (v: string) => v };

export function clientConfig(t: ResolvedTarget, settings: SessionSettings): ClientConfig {
  // Startup options make the session read-only before the first query; a role
  // with only SELECT grants is still the real guarantee (docs/sync.md).
  const options = [
    '-c default_transaction_read_only=on',
    '-c TimeZone=UTC',
    '-c DateStyle=ISO',
    '-c extra_float_digits=1',
    '-c IntervalStyle=postgres',
  ].join(' ');
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: t.password ?? process.env.PGPASSWORD ?? undefined,
    ssl: sslConfig(t),
    options,
    application_name: 'auditdesk',
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: Math.max(settings.statementTimeoutMs, 60_000),
    connectionTimeoutMillis: 15_000,
    keepAlive: true,
    types: TEXT_TYPES,
  };
}

function sslConfig(t: ResolvedTarget): ClientConfig['ssl'] {
  switch (t.sslmode) {
    case 'disable':
      return false;
    case 'require':
      // libpq semantics: encrypted, server identity not checked.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, ca: readCa(t), checkServerIdentity: () => undefined };
    case 'verify-full':
      // pg checks the certificate against the host (and sets SNI only for names, never IPs).
      return { rejectUnauthorized: true, ca: readCa(t) };
  }
}

function readCa(t: ResolvedTarget): string | undefined {
  if (!t.sslRootCert) return undefined;
  try {
    return readFileSync(t.sslRootCert, 'utf8');
  } catch (e) {
    throw new UserError(
      `cannot read the CA file ${t.sslRootCert} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
      'E_SOURCE_TLS',
      'Check sslrootcert in the URL or the profile.',
    );
  }
}
