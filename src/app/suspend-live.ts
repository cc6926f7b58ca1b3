// A moderator or admin suspends a user's going LIVE for a Community Guidelines violation, for a set
// time or permanently (PRODUCT.md: "a LIVE in progress ends, new LIVEs are refused with the reason
// and the end date, and the creator sees it in their account").
//
// The suspension is written first, then a LIVE in progress is ended by the moderator with the
// guideline as its reason (the room announces live.ended; the moderator's note is for the creator's
// account, not for viewers), so a new LIVE cannot slip in between; a start that raced
// the write is looked for once more and ended too. It lifts itself when it expires: every check
// compares `liveSuspendedUntilMs` with the clock (src/domain/users.ts). A new suspension replaces
// the one in force (the latest decision stands); the audit log keeps both.
import { NotFound } from '../domain/errors.js';
import { END_REASON_MAX } from '../domain/lives.js';
import { liveEndReasonText, moderationNote, requireMayActOn, requireModerator, suspensionReasonText, suspensionUntilMs, type GuidelineReason, type SuspensionLength } from '../domain/moderation.js';
import { PERMANENT_MS } from '../domain/users.js';
import type { Principal } from './authenticate.js';
import type { EndLiveInput } from './end-live.js';
import type { AuditLog, Clock, LiveListing, LiveStore, User, UserStore } from './ports.js';

export interface SuspendLiveInput {
  /** A moderator or admin (moderators suspend ordinary users only; nobody suspends themself). */
  readonly actor: Principal;
  /** Who may not go LIVE. */
  readonly userId: string;
  /** A whole number of hours (1 hour to 1 year), or permanent. */
  readonly length: SuspensionLength;
  /** The Community Guidelines rule broken. */
  readonly reason: GuidelineReason;
  /** Shown to the creator after the rule's name; at most 500 characters. */
  readonly note?: string | null | undefined;
  /** The report this decides, when it comes from the queue (for the audit trail). */
  readonly reportId?: string | undefined;
}

export interface SuspendLiveDeps {
  readonly users: UserStore;
  readonly lives: LiveStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** Ends a LIVE and announces it to its room (services.endLive). */
  readonly endLive: (input: EndLiveInput) => Promise<LiveListing>;
}

export interface ModerationOutcome {
  /** The user as they stand now. */
  readonly user: User;
  /** The LIVE in progress that was ended, if any. */
  readonly endedLiveId: string | null;
}

export async function suspendLive(input: SuspendLiveInput, deps: SuspendLiveDeps): Promise<ModerationOutcome> {
  requireModerator(input.actor);
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  requireMayActOn(input.actor, user);
  const nowMs = deps.clock.nowMs();
  const untilMs = suspensionUntilMs(nowMs, input.length);
  const note = moderationNote(input.note);
  const reasonText = suspensionReasonText(input.reason, note);

  await deps.users.update(user.id, { liveSuspendedUntilMs: untilMs, liveSuspensionReason: reasonText });
  const permanent = untilMs >= PERMANENT_MS;
  await deps.audit.append({
    atMs: nowMs,
    actorId: input.actor.userId,
    action: 'user.live_suspended',
    subject: `user:${user.id}`,
    details: {
      untilMs: permanent ? null : untilMs,
      permanent,
      guideline: input.reason,
      reason: reasonText,
      reportId: input.reportId ?? null,
      previousUntilMs: user.liveSuspendedUntilMs !== null && user.liveSuspendedUntilMs > nowMs ? user.liveSuspendedUntilMs : null,
    },
  });
  const endedLiveId = await endLiveInProgress(user.id, input.actor, liveEndReasonText(input.reason), deps);
  return { user: { ...user, liveSuspendedUntilMs: untilMs, liveSuspensionReason: reasonText }, endedLiveId };
}

/**
 * Ends the user's LIVE on air, if any, as this moderator with this reason; answers its id. Looks a
 * second time: a start that read the user before the suspension was written may have just gone in.
 */
export async function endLiveInProgress(
  userId: string,
  actor: Principal,
  reason: string,
  deps: { readonly lives: LiveStore; readonly endLive: (input: EndLiveInput) => Promise<LiveListing> },
): Promise<string | null> {
  let ended: string | null = null;
  for (let pass = 0; pass < 2; pass++) {
    const onAir = await deps.lives.findOnAirOf(userId);
    if (!onAir) break;
    await deps.endLive({ liveId: onAir.id, actor: { userId: actor.userId, role: actor.role }, reason: reason.slice(0, END_REASON_MAX) });
    ended = onAir.id;
  }
  return ended;
}
