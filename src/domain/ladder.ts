// The gift-baiting ladder (PRODUCT.md: "warning → a countdown to adjust → LIVE ended and a timed
// suspension → appeal"), as rules over a creator's strikes and past suspensions. Pure: no I/O.
//
// Strikes count for LADDER_WINDOW_MS (24 h) and only after the creator's last suspension began: a
// suspension settles the strikes that led to it. Counting those strikes oldest first:
//  1. the first is a **warning** (the private coaching note the room already sent);
//  2. the second starts a **countdown** of COUNTDOWN_MS (10 min): time to adjust — keep the words
//     clean until it ends; the third strike starts another;
//  3. a strike **while a countdown runs**, or a **fourth** strike within the window, ends the LIVE
//     and suspends going LIVE: 24 h the first time, then 3, 7 and 30 days for repeats within
//     ESCALATION_WINDOW_MS (90 days); a suspension lifted on appeal does not count as a repeat;
//  4. the creator may **appeal** a suspension once; a moderator grants (lifted) or denies it.
//
// Every step is computed from stored times alone, so every node, the studio and the test agree, and
// replaying the same strikes gives the same answer.

export const LADDER_WINDOW_MS = 24 * 3_600_000;
export const COUNTDOWN_MS = 10 * 60_000;
/** The strike that suspends even without a countdown running. */
export const STRIKES_TO_SUSPEND = 4;
/** Suspension lengths in hours: the first, then each repeat within ESCALATION_WINDOW_MS. */
export const LADDER_SUSPENSION_HOURS = [24, 72, 168, 720] as const;
export const ESCALATION_WINDOW_MS = 90 * 24 * 3_600_000;
/** An appeal's words: 1 to this many characters once trimmed. */
export const APPEAL_TEXT_MAX = 1_000;

export type LadderStep = 'clear' | 'warning' | 'countdown' | 'suspended';

/** A strike as the ladder reads it. */
export interface LadderStrike {
  readonly id: string;
  readonly atMs: number;
}

/** A past suspension as the ladder reads it (moderators' and the ladder's own). */
export interface LadderSuspension {
  readonly startedAtMs: number;
  /** Lifted because an appeal was granted: not a repeat for the next length. */
  readonly overturned: boolean;
}

export interface LadderStanding {
  readonly step: LadderStep;
  /** The strikes that count now (in the window, since the last suspension began). */
  readonly strikes: number;
  /** While a countdown runs: when it ends. */
  readonly countdownEndsAtMs: number | null;
  /** The strike count at which the next strike ends the LIVE, whatever the countdown. */
  readonly strikesToSuspend: number;
}

/** What the newest strike does. */
export type LadderDecision =
  | { readonly kind: 'warning' }
  | { readonly kind: 'countdown'; readonly endsAtMs: number }
  | {
      readonly kind: 'suspend';
      readonly hours: number;
      /** Makes the suspension idempotent: the first strike that counted, so two nodes deciding at once write one. */
      readonly key: string;
    };

/** The strikes that count at `nowMs`, oldest first. */
function counted(strikes: readonly LadderStrike[], suspensions: readonly LadderSuspension[], nowMs: number): LadderStrike[] {
  const lastStart = Math.max(-Infinity, ...suspensions.map((s) => s.startedAtMs));
  const from = Math.max(nowMs - LADDER_WINDOW_MS, lastStart);
  return strikes.filter((s) => s.atMs > from && s.atMs <= nowMs).sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Walks the counted strikes in order: answers what the last one decided, given the ones before it.
 * Null when no strike counts.
 */
function walk(strikes: readonly LadderStrike[]): { decision: LadderDecision; strike: LadderStrike; index: number } | null {
  const first = strikes[0];
  if (first === undefined) return null;
  let countdownEndsAtMs: number | null = null;
  let last: { decision: LadderDecision; strike: LadderStrike; index: number } | null = null;
  for (const [index, strike] of strikes.entries()) {
    let decision: LadderDecision;
    if ((countdownEndsAtMs !== null && strike.atMs < countdownEndsAtMs) || index + 1 >= STRIKES_TO_SUSPEND) {
      decision = { kind: 'suspend', hours: 0, key: `ladder:${first.id}` };
    } else if (index === 0) decision = { kind: 'warning' };
    else decision = { kind: 'countdown', endsAtMs: strike.atMs + COUNTDOWN_MS };
    countdownEndsAtMs = decision.kind === 'countdown' ? decision.endsAtMs : countdownEndsAtMs;
    last = { decision, strike, index };
    if (decision.kind === 'suspend') break;
  }
  return last;
}

/** How long the next ladder suspension lasts: by the repeats (not overturned) within the escalation window. */
export function ladderSuspensionHours(suspensions: readonly LadderSuspension[], nowMs: number): number {
  const repeats = suspensions.filter((s) => !s.overturned && s.startedAtMs > nowMs - ESCALATION_WINDOW_MS && s.startedAtMs <= nowMs).length;
  return LADDER_SUSPENSION_HOURS[Math.min(repeats, LADDER_SUSPENSION_HOURS.length - 1)] ?? 720;
}

/**
 * What a strike just recorded at `nowMs` does, given every strike of the creator (including it) and
 * their past suspensions. A strike that no longer counts (older than the window, or before the last
 * suspension) decides nothing: null.
 */
export function ladderDecision(strikes: readonly LadderStrike[], suspensions: readonly LadderSuspension[], nowMs: number): LadderDecision | null {
  const result = walk(counted(strikes, suspensions, nowMs));
  if (result === null) return null;
  if (result.decision.kind !== 'suspend') return result.decision;
  return { ...result.decision, hours: ladderSuspensionHours(suspensions, nowMs) };
}

/** Where the creator stands at `nowMs` (the studio's ladder). `suspended` is read from the account, not from strikes. */
export function ladderStanding(strikes: readonly LadderStrike[], suspensions: readonly LadderSuspension[], nowMs: number, suspended: boolean): LadderStanding {
  const those = counted(strikes, suspensions, nowMs);
  const result = walk(those);
  const countdownEndsAtMs = !suspended && result?.decision.kind === 'countdown' && result.decision.endsAtMs > nowMs ? result.decision.endsAtMs : null;
  let step: LadderStep;
  if (suspended) step = 'suspended';
  else if (countdownEndsAtMs !== null) step = 'countdown';
  else step = those.length > 0 ? 'warning' : 'clear';
  return { step, strikes: those.length, countdownEndsAtMs, strikesToSuspend: STRIKES_TO_SUSPEND };
}

/** Why a ladder suspension was imposed, as the creator reads it (and the LIVE's end reason says the guideline). */
export function ladderSuspensionReason(decision: { readonly hours: number }): string {
  return `Gift-baiting: repeated promises of something in return for gifts or engagement (automatic ${decision.hours}-hour suspension)`;
}
