// A saved source password belongs to the exact host, port, database and user it was
// saved with. A profile edited to point elsewhere must not carry it along: whoever
// runs the new server (or a look-alike on the network) would receive it.
import type { ConnectionProfile } from './config.js';
import type { AppContext } from './context.js';
import { labelOf } from '../source/target.js';
import { UserError } from '../util/errors.js';

type Target = Pick<ConnectionProfile, 'host' | 'port' | 'database' | 'user'>;

/** What the secret store holds under passwordKey(id). */
interface BoundPassword {
  /** targetOf() of the profile the password was saved with */
  for: string;
  password: string;
}

export function passwordKey(connectionId: string): string {
  return `connection-password:${connectionId}`;
}

/** user@host:port/db: the identity a password is bound to. */
export function targetOf(t: Target): string {
  return `${t.user}@${labelOf(t.host, t.port, t.database)}`;
}

export async function savePassword(ctx: AppContext, profile: ConnectionProfile, password: string): Promise<void> {
  const bound: BoundPassword = { for: targetOf(profile), password };
  await ctx.secrets.set(passwordKey(profile.id), JSON.stringify(bound));
}

/**
 * The stored password and the target it was saved for. A value stored before
 * passwords were bound is a bare string: it belongs to the target the settings file
 * held for that profile, which is what it was saved with.
 */
async function stored(ctx: AppContext, id: string): Promise<BoundPassword | null> {
  const raw = await ctx.secrets.get(passwordKey(id));
  if (raw === undefined) return null;
  try {
    const v = JSON.parse(raw) as Partial<BoundPassword> | null;
    if (v && typeof v === 'object' && typeof v.for === 'string' && typeof v.password === 'string') return { for: v.for, password: v.password };
  } catch {
    // a bare password
  }
  const saved = ctx.config.read().connections.find((c) => c.id === id);
  return saved ? { for: targetOf(saved), password: raw } : null;
}

export async function hasStoredPassword(ctx: AppContext, profile: ConnectionProfile): Promise<boolean> {
  return (await stored(ctx, profile.id))?.for === targetOf(profile);
}

function passwordNeeded(profile: ConnectionProfile, savedFor: string): UserError {
  return new UserError(
    `the saved password of "${profile.name}" belongs to ${savedFor}, and the connection now points at ${targetOf(profile)}; it was not sent.`,
    'E_PASSWORD_NEEDED',
    'Enter the password for the new target.',
  );
}

/**
 * The password to connect `profile` with: `given` when there is one, else the stored
 * one when it was saved for this very target. Stored for another target: refused
 * (E_PASSWORD_NEEDED), so the user is asked instead of the password travelling.
 */
export async function passwordFor(ctx: AppContext, profile: ConnectionProfile, given?: string): Promise<string | undefined> {
  if (given !== undefined) return given;
  const s = await stored(ctx, profile.id);
  if (!s) return undefined;
  if (s.for !== targetOf(profile)) throw passwordNeeded(profile, s.for);
  return s.password;
}

/** Before saving `profile` with "keep the password": refused when the kept password was saved for another target. */
export async function checkKeptPassword(ctx: AppContext, profile: ConnectionProfile): Promise<void> {
  const s = await stored(ctx, profile.id);
  if (s && s.for !== targetOf(profile)) throw passwordNeeded(profile, s.for);
}
