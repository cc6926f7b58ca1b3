// Ends one session, or every session of the user ("log out everywhere").
import { hashSecret } from '../domain/secrets.js';
import type { Clock, SessionStore } from './ports.js';

export interface LogOutInput {
  readonly sessionSecret: string;
  /** The signed-in user, when they ask to end all their sessions. */
  readonly everywhereUserId?: string;
}

export async function logOut(input: LogOutInput, deps: { sessions: SessionStore; clock: Clock }): Promise<void> {
  const nowMs = deps.clock.nowMs();
  if (input.everywhereUserId !== undefined) await deps.sessions.revokeAllOf(input.everywhereUserId, nowMs);
  else await deps.sessions.revoke(hashSecret(input.sessionSecret), nowMs);
}
