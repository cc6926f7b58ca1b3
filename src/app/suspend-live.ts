// A moderator or admin suspends a user's going LIVE for a Community Guidelines violation, for a set
// time or permanently (PRODUCT.md: "a LIVE in progress ends, new LIVEs are refused with the reason
// and the end date, and the creator sees it in their account"). The gift-baiting ladder imposes its
// timed suspensions through the same steps (imposeSuspension; src/app/climb-ladder.ts).
//
// The suspension is written first (a row of the history the ladder counts and an appeal names, and the account), then a LIVE in progress is ended by the moderator with the
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
import type { AuditLog, Clock, Ids, LiveListing, LiveStore, ModerationStore, SuspensionRecord, User, UserStore, VideoIngest } from './ports.js';

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
  readonly moderation: ModerationStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: Ids;
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
  const id = deps.ids.uuid();
  const { user: after, endedLiveId } = await imposeSuspension(
    user,
    { id, key: `moderator:${id}`, source: 'moderator', guideline: input.reason, reason: suspensionReasonText(input.reason, note), untilMs, actor: input.actor, reportId: input.reportId ?? null },
    deps,
  );
  return { user: after, endedLiveId };
}

/** A suspension to impose: who decided it (a moderator, or the ladder with `actor` null) and what it says. */
export interface NewSuspension {
  readonly id: string;
  readonly key: string;
  readonly source: SuspensionRecord['source'];
  readonly guideline: GuidelineReason;
  /** What the creator reads. */
  readonly reason: string;
  readonly untilMs: number;
  readonly actor: Principal | null;
  readonly reportId: string | null;
}

/**
 * Imposes a suspension on the user: the history row (its key makes a repeat a no-op that answers the
 * first), the account's suspension, the audit entry, then the LIVE in progress ended. Moderators'
 * decisions and the gift-baiting ladder both come here.
 */
export async function imposeSuspension(user: User, s: NewSuspension, deps: SuspendLiveDeps): Promise<ModerationOutcome & { readonly suspension: SuspensionRecord; readonly created: boolean }> {
  const nowMs = deps.clock.nowMs();
  const { suspension, created } = await deps.moderation.addSuspension({
    id: s.id,
    key: s.key,
    userId: user.id,
    source: s.source,
    guideline: s.guideline,
    reason: s.reason,
    startedAtMs: nowMs,
    untilMs: s.untilMs,
    actorId: s.actor?.userId ?? null,
    reportId: s.reportId,
    endedAtMs: null,
    overturned: false,
  });
  if (!created) return { user, endedLiveId: null, suspension, created };
  // The latest decision stands: one in force before it is over now (the history says so; the audit keeps both).
  await deps.moderation.endSuspensions(user.id, nowMs, { overturned: false, exceptId: suspension.id });
  await deps.users.update(user.id, { liveSuspendedUntilMs: s.untilMs, liveSuspensionReason: s.reason });
  const permanent = s.untilMs >= PERMANENT_MS;
  await deps.audit.append({
    atMs: nowMs,
    actorId: s.actor?.userId ?? null,
    action: 'user.live_suspended',
    subject: `user:${user.id}`,
    details: {
      suspensionId: suspension.id,
      source: s.source,
      untilMs: permanent ? null : s.untilMs,
      permanent,
      guideline: s.guideline,
      reason: s.reason,
      reportId: s.reportId,
      previousUntilMs: user.liveSuspendedUntilMs !== null && user.liveSuspendedUntilMs > nowMs ? user.liveSuspendedUntilMs : null,
    },
  });
  const endedLiveId = await endLiveInProgress(user.id, s.actor, liveEndReasonText(s.guideline), deps);
  return { user: { ...user, liveSuspendedUntilMs: s.untilMs, liveSuspensionReason: s.reason }, endedLiveId, suspension, created };
}

/**
 * Ends the user's LIVE on air, if any, and cuts their stream, as this moderator (or the safety
 * rules, `actor` null) with this reason; answers the LIVE's id. Looks a second time: a start that read the user before the suspension
 * was written may have just gone in.
 */
export async function endLiveInProgress(
  userId: string,
  actor: Principal | null,
  reason: string,
  deps: { readonly lives: LiveStore; readonly endLive: (input: EndLiveInput) => Promise<LiveListing>; readonly video?: Pick<VideoIngest, 'cut'> },
): Promise<string | null> {
  // The stream stops too (an encoder would only reconnect into a refusal).
  deps.video?.cut(userId);
  let ended: string | null = null;
  for (let pass = 0; pass < 2; pass++) {
    const onAir = await deps.lives.findOnAirOf(userId);
    if (!onAir) break;
    const by = actor === null ? { actor: null, system: 'safety' as const } : { actor: { userId: actor.userId, role: actor.role } };
    await deps.endLive({ liveId: onAir.id, ...by, reason: reason.slice(0, END_REASON_MAX) });
    ended = onAir.id;
  }
  return ended;
}
