// "Log out everywhere": ends every session of the signed-in user, on every device, the one asking
// included, and forgets the browsers that signed in (their device cookies no longer get past the
// log-in lock: someone who stole one is a stranger again). Personal API tokens are not sessions and
// stay (they are revoked one by one); the audit log records who did it and when.
import { Forbidden } from '../domain/errors.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, LoginDeviceStore, SessionStore } from './ports.js';

export interface LogOutEverywhereInput {
  /**
   * Who asks. Only a signed-in session may: an API token (an OBS overlay's, a script's) cannot
   * sign its owner out of every browser.
   */
  readonly principal: Principal;
}

export async function logOutEverywhere(input: LogOutEverywhereInput, deps: { sessions: SessionStore; loginDevices: LoginDeviceStore; clock: Clock; audit: AuditLog }): Promise<void> {
  const { principal } = input;
  if (principal.via !== 'session') throw new Forbidden('Log out everywhere needs a signed-in session, not an API token.');
  const nowMs = deps.clock.nowMs();
  await deps.sessions.revokeAllOf(principal.userId, nowMs);
  await deps.loginDevices.forgetAllOf(principal.userId);
  await deps.audit.append({ atMs: nowMs, actorId: principal.userId, action: 'sessions.revoked_all', subject: `user:${principal.userId}`, details: {} });
}
