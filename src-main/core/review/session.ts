// The signing session of the app (issue 14, Part 11 §11.200(a)(1)): the first
// signature of a session, and the first after 15 minutes without one, needs both
// components (identity and password); later ones the password only. Kept in memory
// by the AppContext: a restart starts a new session. The CLI has no session: every
// command names the identity and gives the password.
import type { SigningSession } from '../contract/review.js';

export const SIGNING_IDLE_MS = 15 * 60_000;

export class SigningSessionState {
  private identity: string | null = null;
  private lastSignedAt = 0;

  view(now: number = Date.now()): SigningSession {
    const live = this.identity !== null && now - this.lastSignedAt < SIGNING_IDLE_MS;
    return {
      identity: live ? this.identity : null,
      needsIdentity: !live,
      expiresAt: live ? new Date(this.lastSignedAt + SIGNING_IDLE_MS).toISOString() : null,
    };
  }

  /** The identity the next signature uses: the one named, else the live session's, else null (must be named). */
  identityFor(named: string | undefined, now: number = Date.now()): string | null {
    return named ?? this.view(now).identity;
  }

  /** After a signature was recorded (never after a refused one). */
  signed(identity: string, now: number = Date.now()): void {
    this.identity = identity;
    this.lastSignedAt = now;
  }
}
