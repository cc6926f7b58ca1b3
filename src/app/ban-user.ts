// An admin bans an account for fraud. A banned account may not spend (buy coins, send gifts), earn
// (receive gifts, redeem diamonds, add payout accounts) or go LIVE — each of those use cases calls
// requireNotBanned (src/domain/users.ts). Banning also:
//  - holds the account's diamonds for review, so a payout requested before the ban is not sent by the
//    payout worker (which sends nothing while a hold is on); unbanning releases that hold only;
//  - ends a LIVE in progress, as the admin, saying only that the account was suspended;
//  - signs the user out everywhere: every session and API token is revoked.
//
// Idempotent: banning a banned account changes nothing and logs nothing, but runs the last three
// steps again, so a retry after a failure half-way finishes the job.
import { NotFound } from '../domain/errors.js';
import { BANNED_LIVE_END_REASON, banReasonText, requireAdminActor, requireMayBan } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import type { EndLiveInput } from './end-live.js';
import type { ApiTokenStore, AuditLog, Clock, LiveListing, LiveStore, LoginDeviceStore, SessionStore, User, UserStore } from './ports.js';
import { endLiveInProgress, type ModerationOutcome } from './suspend-live.js';

export interface BanUserInput {
  /** An admin (with the admin scope when it is a token); never the user themself, never another admin. */
  readonly actor: Principal;
  /** Whose account. */
  readonly userId: string;
  /** Why, shown to the user when they try to spend; 1–300 characters. */
  readonly reason: string;
  /** The report this decides, when it comes from the queue (for the audit trail). */
  readonly reportId?: string | undefined;
}

export interface BanUserDeps {
  readonly users: UserStore;
  readonly lives: LiveStore;
  readonly sessions: SessionStore;
  /** The browsers that signed in (forgotten: a banned account's devices are strangers). */
  readonly loginDevices: LoginDeviceStore;
  readonly tokens: ApiTokenStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** Ends a LIVE and announces it to its room (services.endLive). */
  readonly endLive: (input: EndLiveInput) => Promise<LiveListing>;
}

/** The text of the hold the ban puts on the diamonds (the creator reads it on their balance). */
export function banHoldReason(reason: string): string {
  return `Account banned: ${reason}`;
}

export async function banUser(input: BanUserInput, deps: BanUserDeps): Promise<ModerationOutcome & { readonly tokensRevoked: number }> {
  requireAdminActor(input.actor);
  const found = await deps.users.findById(input.userId);
  if (!found) throw new NotFound('No such user.');
  requireMayBan(input.actor, found);
  const reason = banReasonText(input.reason);
  const nowMs = deps.clock.nowMs();

  let user: User = found;
  if (found.bannedAtMs === null) {
    // The hold shares the ban's timestamp: that is how unbanning tells its own hold from an admin's.
    const hold = found.payoutsHeldAtMs === null ? { payoutsHeldAtMs: nowMs, payoutsHeldReason: banHoldReason(reason) } : {};
    const patch = { bannedAtMs: nowMs, banReason: reason, ...hold };
    await deps.users.update(found.id, patch);
    user = { ...found, ...patch };
    await deps.audit.append({
      atMs: nowMs,
      actorId: input.actor.userId,
      action: 'user.banned',
      subject: `user:${found.id}`,
      details: { reason, reportId: input.reportId ?? null, payoutsHeld: 'payoutsHeldAtMs' in hold },
    });
  }

  const endedLiveId = await endLiveInProgress(user.id, input.actor, BANNED_LIVE_END_REASON, deps);
  await deps.sessions.revokeAllOf(user.id, nowMs);
  await deps.loginDevices.forgetAllOf(user.id);
  // Bounded: a user holds at most API_TOKENS_MAX live tokens (create-api-token.ts).
  let tokensRevoked = 0;
  for (const token of await deps.tokens.listOf(user.id)) {
    if (token.revokedAtMs === null && (await deps.tokens.revoke(token.id, user.id, nowMs))) tokensRevoked++;
  }
  if (tokensRevoked > 0 || endedLiveId !== null) {
    await deps.audit.append({ atMs: nowMs, actorId: input.actor.userId, action: 'user.signed_out', subject: `user:${user.id}`, details: { tokensRevoked, endedLiveId, sessionsRevoked: true } });
  }
  return { user, endedLiveId, tokensRevoked };
}
