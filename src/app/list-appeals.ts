// The moderators' appeals queue: appeals newest first (open ones by default), each with what a
// moderator needs to decide — who appealed and how they stand now, the suspension (who or what
// imposed it, why, until when; the report it resolved), and the strikes that led to it (the 24 hours
// before it began, the ladder's window).
import { LADDER_WINDOW_MS } from '../domain/ladder.js';
import { requireModerator } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import type { AppealRecord, AppealStatus, ModerationPosition, ModerationStore, StrikeRecord, SuspensionRecord, User, UserStore } from './ports.js';

export const APPEALS_PAGE_MAX = 50;
/** Strikes shown with each appeal. */
const STRIKES_SHOWN = 10;

export interface AppealView {
  readonly appeal: AppealRecord;
  readonly user: User | null;
  readonly suspension: SuspensionRecord | null;
  /** The strikes in the 24 hours before the suspension began, newest first. */
  readonly strikes: readonly StrikeRecord[];
  /** Every strike the user has, ever. */
  readonly strikesTotal: number;
}

export interface ListAppealsInput {
  readonly actor: Principal;
  readonly status: AppealStatus;
  /** At most this many (1–50). */
  readonly limit: number;
  readonly before?: ModerationPosition | undefined;
}

export async function listAppeals(input: ListAppealsInput, deps: { moderation: ModerationStore; users: UserStore }): Promise<{ readonly appeals: readonly AppealView[]; readonly next: ModerationPosition | null }> {
  requireModerator(input.actor);
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), APPEALS_PAGE_MAX);
  const rows = await deps.moderation.listAppeals({ status: input.status, limit: limit + 1, ...(input.before ? { before: input.before } : {}) });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { appeals: await describeAppeals(page, deps), next: rows.length > limit && last ? { createdAtMs: last.createdAtMs, id: last.id } : null };
}

/** The context of each appeal (the queue, and the answer of deciding one). */
export async function describeAppeals(appeals: readonly AppealRecord[], deps: { moderation: ModerationStore; users: UserStore }): Promise<AppealView[]> {
  const users = new Map((await deps.users.findByIds(appeals.map((a) => a.userId))).map((u) => [u.id, u]));
  const totals = await deps.moderation.countStrikes(appeals.map((a) => a.userId));
  const views: AppealView[] = [];
  for (const appeal of appeals) {
    const suspension = await deps.moderation.findSuspension(appeal.suspensionId);
    const strikes = suspension ? await deps.moderation.strikesSince(appeal.userId, suspension.startedAtMs - LADDER_WINDOW_MS) : [];
    views.push({
      appeal,
      user: users.get(appeal.userId) ?? null,
      suspension,
      strikes: strikes
        .filter((s) => suspension !== null && s.createdAtMs <= suspension.startedAtMs)
        .reverse()
        .slice(0, STRIKES_SHOWN),
      strikesTotal: totals.get(appeal.userId) ?? 0,
    });
  }
  return views;
}
