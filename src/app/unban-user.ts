// An admin lifts a ban. Spending, earning and going LIVE work again; the user signs in again (their
// sessions and tokens stay revoked). The hold on diamonds the ban put is released with it; a hold
// an admin put on its own (before the ban) stays until they release it. Unbanning an account that is
// not banned changes nothing and logs nothing.
import { NotFound } from '../domain/errors.js';
import { moderationNote, requireAdminActor } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import { banHoldReason } from './ban-user.js';
import type { AuditLog, Clock, User, UserStore } from './ports.js';

export interface UnbanUserInput {
  /** An admin (with the admin scope when it is a token). */
  readonly actor: Principal;
  /** Whose account. */
  readonly userId: string;
  /** Why (for the audit trail); at most 500 characters. */
  readonly note?: string | null | undefined;
}

export async function unbanUser(input: UnbanUserInput, deps: { users: UserStore; audit: AuditLog; clock: Clock }): Promise<User> {
  requireAdminActor(input.actor);
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  const note = moderationNote(input.note);
  if (user.bannedAtMs === null) return user;
  const heldByBan = user.payoutsHeldAtMs === user.bannedAtMs && user.payoutsHeldReason === banHoldReason(user.banReason ?? '');
  const patch = { bannedAtMs: null, banReason: null, ...(heldByBan ? { payoutsHeldAtMs: null, payoutsHeldReason: null } : {}) };
  await deps.users.update(user.id, patch);
  await deps.audit.append({
    atMs: deps.clock.nowMs(),
    actorId: input.actor.userId,
    action: 'user.unbanned',
    subject: `user:${user.id}`,
    details: { previousReason: user.banReason, bannedAtMs: user.bannedAtMs, payoutsReleased: heldByBan, note },
  });
  return { ...user, ...patch };
}
