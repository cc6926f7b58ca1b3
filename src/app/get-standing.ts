// Where a user stands (their studio's "Your standing"): the ladder's step now (warning, a countdown
// running and when it ends, or suspended), how many strikes count and at which the LIVE ends, the
// suspension in force with its appeal, and the suspensions of the last 90 days with theirs.
import type { LadderStanding } from '../domain/ladder.js';
import { isLiveSuspended } from '../domain/users.js';
import type { Principal } from './authenticate.js';
import { ladderInputs, standingOf } from './climb-ladder.js';
import type { AppealRecord, Clock, ModerationStore, SuspensionRecord, UserStore } from './ports.js';

export interface SuspensionView {
  readonly suspension: SuspensionRecord;
  readonly appeal: AppealRecord | null;
}

export interface Standing {
  readonly ladder: LadderStanding;
  /** The suspension in force, if any. */
  readonly current: SuspensionView | null;
  /** Suspensions begun in the last 90 days, newest first (the current one too). */
  readonly recent: readonly SuspensionView[];
  /** Every strike the user has, ever. */
  readonly strikesTotal: number;
}

export async function getStanding(input: { readonly viewer: Principal }, deps: { users: UserStore; moderation: ModerationStore; clock: Clock }): Promise<Standing> {
  const nowMs = deps.clock.nowMs();
  const userId = input.viewer.userId;
  const user = await deps.users.findById(userId);
  if (!user) throw new Error(`standing of unknown user ${userId}`);
  const inputs = await ladderInputs(userId, nowMs, deps);
  const { suspensions } = inputs;
  const suspended = isLiveSuspended(user, nowMs);
  const ladder = standingOf(inputs, nowMs, suspended);
  // The account is what every check reads; the history's row in force says which one to appeal
  // (a long or permanent one may have begun before the 90 days).
  const inForce = suspended ? await deps.moderation.currentSuspension(userId, nowMs) : null;
  const appeals = await deps.moderation.appealsOf([...suspensions.map((s) => s.id), ...(inForce ? [inForce.id] : [])]);
  const view = (s: SuspensionRecord): SuspensionView => ({ suspension: s, appeal: appeals.get(s.id) ?? null });
  const total = await deps.moderation.countStrikes([userId]);
  return { ladder, current: inForce ? view(inForce) : null, recent: suspensions.map(view), strikesTotal: total.get(userId) ?? 0 };
}
