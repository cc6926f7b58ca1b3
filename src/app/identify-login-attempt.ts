// Says who a sign-in attempt counts against, before it runs (src/http/rate-limits.ts holds it to
// the limits): the account its login name signs into — found by the same lookup log-in does, so an
// email and a handle of one account are one budget of guesses — and whether the browser is one that
// account knows, because it carries the device cookie the account gave it on an earlier sign-in
// (OWASP's "Slow Down Online Guessing Attacks with Device Cookies").
import { hashSecret } from '../domain/secrets.js';
import { loginAccountKey, loginNameKey } from '../domain/rate-limits.js';
import type { Clock, LoginDeviceStore, UserStore } from './ports.js';

export interface IdentifyLoginAttemptInput {
  /** The login name as typed: email or handle, any case, with or without @. */
  readonly login: string;
  /** The secret of the device cookie the request carried, if it carried one. */
  readonly deviceSecret?: string | undefined;
}

export interface LoginAttemptSubject {
  /** The account the name signs into, or null when it names none. */
  readonly userId: string | null;
  /**
   * Where the attempt's wrong password counts when the browser is not known: the account, or for
   * a name of no account the name itself (hashed) — the same rule either way, so a lock does not
   * tell which names exist.
   */
  readonly accountKey: string;
  /** The device's key when the cookie names this same account and has not expired; otherwise null. */
  readonly deviceKey: string | null;
}

export async function identifyLoginAttempt(
  input: IdentifyLoginAttemptInput,
  deps: { users: UserStore; loginDevices: LoginDeviceStore; clock: Clock },
): Promise<LoginAttemptSubject> {
  const deviceHash = input.deviceSecret !== undefined && input.deviceSecret !== '' ? hashSecret(input.deviceSecret) : null;
  // Both lookups whatever the name: how long this takes must not depend on whether it exists.
  const [user, device] = await Promise.all([deps.users.findForLogin(input.login), deviceHash === null ? null : deps.loginDevices.find(deviceHash)]);
  if (user === null) return { userId: null, accountKey: loginNameKey(input.login), deviceKey: null };
  // Another account's cookie, a forged one (no row) or an expired one: an unknown browser.
  const known = device !== null && device.userId === user.id && deps.clock.nowMs() < device.expiresAtMs;
  return { userId: user.id, accountKey: loginAccountKey(user.id), deviceKey: known ? device.tokenHash : null };
}
