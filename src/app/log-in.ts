// Logs in with email or handle and password; opens a new session (a fresh secret each time, so a
// session id seen before login is never the one used after) and ends the session the browser
// carried in, if any, so a planted or stale session cookie dies the moment someone signs in.
import { hashSecret } from '../domain/secrets.js';
import { InvalidCredentials } from '../domain/errors.js';
import type { Clock, Ids, PasswordHasher, SessionStore, User, UserStore } from './ports.js';

export const SESSION_TTL_MS = 30 * 24 * 3_600_000;

/** Verified when the login matches no account, so both failures take the same time. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export interface LogInInput {
  /** Email or handle (with or without @). */
  readonly login: string;
  readonly password: string;
  /**
   * The session secret the request already carried (its cookie), whoever's it was: revoked once
   * the login succeeds, because the new cookie replaces it in that browser anyway. A failed login
   * leaves it alone.
   */
  readonly previousSessionSecret?: string | undefined;
}

export async function logIn(
  input: LogInInput,
  deps: { users: UserStore; passwords: PasswordHasher; sessions: SessionStore; ids: Ids; clock: Clock },
): Promise<{ user: User; sessionSecret: string; expiresAtMs: number }> {
  const found = await deps.users.findForLogin(input.login);
  const ok = await deps.passwords.verify(input.password, found?.passwordHash ?? DUMMY_HASH);
  if (!found || !ok) throw new InvalidCredentials();
  const { passwordHash: _hidden, ...user } = found;
  const nowMs = deps.clock.nowMs();
  const sessionSecret = deps.ids.secret();
  const expiresAtMs = nowMs + SESSION_TTL_MS;
  await deps.sessions.create(hashSecret(sessionSecret), user.id, nowMs, expiresAtMs);
  if (input.previousSessionSecret !== undefined && input.previousSessionSecret !== '') {
    await deps.sessions.revoke(hashSecret(input.previousSessionSecret), nowMs);
  }
  return { user, sessionSecret, expiresAtMs };
}
