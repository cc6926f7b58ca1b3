// Applies the gift-baiting ladder (src/domain/ladder.ts) after a strike went in: reads the creator's
// strikes in the window and their suspensions, and when the newest strike calls for it — a strike
// while a countdown runs, or the fourth in 24 hours — suspends going LIVE for the ladder's length and
// ends the LIVE in progress (imposeSuspension: the same steps as a moderator's suspension, audited,
// with the LIVE ended by the safety rules). Answers where the creator stands now, for the room to
// tell their studio at once.
//
// Idempotent under races: the suspension is keyed by the first strike it settles, so two nodes that
// struck the same creator at once impose one; a strike whose ladder was already applied finds the
// suspension in force and decides nothing more.
import { ESCALATION_WINDOW_MS, LADDER_WINDOW_MS, ladderDecision, ladderStanding, ladderSuspensionReason, type LadderStanding, type LadderSuspension } from '../domain/ladder.js';
import { isLiveSuspended } from '../domain/users.js';
import type { StrikeRecord, SuspensionRecord } from './ports.js';
import { imposeSuspension, type SuspendLiveDeps } from './suspend-live.js';

export type ClimbLadderDeps = SuspendLiveDeps;

/** What the ladder did with the newest strike, and where the creator stands after it. */
export interface LadderOutcome {
  readonly standing: LadderStanding;
  /** The suspension in force (imposed now, or before); null when going LIVE is open. */
  readonly suspension: SuspensionRecord | null;
  /** The LIVE this strike ended, if any. */
  readonly endedLiveId: string | null;
}

/** Strikes the ladder counts: the detector's, and moderators' warnings for gift-baiting. */
export function countsOnLadder(strike: Pick<StrikeRecord, 'source' | 'rule'>): boolean {
  return strike.source !== 'moderator' || strike.rule === 'gift_baiting';
}

function asLadder(suspensions: readonly SuspensionRecord[]): LadderSuspension[] {
  return suspensions.map((s) => ({ startedAtMs: s.startedAtMs, overturned: s.overturned }));
}

/** Where the user stands on the ladder now, from the records ladderInputs read. */
export function standingOf(inputs: { readonly strikes: readonly StrikeRecord[]; readonly suspensions: readonly SuspensionRecord[] }, nowMs: number, suspended: boolean): LadderStanding {
  return ladderStanding(inputs.strikes.map((s) => ({ id: s.id, atMs: s.createdAtMs })), asLadder(inputs.suspensions), nowMs, suspended);
}

/** The creator's strikes and suspensions as the ladder reads them at `nowMs`. */
export async function ladderInputs(userId: string, nowMs: number, deps: Pick<ClimbLadderDeps, 'moderation'>): Promise<{ strikes: StrikeRecord[]; suspensions: SuspensionRecord[] }> {
  const [strikes, suspensions] = await Promise.all([
    deps.moderation.strikesSince(userId, nowMs - LADDER_WINDOW_MS),
    deps.moderation.suspensionsSince(userId, nowMs - ESCALATION_WINDOW_MS),
  ]);
  return { strikes: strikes.filter(countsOnLadder), suspensions };
}

export async function climbLadder(userId: string, deps: ClimbLadderDeps): Promise<LadderOutcome> {
  const nowMs = deps.clock.nowMs();
  const user = await deps.users.findById(userId);
  if (!user) throw new Error(`strike for unknown user ${userId}`);
  const { strikes, suspensions } = await ladderInputs(userId, nowMs, deps);
  const ladderStrikes = strikes.map((s) => ({ id: s.id, atMs: s.createdAtMs }));
  const decision = ladderDecision(ladderStrikes, asLadder(suspensions), nowMs);

  if (decision?.kind === 'suspend' && !isLiveSuspended(user, nowMs)) {
    const reason = ladderSuspensionReason(decision);
    const imposed = await imposeSuspension(
      user,
      { id: deps.ids.uuid(), key: decision.key, source: 'ladder', guideline: 'gift_baiting', reason, untilMs: nowMs + decision.hours * 3_600_000, actor: null, reportId: null },
      deps,
    );
    // The strikes that led to it are told (a standing read later counts none: the suspension settled them).
    return { standing: standingOf({ strikes, suspensions }, nowMs, true), suspension: imposed.suspension, endedLiveId: imposed.endedLiveId };
  }
  const suspended = isLiveSuspended(user, nowMs);
  return {
    standing: standingOf({ strikes, suspensions }, nowMs, suspended),
    suspension: suspended ? await deps.moderation.currentSuspension(userId, nowMs) : null,
    endedLiveId: null,
  };
}
