import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTDOWN_MS, ESCALATION_WINDOW_MS, LADDER_WINDOW_MS, ladderDecision, ladderStanding, ladderSuspensionHours, STRIKES_TO_SUSPEND, type LadderStrike } from './ladder.js';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const strikesAt = (...minutes: number[]): LadderStrike[] => minutes.map((m, i) => ({ id: `s${i}`, atMs: T0 + m * MIN }));

describe('the gift-baiting ladder', () => {
  it('warns at the first strike, starts a countdown at the second', () => {
    expect(ladderDecision(strikesAt(0), [], T0)).toEqual({ kind: 'warning' });
    expect(ladderDecision(strikesAt(0, 5), [], T0 + 5 * MIN)).toEqual({ kind: 'countdown', endsAtMs: T0 + 5 * MIN + COUNTDOWN_MS });
  });

  it('suspends for a strike while the countdown runs, for 24 hours the first time', () => {
    expect(ladderDecision(strikesAt(0, 5, 14), [], T0 + 14 * MIN)).toEqual({ kind: 'suspend', hours: 24, key: 'ladder:s0' });
  });

  it('a strike after the countdown ran out starts another; the fourth suspends whatever the countdown', () => {
    expect(ladderDecision(strikesAt(0, 5, 16), [], T0 + 16 * MIN)).toEqual({ kind: 'countdown', endsAtMs: T0 + 16 * MIN + COUNTDOWN_MS });
    expect(ladderDecision(strikesAt(0, 5, 16, 60), [], T0 + 60 * MIN)).toMatchObject({ kind: 'suspend', hours: 24 });
  });

  it('counts 24 hours only, and nothing from before the last suspension began', () => {
    const nowMs = T0 + LADDER_WINDOW_MS + 30 * MIN;
    // Two strikes fell out of the window: this one is a first strike again.
    expect(ladderDecision(strikesAt(0, 5, 24 * 60 + 30), [], nowMs)).toEqual({ kind: 'warning' });
    // A suspension began after the first two: the third is a first strike again.
    expect(ladderDecision(strikesAt(0, 5, 30), [{ startedAtMs: T0 + 10 * MIN, overturned: false }], T0 + 30 * MIN)).toEqual({ kind: 'warning' });
  });

  it('escalates 24 h → 72 h → 7 days → 30 days for repeats within 90 days; an overturned one is no repeat', () => {
    const past = (days: number, overturned = false) => ({ startedAtMs: T0 - days * 86_400_000, overturned });
    expect(ladderSuspensionHours([], T0)).toBe(24);
    expect(ladderSuspensionHours([past(10)], T0)).toBe(72);
    expect(ladderSuspensionHours([past(10), past(20)], T0)).toBe(168);
    expect(ladderSuspensionHours([past(10), past(20), past(30), past(40)], T0)).toBe(720);
    expect(ladderSuspensionHours([past(10, true)], T0)).toBe(24);
    expect(ladderSuspensionHours([past(ESCALATION_WINDOW_MS / 86_400_000 + 1)], T0)).toBe(24);
  });

  it('shows the standing: the countdown while it runs, then back to a warning', () => {
    const strikes = strikesAt(0, 5);
    expect(ladderStanding(strikes, [], T0 + 6 * MIN, false)).toEqual({ step: 'countdown', strikes: 2, countdownEndsAtMs: T0 + 5 * MIN + COUNTDOWN_MS, strikesToSuspend: STRIKES_TO_SUSPEND });
    expect(ladderStanding(strikes, [], T0 + 16 * MIN, false)).toMatchObject({ step: 'warning', strikes: 2, countdownEndsAtMs: null });
    expect(ladderStanding([], [], T0, false)).toMatchObject({ step: 'clear', strikes: 0 });
    expect(ladderStanding(strikes, [], T0 + 6 * MIN, true).step).toBe('suspended');
  });

  it('property: any strikes, any order of arrival — the same decision; never more than 3 strikes in 24 h without a suspension', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 * 24 * 60 }), { minLength: 1, maxLength: 30 }), fc.integer(), (minutes, seed) => {
        const sorted = [...minutes].sort((a, b) => a - b);
        const strikes = sorted.map((m, i) => ({ id: `s${String(i).padStart(3, '0')}`, atMs: T0 + m * MIN }));
        const shuffled = [...strikes].sort((a, b) => ((a.atMs * 31 + seed) % 97) - ((b.atMs * 31 + seed) % 97));
        // Replay the strikes one by one as a server would, suspending when told to.
        const suspensions: { startedAtMs: number; overturned: boolean }[] = [];
        for (const [i, strike] of strikes.entries()) {
          const seen = strikes.slice(0, i + 1);
          const decision = ladderDecision(seen, suspensions, strike.atMs);
          const again = ladderDecision(shuffled.filter((s) => seen.includes(s)), suspensions, strike.atMs);
          expect(again).toEqual(decision);
          if (decision?.kind === 'suspend') suspensions.push({ startedAtMs: strike.atMs, overturned: false });
          // Whatever happened, the strikes counting now are never more than STRIKES_TO_SUSPEND - 1 unsuspended.
          const standing = ladderStanding(seen, suspensions, strike.atMs, false);
          expect(standing.strikes).toBeLessThan(STRIKES_TO_SUSPEND);
        }
      }),
      { numRuns: 300 },
    );
  });
});
