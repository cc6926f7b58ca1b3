// Proves the rate-limit algorithms on random histories: a window rule never allows more than its
// limit in any window, refuses only when the window is full, and its retry-after is exact to the
// millisecond; a penalty rule locks exactly at its threshold, doubles each lock up to its cap and
// never past it, forgets after a quiet hour, and holds a guesser to about a hundred tries a day; and
// the defaults, their scaling, the keys of login names and accounts, loopback addresses and messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_RULES,
  describeWait,
  failPenalty,
  isLoopbackAddress,
  lockMs,
  loginAccountKey,
  loginNameKey,
  peekPenalty,
  peekWindow,
  rateLimitMessage,
  RATE_RULE_NAMES,
  scaledRateRules,
  takePenalty,
  takeWindow,
  type PenaltyRule,
  type PenaltyState,
  type WindowLog,
  type WindowRule,
} from './rate-limits.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');

const windowRule = fc.record({
  kind: fc.constant('window' as const),
  limit: fc.integer({ min: 1, max: 12 }),
  windowMs: fc.integer({ min: 1, max: 5_000 }),
});
/** Gaps between calls: often 0 (a burst in one ms), often short, sometimes past the window. */
const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 6_000 })), { minLength: 1, maxLength: 200 });

/** Runs takes at T0 + the running sum of gaps; answers every call with its time and the log before it. */
function runWindow(rule: WindowRule, steps: readonly number[]) {
  let log: WindowLog = [];
  let nowMs = T0;
  const calls = [];
  for (const gap of steps) {
    nowMs += gap;
    const before = log;
    const { decision, log: after } = takeWindow(rule, log, nowMs);
    calls.push({ nowMs, before, decision });
    log = after;
  }
  return { calls, log };
}

describe('window rule (sliding log)', () => {
  it('never allows more than the limit in any window', () => {
    fc.assert(
      fc.property(windowRule, gaps, (rule, steps) => {
        const allowed = runWindow(rule, steps).calls.filter((c) => c.decision.allowed).map((c) => c.nowMs);
        // Every window (t − windowMs, t] ending at an allowed time holds at most `limit` allowed times;
        // a window ending anywhere else holds no more than the one ending at its last allowed time.
        for (const t of allowed) expect(allowed.filter((u) => u > t - rule.windowMs && u <= t).length).toBeLessThanOrEqual(rule.limit);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses only a full window, keeps at most `limit` times, and counts `remaining` down', () => {
    fc.assert(
      fc.property(windowRule, gaps, (rule, steps) => {
        const { calls } = runWindow(rule, steps);
        const allowedAt: number[] = [];
        for (const { nowMs, before, decision } of calls) {
          const inWindow = allowedAt.filter((u) => u > nowMs - rule.windowMs).length;
          expect(decision.allowed).toBe(inWindow < rule.limit);
          expect(before.length).toBeLessThanOrEqual(rule.limit);
          expect(decision.remaining).toBe(decision.allowed ? rule.limit - inWindow - 1 : 0);
          if (decision.allowed) allowedAt.push(nowMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers the exact retry-after: refused one millisecond before it, allowed at it', () => {
    fc.assert(
      fc.property(windowRule, gaps, (rule, steps) => {
        for (const { nowMs, before, decision } of runWindow(rule, steps).calls) {
          if (decision.allowed) {
            expect(decision.retryAfterMs).toBe(0);
            continue;
          }
          expect(decision.retryAfterMs).toBeGreaterThan(0);
          expect(decision.retryAfterMs).toBeLessThanOrEqual(rule.windowMs);
          // A refusal adds nothing, so `before` is also the log after it.
          if (decision.retryAfterMs > 1) expect(takeWindow(rule, before, nowMs + decision.retryAfterMs - 1).decision.allowed).toBe(false);
          expect(takeWindow(rule, before, nowMs + decision.retryAfterMs).decision.allowed).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('peeks the same answer as a take, counting nothing', () => {
    fc.assert(
      fc.property(windowRule, gaps, (rule, steps) => {
        for (const { nowMs, before, decision } of runWindow(rule, steps).calls) {
          const peeked = peekWindow(rule, before, nowMs);
          expect(peeked.allowed).toBe(decision.allowed);
          expect(peeked.retryAfterMs).toBe(decision.retryAfterMs);
          expect(peeked.remaining).toBe(decision.allowed ? decision.remaining + 1 : 0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps its log sorted when clocks of several nodes disagree a little', () => {
    const rule: WindowRule = { kind: 'window', limit: 3, windowMs: 1_000 };
    let log: WindowLog = [];
    for (const t of [T0 + 10, T0 + 5, T0 + 7]) log = takeWindow(rule, log, t).log;
    expect(log).toEqual([T0 + 5, T0 + 7, T0 + 10]);
    expect(takeWindow(rule, log, T0 + 11).decision).toEqual({ allowed: false, retryAfterMs: 994, remaining: 0 });
  });
});

const penaltyRule: PenaltyRule = DEFAULT_RATE_RULES['login.failures:name'];

/** Fails at each time in turn, from no state. */
function failAll(rule: PenaltyRule, times: readonly number[]): { state: PenaltyState | null; locks: number[] } {
  let state: PenaltyState | null = null;
  const locks: number[] = [];
  for (const t of times) {
    const r = failPenalty(rule, state, t);
    state = r.state;
    locks.push(r.decision.allowed ? 0 : r.decision.retryAfterMs);
  }
  return { state, locks };
}

describe('penalty rule (failed sign-ins)', () => {
  it('locks at the threshold-th failure within the window, not before, for baseLockMs', () => {
    const { locks } = failAll(penaltyRule, [0, 1, 2, 3, 4].map((i) => T0 + i * 60_000));
    expect(locks).toEqual([0, 0, 0, 0, 60_000]);
    // Spread wider than the window, failures never add up to a lock.
    expect(failAll(penaltyRule, Array.from({ length: 20 }, (_, i) => T0 + i * 4 * 60_000)).locks.every((l) => l === 0)).toBe(true);
  });

  it('doubles each further lock up to maxLockMs, and answers the exact retry-after', () => {
    let state: PenaltyState | null = null;
    let nowMs = T0;
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      const took = takePenalty(penaltyRule, state, nowMs);
      expect(took.decision.allowed).toBe(true);
      state = took.state;
      const lock = peekPenalty(penaltyRule, state, nowMs);
      if (!lock.allowed) {
        seen.push(lock.retryAfterMs);
        expect(takePenalty(penaltyRule, state, nowMs + lock.retryAfterMs - 1).decision).toEqual({ allowed: false, retryAfterMs: 1, remaining: 0 });
        nowMs += lock.retryAfterMs; // the guesser tries again the moment the lock ends
      } else nowMs += 1_000;
    }
    const m = 60_000;
    expect(seen).toEqual([m, 2 * m, 4 * m, 8 * m, 15 * m, 15 * m, 15 * m, 15 * m]);
  });

  it('never locks a key longer than maxLockMs past its last failure, whatever the failures', () => {
    const rule = fc.record({
      kind: fc.constant('penalty' as const),
      threshold: fc.integer({ min: 1, max: 8 }),
      windowMs: fc.integer({ min: 1, max: 100_000 }),
      baseLockMs: fc.integer({ min: 1, max: 50_000 }),
      maxLockMs: fc.integer({ min: 1, max: 100_000 }),
      forgetMs: fc.integer({ min: 100_000, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(rule, gaps, (r, steps) => {
        let state: PenaltyState | null = null;
        let nowMs = T0;
        for (const gap of steps) {
          nowMs += gap * 10;
          const peeked = peekPenalty(r, state, nowMs);
          expect(peeked.retryAfterMs).toBeLessThanOrEqual(r.maxLockMs);
          const took = takePenalty(r, state, nowMs);
          if (!peeked.allowed) expect(took.state).toBe(state); // refused attempts are not counted
          state = took.state;
          if (state) expect(state.lockedUntilMs).toBeLessThanOrEqual(state.lastFailureMs + r.maxLockMs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgets a key an hour after its last failure', () => {
    const { state } = failAll(penaltyRule, Array.from({ length: 5 }, (_, i) => T0 + i * 60_000));
    expect(state?.strikes).toBeGreaterThan(0);
    const later = (state?.lastFailureMs ?? 0) + penaltyRule.forgetMs;
    expect(peekPenalty(penaltyRule, state, later)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 5 });
    expect(failPenalty(penaltyRule, state, later).decision).toEqual({ allowed: true, retryAfterMs: 0, remaining: 4 });
  });

  it('holds a guesser who tries the moment each lock ends to about a hundred tries a day', () => {
    let state: PenaltyState | null = null;
    let tries = 0;
    for (let nowMs = T0; nowMs < T0 + 86_400_000; ) {
      const took = takePenalty(penaltyRule, state, nowMs);
      if (took.decision.allowed) {
        tries += 1;
        state = took.state;
        nowMs += 100;
      } else nowMs += took.decision.retryAfterMs;
    }
    // 5 tries, then locks of 1, 2, 4, 8 minutes, then one try per 15 minutes.
    expect(tries).toBeLessThanOrEqual(5 + 4 + 96);
    expect(tries).toBeGreaterThan(90);
  });

  it('lockMs grows from the base and stops at the cap, even after very many strikes', () => {
    expect([0, 1, 2, 3, 4, 5, 1_000].map((s) => lockMs(penaltyRule, s))).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
  });
});

describe('the policy table', () => {
  it('keeps every rule sane: limits ≥ 1, penalties forgotten only after their window and their longest lock', () => {
    for (const name of RATE_RULE_NAMES) {
      const rule = DEFAULT_RATE_RULES[name];
      if (rule.kind === 'window') expect(rule.limit).toBeGreaterThanOrEqual(1);
      else {
        expect(rule.forgetMs).toBeGreaterThanOrEqual(rule.windowMs);
        expect(rule.forgetMs).toBeGreaterThanOrEqual(rule.maxLockMs);
        expect(rule.baseLockMs).toBeLessThanOrEqual(rule.maxLockMs);
      }
    }
  });

  it('lets a combo through: 10 sends a second for a minute from each of three devices', () => {
    const rule = DEFAULT_RATE_RULES['gift.send:user'];
    let log: WindowLog = [];
    for (let i = 0; i < 600; i++) {
      for (const device of [0, 1, 2]) {
        const took = takeWindow(rule, log, T0 + i * 100 + device * 7);
        expect(took.decision.allowed).toBe(true);
        log = took.log;
      }
    }
  });

  it('scales counts, never windows, and never below 1', () => {
    const doubled = scaledRateRules(2);
    expect(doubled['signup:ip']).toEqual({ ...DEFAULT_RATE_RULES['signup:ip'], limit: 20 });
    expect(doubled['login.failures:name']).toEqual({ ...DEFAULT_RATE_RULES['login.failures:name'], threshold: 10 });
    expect(scaledRateRules(0.01)['chat:user'].limit).toBe(1);
    expect(scaledRateRules(1)).toEqual(DEFAULT_RATE_RULES);
    expect(() => scaledRateRules(0)).toThrow(RangeError);
    expect(() => scaledRateRules(1_000)).toThrow(RangeError);
  });
});

describe('keys and words', () => {
  it('keys a login name as the account lookup reads it, never in clear', () => {
    expect(loginNameKey('  Ana@Example.TEST ')).toBe(loginNameKey('ana@example.test'));
    expect(loginNameKey('@Ana')).toBe(loginNameKey('ana'));
    expect(loginNameKey('ana')).not.toBe(loginNameKey('ana2'));
    expect(loginNameKey('ana@example.test')).toMatch(/^name:[0-9a-f]{32}$/);
  });

  it('keys an account apart from every name, so a name of no account never shares an account\'s lock', () => {
    const id = '0193a1b2-0000-7000-8000-000000000001';
    expect(loginAccountKey(id)).toBe(`user:${id}`);
    expect(loginNameKey(id)).not.toBe(loginAccountKey(id));
  });

  it('holds a known browser to the same budget as the account: 5 wrong passwords in 15 minutes, the same bounded locks', () => {
    const { threshold, windowMs, maxLockMs } = DEFAULT_RATE_RULES['login.failures:device'];
    expect({ threshold, windowMs, maxLockMs }).toEqual({ threshold: 5, windowMs: 15 * 60_000, maxLockMs: 15 * 60_000 });
    expect(DEFAULT_RATE_RULES['login.failures:device']).toEqual(DEFAULT_RATE_RULES['login.failures:name']);
    // A locked name of no account and a locked account answer alike: one rule, one message.
    expect(rateLimitMessage('login.failures:name', DEFAULT_RATE_RULES, 60_000)).toBe('Too many wrong passwords for this account. Try again in 1 minute.');
    expect(rateLimitMessage('login.failures:device', DEFAULT_RATE_RULES, 60_000)).toBe('Too many wrong passwords on this device. Try again in 1 minute.');
  });

  it('knows loopback addresses, IPv4-mapped included, and nothing else', () => {
    for (const ip of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(ip)).toBe(true);
    for (const ip of ['10.0.0.1', '203.0.113.7', '::ffff:10.0.0.1', '2001:db8::1', '1270.0.0.1', '']) expect(isLoopbackAddress(ip)).toBe(false);
  });

  it('says how long to wait in words, rounded up', () => {
    expect([1, 1_000, 1_001, 59_000, 60_000, 61_000, 900_000, 3_600_000, 5_400_000].map(describeWait)).toEqual([
      '1 second', '1 second', '2 seconds', '59 seconds', '1 minute', '2 minutes', '15 minutes', '1 hour', '2 hours',
    ]);
    expect(rateLimitMessage('chat:user', DEFAULT_RATE_RULES, 2_500)).toBe('At most 5 messages every 10 seconds. Try again in 3 seconds.');
    for (const name of RATE_RULE_NAMES) expect(rateLimitMessage(name, DEFAULT_RATE_RULES, 1)).toMatch(/Try again in 1 second\.$/);
  });
});
