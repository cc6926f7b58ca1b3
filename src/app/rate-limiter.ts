// The RateLimiter port: counts actions and failures per key under the rules of
// src/domain/rate-limits.ts. In memory on one node (src/platform/memory-rate-limiter.ts); in Redis
// when several nodes must enforce one limit together (src/platform/redis-rate-limiter.ts).
import type { PenaltyRuleName, RateDecision, RateRuleName, RateRules } from '../domain/rate-limits.js';
import { DEFAULT_RATE_RULES, isLoopbackAddress, rateLimitMessage } from '../domain/rate-limits.js';

export interface RateLimiter {
  /** The rules it enforces (the defaults scaled by RATE_LIMITS). */
  readonly rules: RateRules;
  /**
   * A window rule counts one action when allowed. A penalty rule refuses while the key is locked
   * and otherwise counts the attempt as a failure at once (reset it when the attempt succeeds).
   */
  take(name: RateRuleName, key: string, nowMs: number): Promise<RateDecision>;
  /** What `take` would answer now, counting nothing. */
  peek(name: RateRuleName, key: string, nowMs: number): Promise<RateDecision>;
  /** Counts a failure; the decision says whether the key is locked after it. */
  fail(name: PenaltyRuleName, key: string, nowMs: number): Promise<RateDecision>;
  /** Forgets the key (a penalty rule's success). */
  reset(name: RateRuleName, key: string): Promise<void>;
  close(): Promise<void>;
}

/** A refusal: which rule refused, and its decision. */
export interface RateRefusal {
  readonly name: RateRuleName;
  readonly decision: RateDecision;
}

/** Who acts: the signed-in user (if any) and the client's address (if known). */
export interface RateSubject {
  readonly userId: string | null;
  readonly ip: string | null;
}

/**
 * The rules that apply to a subject's action, with their keys: the user rule when someone is
 * signed in, the address rule unless the address is loopback (src/domain/rate-limits.ts says why).
 */
export function rateKeysFor(names: readonly RateRuleName[], subject: RateSubject): { name: RateRuleName; key: string }[] {
  const keys: { name: RateRuleName; key: string }[] = [];
  for (const name of names) {
    if (name.endsWith(':user') && subject.userId !== null) keys.push({ name, key: subject.userId });
    if (name.endsWith(':ip') && subject.ip !== null && !isLoopbackAddress(subject.ip)) keys.push({ name, key: subject.ip });
  }
  return keys;
}

/**
 * Takes each rule in order and stops at the first refusal (later rules are not counted for an
 * action that will not happen). Null when every rule allowed it.
 */
export async function takeEach(limiter: RateLimiter, keys: readonly { name: RateRuleName; key: string }[], nowMs: number): Promise<RateRefusal | null> {
  for (const { name, key } of keys) {
    const decision = await limiter.take(name, key, nowMs);
    if (!decision.allowed) return { name, decision };
  }
  return null;
}

/** The error a refused client gets, over HTTP (429) and in a room socket's ack alike. */
export interface RateLimitedError {
  readonly code: 'rate_limited';
  readonly message: string;
  readonly details: { readonly retryAfterMs: number };
}

export function rateLimitedError(rules: RateRules, refusal: RateRefusal): RateLimitedError {
  const { retryAfterMs } = refusal.decision;
  return { code: 'rate_limited', message: rateLimitMessage(refusal.name, rules, retryAfterMs), details: { retryAfterMs } };
}

/** A limiter that allows everything (RATE_LIMITS=off). */
export const unlimitedRateLimiter: RateLimiter = {
  rules: DEFAULT_RATE_RULES,
  take: () => Promise.resolve({ allowed: true, retryAfterMs: 0, remaining: Number.MAX_SAFE_INTEGER }),
  peek: () => Promise.resolve({ allowed: true, retryAfterMs: 0, remaining: Number.MAX_SAFE_INTEGER }),
  fail: () => Promise.resolve({ allowed: true, retryAfterMs: 0, remaining: Number.MAX_SAFE_INTEGER }),
  reset: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
