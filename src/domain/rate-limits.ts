// Rate limits: the policy table and the two pure algorithms every limiter runs (in memory, or as a
// Lua script in Redis that mirrors this code line for line).
//
// - A **window** rule allows at most `limit` actions of one key in any `windowMs`: a sliding log of
//   the allowed times (at most `limit` of them), so the bound is exact for every window, not only
//   for aligned ones, and a refusal knows exactly when the oldest time leaves the window. (A token
//   bucket or GCRA with a burst of `limit` lets up to twice the limit through in one window: a full
//   burst, then the refill.)
// - A **penalty** rule counts failures, not actions (wrong passwords): after `threshold` failures
//   within `windowMs` the key is locked for `baseLockMs`, and every further failure while it is
//   remembered locks it again for twice as long, up to `maxLockMs` — never longer, so nobody can
//   lock a key for more than `maxLockMs` past their last failure. A key without a failure for
//   `forgetMs` starts over; a success resets it (the caller says so).
//
// Keys are opaque strings (a user id, an IP address, an account or a hash of a login name, a device
// cookie's hash); times are epoch ms.
import { createHash } from 'node:crypto';

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

export interface WindowRule {
  readonly kind: 'window';
  readonly limit: number;
  readonly windowMs: number;
}

export interface PenaltyRule {
  readonly kind: 'penalty';
  /** Failures within `windowMs` that lock the key the first time. */
  readonly threshold: number;
  readonly windowMs: number;
  /** The first lock; each later failure doubles it, up to `maxLockMs`. */
  readonly baseLockMs: number;
  readonly maxLockMs: number;
  /** A key with no failure for this long is forgotten (≥ windowMs and ≥ maxLockMs). */
  readonly forgetMs: number;
}

export type RateRule = WindowRule | PenaltyRule;

/** What a limiter answers: whether the action may go ahead, and if not, for how long it may not. */
export interface RateDecision {
  readonly allowed: boolean;
  /** 0 when allowed; otherwise exactly how long until the same call would be allowed. */
  readonly retryAfterMs: number;
  /** Actions (window) or failures (penalty) left before the next refusal. */
  readonly remaining: number;
}

const window = (limit: number, windowMs: number): WindowRule => ({ kind: 'window', limit, windowMs });
const penalty = (threshold: number, windowMs: number): PenaltyRule => ({ kind: 'penalty', threshold, windowMs, baseLockMs: MINUTE_MS, maxLockMs: 15 * MINUTE_MS, forgetMs: HOUR_MS });

/**
 * The default policy, named `<action>:<key kind>`. Each limit is set where a real person never
 * reaches it and a script soon does:
 * - `login:ip` — 10 sign-in attempts a minute from one address, whatever their outcome.
 * - `login.failures:name` — per account, whichever of its names (email or handle) is typed; a name
 *   of no account counts on its own, the same way: 5 wrong passwords in 15 minutes lock it for
 *   1 minute, then 2, 4, 8, and at most 15 minutes per further failure; forgotten after an hour
 *   without one; a successful sign-in without a device cookie resets it. A guesser gets about
 *   5 tries, then about 4 an hour. It holds only clients the account does not know: the owner's
 *   browsers sign in past it with their device cookies (src/http/rate-limits.ts).
 * - `login.failures:device` — per device cookie (a browser that signed in to the account before):
 *   the same rule for its own wrong passwords, so a stolen device cookie is worth no more guesses
 *   than an unknown client, and the owner's typos lock only their own browser.
 * - `login.failures:ip` — the same rule from one address after 20 failures (a script trying one
 *   password on many names); a success does not reset it. Separate from the names' rule: an address
 *   locked for guessing locks only itself, never the names it tried.
 * - `signup:ip` — 10 new accounts an hour from one address (a family, a classroom or a café behind
 *   one address stays under it; a farm of accounts does not).
 * - `gift.send:user` — 50 sends in any second, HTTP and socket together: a combo fires one send per
 *   tap, at most about 10 a second per device, so a viewer combo-ing on a phone, a tablet and a
 *   laptop at once (30 sends in a second) still has room. Money is capped per day and week by
 *   the ledger's spend caps; this keeps a script from flooding the ledger writer and the rooms.
 * - `chat:user` — 5 lines every 10 seconds, across rooms and nodes (the product's chat rule).
 * - `purchase:user` — 10 checkouts a minute; `purchase:ip` — 30 a minute from one address, against
 *   card testing through many accounts.
 */
export const DEFAULT_RATE_RULES = {
  'login:ip': window(10, MINUTE_MS),
  'login.failures:name': penalty(5, 15 * MINUTE_MS),
  'login.failures:device': penalty(5, 15 * MINUTE_MS),
  'login.failures:ip': penalty(20, 15 * MINUTE_MS),
  'signup:ip': window(10, HOUR_MS),
  'gift.send:user': window(50, SECOND_MS),
  'chat:user': window(5, 10 * SECOND_MS),
  'purchase:user': window(10, MINUTE_MS),
  'purchase:ip': window(30, MINUTE_MS),
} as const satisfies Record<string, RateRule>;

export type RateRuleName = keyof typeof DEFAULT_RATE_RULES;
export type PenaltyRuleName = { [K in RateRuleName]: (typeof DEFAULT_RATE_RULES)[K] extends PenaltyRule ? K : never }[RateRuleName];
export type RateRules = { readonly [K in RateRuleName]: (typeof DEFAULT_RATE_RULES)[K] extends PenaltyRule ? PenaltyRule : WindowRule };

export const RATE_RULE_NAMES = Object.keys(DEFAULT_RATE_RULES) as readonly RateRuleName[];

/** Largest scale RATE_LIMITS accepts: keeps every log (at most `limit` times per key) small. */
export const RATE_SCALE_MAX = 100;

/** The default rules with every count (limits, thresholds) multiplied by `scale`, at least 1. */
export function scaledRateRules(scale: number): RateRules {
  if (!(scale > 0 && scale <= RATE_SCALE_MAX)) throw new RangeError(`rate limit scale ${scale} is outside (0, ${RATE_SCALE_MAX}]`);
  const scaled = (n: number): number => Math.max(1, Math.round(n * scale));
  const out: Record<string, RateRule> = {};
  for (const name of RATE_RULE_NAMES) {
    const rule: RateRule = DEFAULT_RATE_RULES[name];
    out[name] = rule.kind === 'window' ? { ...rule, limit: scaled(rule.limit) } : { ...rule, threshold: scaled(rule.threshold) };
  }
  return out as RateRules;
}

// ---- window: a sliding log of allowed times ----

/** The times a key was allowed, ascending; at most `limit` of them are ever kept. */
export type WindowLog = readonly number[];

/** Counts one action at `nowMs` when fewer than `limit` were allowed in the window before it. */
export function takeWindow(rule: WindowRule, log: WindowLog, nowMs: number): { decision: RateDecision; log: WindowLog } {
  const kept = log.filter((t) => t > nowMs - rule.windowMs);
  const oldest = kept[0];
  if (oldest !== undefined && kept.length >= rule.limit) {
    // Nothing is added while refused, so the window frees a place exactly when `oldest` leaves it.
    return { decision: { allowed: false, retryAfterMs: oldest + rule.windowMs - nowMs, remaining: 0 }, log: kept };
  }
  const next = [...kept, nowMs];
  // Clocks of several nodes may disagree a little: keep the log sorted whatever order times come in.
  if (kept.length > 0 && nowMs < (kept.at(-1) ?? nowMs)) next.sort((a, b) => a - b);
  return { decision: { allowed: true, retryAfterMs: 0, remaining: rule.limit - next.length }, log: next };
}

/** What takeWindow would answer, counting nothing. */
export function peekWindow(rule: WindowRule, log: WindowLog, nowMs: number): RateDecision {
  const kept = log.filter((t) => t > nowMs - rule.windowMs);
  const oldest = kept[0];
  if (oldest !== undefined && kept.length >= rule.limit) return { allowed: false, retryAfterMs: oldest + rule.windowMs - nowMs, remaining: 0 };
  return { allowed: true, retryAfterMs: 0, remaining: rule.limit - kept.length };
}

/** When a log can be dropped: its newest time has left the window. */
export function windowExpiresAtMs(rule: WindowRule, log: WindowLog): number {
  return (log.at(-1) ?? Number.NEGATIVE_INFINITY) + rule.windowMs;
}

// ---- penalty: failures that lock a key for a growing, bounded time ----

export interface PenaltyState {
  /** The latest failures (at most `threshold`), ascending. */
  readonly failuresMs: readonly number[];
  /** Locks so far; the next lock lasts baseLockMs × 2^strikes (at most maxLockMs). */
  readonly strikes: number;
  readonly lastFailureMs: number;
  /** Locked while now < lockedUntilMs. */
  readonly lockedUntilMs: number;
}

/** Strikes stop counting here: 2^30 × any base is far past any maxLockMs. */
const STRIKES_MAX = 30;

/** How long the lock of a key with `strikes` earlier locks lasts. */
export function lockMs(rule: PenaltyRule, strikes: number): number {
  return Math.min(rule.baseLockMs * 2 ** Math.min(strikes, STRIKES_MAX), rule.maxLockMs);
}

/** The state, or null when it is forgotten (no failure for forgetMs). */
function remembered(rule: PenaltyRule, state: PenaltyState | null, nowMs: number): PenaltyState | null {
  return state !== null && nowMs - state.lastFailureMs < rule.forgetMs ? state : null;
}

function failuresLeft(rule: PenaltyRule, state: PenaltyState | null, nowMs: number): number {
  if (state === null) return rule.threshold;
  if (state.strikes > 0) return 0;
  return Math.max(0, rule.threshold - state.failuresMs.filter((t) => t > nowMs - rule.windowMs).length);
}

/** Whether the key is locked now, counting nothing. */
export function peekPenalty(rule: PenaltyRule, state: PenaltyState | null, nowMs: number): RateDecision {
  const s = remembered(rule, state, nowMs);
  if (s !== null && nowMs < s.lockedUntilMs) return { allowed: false, retryAfterMs: s.lockedUntilMs - nowMs, remaining: 0 };
  return { allowed: true, retryAfterMs: 0, remaining: failuresLeft(rule, s, nowMs) };
}

/** Counts a failure at `nowMs`; the decision says whether the key is locked after it. */
export function failPenalty(rule: PenaltyRule, state: PenaltyState | null, nowMs: number): { decision: RateDecision; state: PenaltyState } {
  const s = remembered(rule, state, nowMs);
  const failuresMs = [...(s?.failuresMs ?? []).filter((t) => t > nowMs - rule.windowMs), nowMs].sort((a, b) => a - b).slice(-rule.threshold);
  let strikes = s?.strikes ?? 0;
  let lockedUntilMs = s?.lockedUntilMs ?? 0;
  if (strikes > 0 || failuresMs.length >= rule.threshold) {
    // Never shortens a lock; never sets one past nowMs + maxLockMs.
    lockedUntilMs = Math.max(lockedUntilMs, nowMs + lockMs(rule, strikes));
    strikes = Math.min(strikes + 1, STRIKES_MAX);
  }
  const next: PenaltyState = { failuresMs, strikes, lastFailureMs: Math.max(nowMs, s?.lastFailureMs ?? nowMs), lockedUntilMs };
  return { decision: peekPenalty(rule, next, nowMs), state: next };
}

/**
 * An attempt that may fail: refused while the key is locked (and not counted), otherwise allowed
 * and counted as a failure at once — so many attempts racing each other are counted before any of
 * them is answered. The caller resets the key when the attempt succeeds.
 */
export function takePenalty(rule: PenaltyRule, state: PenaltyState | null, nowMs: number): { decision: RateDecision; state: PenaltyState | null } {
  const before = peekPenalty(rule, state, nowMs);
  if (!before.allowed) return { decision: before, state };
  const after = failPenalty(rule, state, nowMs);
  return { decision: { allowed: true, retryAfterMs: 0, remaining: after.decision.remaining }, state: after.state };
}

/** When a penalty state can be dropped: forgotten and no longer locked. */
export function penaltyExpiresAtMs(rule: PenaltyRule, state: PenaltyState): number {
  return Math.max(state.lastFailureMs + rule.forgetMs, state.lockedUntilMs);
}

// ---- keys and words ----

/**
 * Loopback addresses are not limited per address: they are this machine's own clients (tests,
 * health checks, a reverse proxy on the same host — behind which every visitor would otherwise
 * share one address and one budget). Per-user limits still apply to them.
 */
export function isLoopbackAddress(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(ip);
}

/** A login name as the account lookup reads it: trimmed, lower-cased, a handle without its @. */
export function normalizedLoginName(login: string): string {
  return login.trim().toLowerCase().replace(/^@/, '');
}

/** "3 seconds", "2 minutes", "1 hour", rounded up. */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / SECOND_MS));
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

/** What a person is told when a rule refuses them. */
export function rateLimitMessage(name: RateRuleName, rules: RateRules, retryAfterMs: number): string {
  const wait = `Try again in ${describeWait(retryAfterMs)}.`;
  switch (name) {
    case 'login:ip':
      return `Too many sign-in attempts from your network. ${wait}`;
    case 'login.failures:name':
      return `Too many wrong passwords for this account. ${wait}`;
    case 'login.failures:device':
      return `Too many wrong passwords on this device. ${wait}`;
    case 'login.failures:ip':
      return `Too many wrong passwords from your network. ${wait}`;
    case 'signup:ip':
      return `Too many new accounts from your network. ${wait}`;
    case 'gift.send:user':
      return `You are sending gifts faster than ${rules[name].limit} a second. ${wait}`;
    case 'chat:user':
      return `At most ${rules[name].limit} messages every ${describeWait(rules[name].windowMs)}. ${wait}`;
    case 'purchase:user':
    case 'purchase:ip':
      return `Too many purchases at once. ${wait}`;
  }
}

/**
 * The key of the failures of a login name that belongs to no account: a hash, so the limiter's
 * store (Redis) never holds the email addresses people type. Spellings the account lookup reads as
 * one name share it.
 */
export function loginNameKey(login: string): string {
  return `name:${createHash('sha256').update(normalizedLoginName(login)).digest('hex').slice(0, 32)}`;
}

/** The key of an account's failures, whichever of its names was typed (never a name's key). */
export function loginAccountKey(userId: string): string {
  return `user:${userId}`;
}
