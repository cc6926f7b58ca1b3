// A user's strikes, newest first: what they said, where, which rule it broke, and when. Moderators
// and admins read anyone's (the queue links here); every user reads their own, so the ladder
// (warning → countdown → suspension) is visible to the creator.
import { NotFound } from '../domain/errors.js';
import { requireModerator } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import type { ModerationPosition, ModerationStore, StrikeRecord, UserStore } from './ports.js';

export interface ListStrikesInput {
  /** Who asks: the user themself, or a moderator/admin. */
  readonly viewer: Principal;
  /** Whose strikes. */
  readonly userId: string;
  /** At most this many (1–100). */
  readonly limit: number;
  /** Continue after this strike of the previous page. */
  readonly before?: ModerationPosition | undefined;
}

export interface StrikePageResult {
  readonly strikes: readonly StrikeRecord[];
  /** Where the next page starts; null on the last. */
  readonly next: ModerationPosition | null;
}

export async function listStrikes(input: ListStrikesInput, deps: { moderation: ModerationStore; users: UserStore }): Promise<StrikePageResult> {
  if (input.viewer.userId !== input.userId) {
    requireModerator(input.viewer);
    if (!(await deps.users.findById(input.userId))) throw new NotFound('No such user.');
  }
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 100);
  // One row more than asked tells whether another page follows, without a count.
  const rows = await deps.moderation.listStrikes(input.userId, { limit: limit + 1, ...(input.before ? { before: input.before } : {}) });
  const strikes = rows.slice(0, limit);
  const last = strikes.at(-1);
  return { strikes, next: rows.length > limit && last ? { createdAtMs: last.createdAtMs, id: last.id } : null };
}
