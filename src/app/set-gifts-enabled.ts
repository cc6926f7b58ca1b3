// The creator's LIVE Gifts toggle. Turning it on needs an adult in good standing; turning it off
// is always allowed.
import { NotFound } from '../domain/errors.js';
import { requireAdult, requireNotBanned, requireNotLiveSuspended } from '../domain/users.js';
import type { AuditLog, Clock, User, UserStore } from './ports.js';

export interface SetGiftsEnabledInput {
  readonly userId: string;
  readonly enabled: boolean;
}

export async function setGiftsEnabled(input: SetGiftsEnabledInput, deps: { users: UserStore; clock: Clock; audit: AuditLog }): Promise<User> {
  const nowMs = deps.clock.nowMs();
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  if (input.enabled) {
    requireAdult(user, nowMs, 'turn on LIVE Gifts');
    requireNotBanned(user);
    requireNotLiveSuspended(user, nowMs);
  }
  if (user.giftsEnabled !== input.enabled) {
    await deps.users.update(user.id, { giftsEnabled: input.enabled });
    await deps.audit.append({ atMs: nowMs, actorId: user.id, action: input.enabled ? 'gifts.enabled' : 'gifts.disabled', subject: `user:${user.id}`, details: {} });
  }
  return { ...user, giftsEnabled: input.enabled };
}
