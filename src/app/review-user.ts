// Admins review money risks on an account: lift the gifting freeze a lost dispute put on a viewer,
// and hold (or release) a creator's diamonds while they look into them. Every change is audited with
// who made it and why; setting what is already set changes nothing and logs nothing.
import { NotFound, ValidationFailed } from '../domain/errors.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, User, UserStore } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface ReviewUserInput {
  readonly actor: Principal;
  readonly userId: string;
  /** false: the review is done, gifting resumes. true: freeze it (with a reason) until reviewed. */
  readonly giftingFrozen?: boolean | undefined;
  /** A hold on the creator's diamonds: redemptions refused and payouts not sent while it lasts. */
  readonly payoutsHeld?: boolean | undefined;
  /** Why: shown to the user (required when freezing or holding). */
  readonly reason?: string | undefined;
}

export async function reviewUser(input: ReviewUserInput, deps: { users: UserStore; audit: AuditLog; clock: Clock }): Promise<User> {
  requireAdmin(input.actor);
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  const nowMs = deps.clock.nowMs();
  const reason = input.reason?.trim() ?? '';
  const needReason = (input.giftingFrozen === true && user.giftingFrozenAtMs === null) || (input.payoutsHeld === true && user.payoutsHeldAtMs === null);
  if (needReason && reason === '') throw new ValidationFailed('Say why: the user sees the reason.', { field: 'reason' });

  let next = user;
  const log = (action: string, details: Record<string, unknown>) =>
    deps.audit.append({ atMs: nowMs, actorId: input.actor.userId, action, subject: `user:${user.id}`, details });

  if (input.giftingFrozen !== undefined && input.giftingFrozen !== (user.giftingFrozenAtMs !== null)) {
    const patch = input.giftingFrozen ? { giftingFrozenAtMs: nowMs, giftingFrozenReason: reason } : { giftingFrozenAtMs: null, giftingFrozenReason: null };
    await deps.users.update(user.id, patch);
    next = { ...next, ...patch };
    await log(input.giftingFrozen ? 'user.gifting_frozen' : 'user.gifting_unfrozen', input.giftingFrozen ? { reason } : { previousReason: user.giftingFrozenReason });
  }
  if (input.payoutsHeld !== undefined && input.payoutsHeld !== (user.payoutsHeldAtMs !== null)) {
    const patch = input.payoutsHeld ? { payoutsHeldAtMs: nowMs, payoutsHeldReason: reason } : { payoutsHeldAtMs: null, payoutsHeldReason: null };
    await deps.users.update(user.id, patch);
    next = { ...next, ...patch };
    await log(input.payoutsHeld ? 'user.payouts_held' : 'user.payouts_released', input.payoutsHeld ? { reason } : { previousReason: user.payoutsHeldReason });
  }
  return next;
}
