// A moderator or admin lifts a suspension of going LIVE before it ends (an appeal upheld, a mistake).
// A suspension that expired needs nothing: every check compares its end with the clock. Lifting
// when none is set changes nothing and logs nothing; a moderator never lifts their own.
import { NotFound } from '../domain/errors.js';
import { moderationNote, requireMayActOn, requireModerator } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, ModerationStore, User, UserStore } from './ports.js';

export interface LiftSuspensionInput {
  /** A moderator or admin (moderators lift ordinary users' suspensions only; nobody their own). */
  readonly actor: Principal;
  /** Whose suspension. */
  readonly userId: string;
  /** Why (for the audit trail); at most 500 characters. */
  readonly note?: string | null | undefined;
}

export type LiftSuspensionDeps = { users: UserStore; moderation: ModerationStore; audit: AuditLog; clock: Clock };

export async function liftSuspension(input: LiftSuspensionInput, deps: LiftSuspensionDeps): Promise<User> {
  requireModerator(input.actor);
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  requireMayActOn(input.actor, user);
  return lift(user, { actorId: input.actor.userId, note: moderationNote(input.note), appealId: null }, deps);
}

/**
 * Lifts the user's suspension (the account and the history's row in force: overturned when an appeal
 * was granted). A user without one changes nothing and logs nothing.
 */
export async function lift(user: User, why: { readonly actorId: string; readonly note: string | null; readonly appealId: string | null }, deps: LiftSuspensionDeps): Promise<User> {
  if (user.liveSuspendedUntilMs === null && user.liveSuspensionReason === null) return user;
  const nowMs = deps.clock.nowMs();
  await deps.users.update(user.id, { liveSuspendedUntilMs: null, liveSuspensionReason: null });
  await deps.moderation.endSuspensions(user.id, nowMs, { overturned: why.appealId !== null });
  await deps.audit.append({
    atMs: nowMs,
    actorId: why.actorId,
    action: 'user.live_suspension_lifted',
    subject: `user:${user.id}`,
    details: {
      previousUntilMs: user.liveSuspendedUntilMs,
      previousReason: user.liveSuspensionReason,
      expired: user.liveSuspendedUntilMs !== null && user.liveSuspendedUntilMs <= nowMs,
      note: why.note,
      appealId: why.appealId,
    },
  });
  return { ...user, liveSuspendedUntilMs: null, liveSuspensionReason: null };
}
