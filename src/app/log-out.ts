// Ends the session the request carried (src/app/log-out-everywhere.ts ends all of a user's).
import { hashSecret } from '../domain/secrets.js';
import type { Clock, SessionStore } from './ports.js';

export interface LogOutInput {
  /** The secret of the session cookie to end; an empty or unknown one changes nothing. */
  readonly sessionSecret: string;
}

export async function logOut(input: LogOutInput, deps: { sessions: SessionStore; clock: Clock }): Promise<void> {
  if (input.sessionSecret === '') return;
  await deps.sessions.revoke(hashSecret(input.sessionSecret), deps.clock.nowMs());
}
