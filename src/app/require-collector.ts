// The gate of every diamond-collecting path (payout accounts, redeem, the payout list): the user
// exists, is 18 or older, and is not banned.
import { NotFound } from '../domain/errors.js';
import { requireAdult, requireNotBanned } from '../domain/users.js';
import type { User, UserStore } from './ports.js';

export async function requireCollector(userId: string, nowMs: number, action: string, deps: { users: UserStore }): Promise<User> {
  const user = await deps.users.findById(userId);
  if (!user) throw new NotFound('No such user.');
  requireAdult(user, nowMs, action);
  requireNotBanned(user);
  return user;
}
