// The RateLimiter of one node: the domain's algorithms over Maps. Bounded: each rule keeps at most
// `keysMax` keys; a key is dropped once its state expired (checked a few at a time on every call,
// oldest-touched first) or, past the bound, the least recently touched key goes first.
import type { RateLimiter } from '../app/rate-limiter.js';
import {
  failPenalty,
  peekPenalty,
  peekWindow,
  penaltyExpiresAtMs,
  takePenalty,
  takeWindow,
  windowExpiresAtMs,
  type PenaltyRuleName,
  type PenaltyState,
  type RateDecision,
  type RateRuleName,
  type RateRules,
  type WindowLog,
} from '../domain/rate-limits.js';

interface Entry<S> {
  readonly state: S;
  readonly expiresAtMs: number;
}

/** Expired keys dropped per call at most: the sweep's cost stays constant. */
const SWEEP_PER_CALL = 8;

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<RateRuleName, Map<string, Entry<WindowLog>>>();
  private readonly penalties = new Map<RateRuleName, Map<string, Entry<PenaltyState>>>();

  constructor(
    readonly rules: RateRules,
    private readonly keysMax = 100_000,
  ) {}

  take(name: RateRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const rule = this.rules[name];
    if (rule.kind === 'window') {
      const keys = this.keys(this.windows, name, nowMs);
      const before = keys.get(key);
      const { decision, log } = takeWindow(rule, before?.state ?? [], nowMs);
      if (decision.allowed) this.store(keys, key, log, windowExpiresAtMs(rule, log));
      return Promise.resolve(decision);
    }
    const keys = this.keys(this.penalties, name, nowMs);
    const { decision, state } = takePenalty(rule, keys.get(key)?.state ?? null, nowMs);
    if (decision.allowed && state !== null) this.store(keys, key, state, penaltyExpiresAtMs(rule, state));
    return Promise.resolve(decision);
  }

  peek(name: RateRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const rule = this.rules[name];
    if (rule.kind === 'window') return Promise.resolve(peekWindow(rule, this.windows.get(name)?.get(key)?.state ?? [], nowMs));
    return Promise.resolve(peekPenalty(rule, this.penalties.get(name)?.get(key)?.state ?? null, nowMs));
  }

  fail(name: PenaltyRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const rule = this.rules[name];
    const keys = this.keys(this.penalties, name, nowMs);
    const { decision, state } = failPenalty(rule, keys.get(key)?.state ?? null, nowMs);
    this.store(keys, key, state, penaltyExpiresAtMs(rule, state));
    return Promise.resolve(decision);
  }

  reset(name: RateRuleName, key: string): Promise<void> {
    this.windows.get(name)?.delete(key);
    this.penalties.get(name)?.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.windows.clear();
    this.penalties.clear();
    return Promise.resolve();
  }

  /** Keys held now, over every rule (tests check the bound). */
  get size(): number {
    let n = 0;
    for (const keys of [...this.windows.values(), ...this.penalties.values()]) n += keys.size;
    return n;
  }

  /** The rule's keys, after dropping a few that expired (Map order is least recently touched first). */
  private keys<S>(all: Map<RateRuleName, Map<string, Entry<S>>>, name: RateRuleName, nowMs: number): Map<string, Entry<S>> {
    let keys = all.get(name);
    if (!keys) {
      keys = new Map();
      all.set(name, keys);
    }
    let swept = 0;
    for (const [key, entry] of keys) {
      if (swept >= SWEEP_PER_CALL || entry.expiresAtMs > nowMs) break;
      keys.delete(key);
      swept += 1;
    }
    return keys;
  }

  private store<S>(keys: Map<string, Entry<S>>, key: string, state: S, expiresAtMs: number): void {
    keys.delete(key); // re-inserted last: the Map stays in least-recently-touched order
    keys.set(key, { state, expiresAtMs });
    if (keys.size > this.keysMax) {
      const oldest = keys.keys().next();
      if (oldest.done !== true) keys.delete(oldest.value);
    }
  }
}
