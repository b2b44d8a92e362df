// Where a source lives, from a URL or a saved profile, turned into a pg client
// configuration that can only read: the session is read-only by default, every
// value arrives as the text PostgreSQL printed, and the password never leaves here.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import pg, { type ClientConfig } from 'pg';
import type { ConnectionProfile } from '../contract/connection-profile.js';
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
  /** send the password in clear text when a non-TLS server asks for it that way (explicit opt-in only) */
  allowCleartextPassword: boolean;
}

const SSL_MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];

/**
 * A URL without sslmode: verify-full, except on a loopback address, where the traffic
 * never leaves this machine (the embedded demo listens there without TLS).
 */
export function defaultSslMode(host: string): SslMode {
  return isLoopback(host) ? 'disable' : 'verify-full';
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export interface ResolveOptions {
  /** the CLI's --allow-cleartext-password (a profile carries its own flag) */
  allowCleartextPassword?: boolean;
}

export function resolveTarget(target: SourceTarget, password?: string, opts: ResolveOptions = {}): ResolvedTarget {
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
      allowCleartextPassword: (opts.allowCleartextPassword || target.allowCleartextPassword) ?? false,
    };
  }
  return parseSourceUrl(target, password, opts);
}

/**
 * postgres://user[:password]@host[:port]/db?sslmode=…&sslrootcert=…&schema=…&tenant=…
 * An explicit password (from --password-stdin or the keychain) wins over the URL's.
 */
export function parseSourceUrl(text: string, password?: string, opts: ResolveOptions = {}): ResolvedTarget {
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
  const rawMode = url.searchParams.get('sslmode') ?? defaultSslMode(host);
  if (rawMode === 'allow' || rawMode === 'prefer') {
    // Both fall back to an unencrypted connection without saying so: refused rather than guessed.
    throw new UserError(
      `sslmode=${rawMode} is refused: it silently falls back to an unencrypted connection.`,
      'E_SOURCE_TLS',
      'Use sslmode=verify-full (or require), or sslmode=disable only on a trusted network.',
    );
  }
  if (!SSL_MODES.includes(rawMode)) {
    throw new UserError(`unknown sslmode "${rawMode}".`, 'E_SOURCE_URL', 'Use disable, require, verify-ca or verify-full.');
  }
  const sslmode = rawMode as SslMode;
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
    allowCleartextPassword: opts.allowCleartextPassword ?? false,
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
  const options = ['-c default_transaction_read_only=on', '-c TimeZone=UTC', '-c DateStyle=ISO', '-c extra_float_digits=1', '-c IntervalStyle=postgres'].join(' ');
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

/**
 * A pg client that never sends the password in clear text over an unencrypted
 * connection unless the user allowed it: anyone on the path (or a fake server)
 * would read it. pg asks for the password through a function only after the server
 * named its method, and our listener on that message runs first.
 */
export function newSourceClient(t: ResolvedTarget, settings: SessionSettings): pg.Client {
  const config = clientConfig(t, settings);
  let cleartextAsked = false;
  const password = config.password as string | undefined;
  const client = new pg.Client({
    ...config,
    password: (() => {
      if (cleartextAsked && t.sslmode === 'disable' && !t.allowCleartextPassword) {
        throw new UserError(
          `${t.label} asks for the password in clear text over an unencrypted connection; it was not sent.`,
          'E_SOURCE_CLEARTEXT',
          'Use TLS (sslmode=verify-full), or pass --allow-cleartext-password if this network is trusted.',
        );
      }
      return password;
    }) as () => string,
  });
  (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('authenticationCleartextPassword', () => {
    cleartextAsked = true;
  });
  return client;
}

/** What the server's certificate is checked against, in words; null when it is not checked. */
export function tlsTrust(t: Pick<ResolvedTarget, 'sslmode' | 'sslRootCert'>): string | null {
  if (t.sslmode !== 'verify-ca' && t.sslmode !== 'verify-full') return null;
  if (t.sslRootCert) return `the CA file ${t.sslRootCert}`;
  const bundle = systemCaBundle();
  return bundle ? `the system CA store (${bundle})` : "Node's built-in CA list (no system CA bundle found)";
}

/** The notice a verifying connection without a CA file gives: which store it trusts instead. */
export function tlsTrustNotice(t: Pick<ResolvedTarget, 'sslmode' | 'sslRootCert' | 'label'>): string | null {
  if (t.sslRootCert) return null;
  const trust = tlsTrust(t);
  return trust ? `no CA file given (sslrootcert): the certificate of ${t.label} is checked against ${trust}.` : null;
}

/** The operating system's CA bundle (Debian, Fedora/RHEL, Alpine/macOS/BSD layouts), when one exists. */
const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

function systemCaBundle(): string | null {
  return SYSTEM_CA_BUNDLES.find((p) => existsSync(p)) ?? null;
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
  // Node's default list is its own bundled copy of Mozilla's; "no CA file" means the
  // system store here, as it does for libpq (sslrootcert=system).
  const file = t.sslRootCert ?? systemCaBundle() ?? undefined;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the CA file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'E_SOURCE_TLS', 'Check sslrootcert in the URL or the profile.');
  }
}
